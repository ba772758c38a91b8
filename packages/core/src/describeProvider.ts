import type { ProviderSettings } from "./parseProviderOptions.js";
import { redactUrl } from "./redact.js";
import { showModelName } from "./showSetting.js";

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
    // A key pasted as the model is still a secret: names shown only when they look like names.
    ...(settings.modelId !== undefined ? { modelId: showModelName(settings.modelId) } : {}),
    ...(settings.wireModel !== undefined ? { wireModel: showModelName(settings.wireModel) } : {}),
  };
}
