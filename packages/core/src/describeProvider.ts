import type { ProviderSettings } from "./parseProviderOptions.js";
import { redactUrl } from "./redact.js";

/** What every source's `describe()` says of its provider, the same way: base URL (redacted), type, wire API, models. */
export function describeProvider(settings: ProviderSettings): {
  baseUrl: string;
  type: string;
  wireApi?: string;
  modelId?: string;
  wireModel?: string;
} {
  return {
    baseUrl: redactUrl(settings.baseUrl),
    type: settings.type,
    ...(settings.type !== "anthropic" ? { wireApi: settings.wireApi } : {}),
    ...(settings.modelId !== undefined ? { modelId: settings.modelId } : {}),
    ...(settings.wireModel !== undefined ? { wireModel: settings.wireModel } : {}),
  };
}
