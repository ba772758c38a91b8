import type { BearerTokenProvider, ProviderConfig } from "@github/copilot-sdk";
import type { ProviderSettings } from "./parseProviderOptions.js";
import { withSafeInspect } from "./safeRendering.js";

/** How a config carries its credential: a key (optionally re-read per request), or a per-request token. */
export type ProviderConfigCredential =
  | { readonly apiKey: string; readonly bearerTokenProvider?: BearerTokenProvider }
  | { readonly bearerTokenProvider: BearerTokenProvider; readonly apiKey?: undefined };

/**
 * The SDK's `ProviderConfig` for `settings` and a credential: one shape for every source (`wireApi` only for
 * `openai` and `azure`, the runtime ignores it for `anthropic`). Prints without secrets in `util.inspect`.
 */
export function toProviderConfig(
  settings: ProviderSettings,
  credential: ProviderConfigCredential,
): ProviderConfig {
  return withSafeInspect({
    type: settings.type,
    ...(settings.type !== "anthropic" ? { wireApi: settings.wireApi } : {}),
    baseUrl: settings.baseUrl,
    ...(credential.apiKey !== undefined ? { apiKey: credential.apiKey } : {}),
    ...(credential.bearerTokenProvider ? { bearerTokenProvider: credential.bearerTokenProvider } : {}),
    ...(settings.modelId !== undefined ? { modelId: settings.modelId } : {}),
    ...(settings.wireModel !== undefined ? { wireModel: settings.wireModel } : {}),
    ...(settings.headers !== undefined ? { headers: { ...settings.headers } } : {}),
    ...(settings.azure !== undefined ? { azure: { ...settings.azure } } : {}),
  });
}
