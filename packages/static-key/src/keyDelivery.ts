import type { ProviderType } from "@copilot-byok/core/plugin";

/**
 * Whether a per-request callback (`bearerTokenProvider` returning the current key) is safe by default
 * for a provider type, so that a rotated key also reaches running sessions:
 * - `openai`: the runtime sends `apiKey` as `Authorization: Bearer <key>` anyway: the callback changes nothing on the wire.
 * - `azure`: the runtime sends `apiKey` as `api-key: <key>`, the callback as `Authorization: Bearer <key>`,
 *   which Azure's v1 endpoint (`/openai/v1/`, the only route the runtime uses without `azure.apiVersion`) also accepts.
 * - `anthropic`: the runtime sends `apiKey` as `x-api-key: <key>`; Anthropic does not take an API key as a
 *   bearer token, so the callback is off: running sessions keep the key they started with.
 */
export function defaultKeyPerRequest(type: ProviderType): boolean {
  return type !== "anthropic";
}

/** The header the Copilot runtime (SDK 1.0.14) puts the key in, for `describe()` and diagnostics. */
export function credentialHeader(type: ProviderType, keyPerRequest: boolean): string {
  if (keyPerRequest) return "Authorization: Bearer";
  if (type === "azure") return "api-key";
  if (type === "anthropic") return "x-api-key";
  return "Authorization: Bearer";
}
