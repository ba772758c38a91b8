import {
  API_KEY_VARIABLES,
  COPILOT_PROVIDER_API_KEY_FILE,
  type Env,
  hasControlCharacters,
  isLoopbackHost,
  isSet,
  type Logger,
  type ProviderConfigSourceModule,
  readProviderEnv,
} from "@copilot-byok/core/plugin";
import { detectStaticKey } from "./detectStaticKey.js";
import { keyFileProblems } from "./keyFileProblems.js";
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
 * - `validate(context)`: with `COPILOT_PROVIDER_API_KEY_FILE` winning, reads the key file once (no watcher):
 *   a missing or unreadable file, or one without a valid key, makes `registerCopilotByok` throw a
 *   `ConfigurationError` at once.
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
    validate: ({ env }) => validateStaticKey(env),
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

/** The key file's problems, when the key comes from `COPILOT_PROVIDER_API_KEY_FILE` (detect() does not open it). */
function validateStaticKey(env: Env): readonly string[] {
  const winner = API_KEY_VARIABLES.find((name) => isSet(env, name));
  if (winner !== COPILOT_PROVIDER_API_KEY_FILE) return [];
  const path = (env[winner] ?? "").trim();
  // A path with control characters is a problem of detect()'s already.
  if (hasControlCharacters(path)) return [];
  const { baseUrl } = readProviderEnv(env).settings;
  const localProvider = baseUrl !== undefined && isLoopbackHost(new URL(baseUrl).hostname);
  return keyFileProblems(path, winner, { localProvider });
}
