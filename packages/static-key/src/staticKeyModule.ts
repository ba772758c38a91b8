import type { Logger, ProviderConfigSourceModule } from "@copilot-byok/core/plugin";
import { detectStaticKey } from "./detectStaticKey.js";
import { STATIC_KEY_MODE, StaticKeyProviderConfigSource } from "./StaticKeyProviderConfigSource.js";

/** Module-level defaults of {@link createStaticKeyModule}. */
export interface StaticKeyModuleOptions {
  /** Key file poll interval in ms (10 to 3600000). Default 1000. */
  pollIntervalMs?: number;
  /** See `StaticKeyProviderConfigSourceOptions.keyPerRequest`. Default: per provider type. */
  keyPerRequest?: boolean;
  /** Where the source logs. Default: the logger given to `registerCopilotByok`, else silent. */
  logger?: Logger;
}

/**
 * The static-key mode as a plug-in, with module-level defaults.
 * - `detect(env)`: applicable (`explicit`) when `COPILOT_PROVIDER_API_KEY`, `COPILOT_PROVIDER_API_KEY_FILE`
 *   or `AZURE_OPENAI_API_KEY` is set, in that precedence; pure (see `detectStaticKey`).
 * - `create(context)`: `StaticKeyProviderConfigSource.fromEnv(context.env)`, logging to `options.logger`,
 *   else `context.logger`.
 */
export function createStaticKeyModule(
  options: StaticKeyModuleOptions = {},
): ProviderConfigSourceModule<typeof STATIC_KEY_MODE> {
  const { logger, ...defaults } = options;
  const module: ProviderConfigSourceModule<typeof STATIC_KEY_MODE> = {
    mode: STATIC_KEY_MODE,
    origin: "staticKeyModule from @copilot-byok/static-key",
    detect: (env) => detectStaticKey(env, defaults),
    create: (context) => {
      const sourceLogger = logger ?? context.logger;
      return StaticKeyProviderConfigSource.fromEnv(context.env, {
        ...defaults,
        ...(sourceLogger ? { logger: sourceLogger } : {}),
      });
    },
  };
  return Object.freeze(module);
}

/**
 * The static-key mode (`COPILOT_PROVIDER_AUTH=static-key`, or `auto` when a key variable is set):
 * `registerCopilotByok(container, { modules: [staticKeyModule, azureEntraModule] })`.
 */
export const staticKeyModule: ProviderConfigSourceModule<typeof STATIC_KEY_MODE> = createStaticKeyModule();
