import type { CopilotClient, CopilotRequestHandler } from "@github/copilot-sdk";
import type { InjectionToken } from "tsyringe";
import type { Logger } from "./Logger.js";
import type { Env, ProviderConfigSource, Selection } from "./types.js";

// Registered symbols (Symbol.for) so that the ESM and CommonJS builds of this package share the tokens.

/** Injection token of the chosen {@link ProviderConfigSource}. */
export const PROVIDER_CONFIG_SOURCE: InjectionToken<ProviderConfigSource> = Symbol.for(
  "@copilot-byok/core:PROVIDER_CONFIG_SOURCE",
);
/** Injection token of the `CopilotClient` sessions are created on. */
export const COPILOT_CLIENT: InjectionToken<CopilotClient> = Symbol.for("@copilot-byok/core:COPILOT_CLIENT");
/** Injection token of the environment snapshot the selection was made from. */
export const COPILOT_BYOK_ENV: InjectionToken<Env> = Symbol.for("@copilot-byok/core:COPILOT_BYOK_ENV");
/** Injection token of the {@link Selection} (mode and reasons). */
export const COPILOT_BYOK_SELECTION: InjectionToken<Selection> = Symbol.for(
  "@copilot-byok/core:COPILOT_BYOK_SELECTION",
);
/** Injection token of the {@link Logger} sources write to. */
export const COPILOT_BYOK_LOGGER: InjectionToken<Logger> = Symbol.for(
  "@copilot-byok/core:COPILOT_BYOK_LOGGER",
);
/**
 * Injection token of copilot-byok's request handler, for a `CopilotClient` of your own:
 * `new CopilotClient({ requestHandler: container.resolve(COPILOT_BYOK_REQUEST_HANDLER) })`. Resolving it loads
 * `@github/copilot-sdk` (synchronously) and throws a `ConfigurationError` when that SDK cannot carry it.
 */
export const COPILOT_BYOK_REQUEST_HANDLER: InjectionToken<CopilotRequestHandler> = Symbol.for(
  "@copilot-byok/core:COPILOT_BYOK_REQUEST_HANDLER",
);
