const COGNITIVE_SERVICES_APP_ID = "7d312290-28c8-473c-a0ed-8e53749b6d6d";
const RESOURCE_MANAGER_APP_ID = "797f4846-ba00-4fd7-ba43-dac1f8f63013";

/**
 * Application ids of first-party resources whose tokens may carry the app id instead of the resource URI as
 * audience (v2 tokens and some token services do this), in every cloud: a first-party app keeps its id in
 * Azure Government and Azure China, only its resource URI changes.
 */
const KNOWN_RESOURCE_APP_IDS: Readonly<Record<string, string>> = Object.freeze({
  // Microsoft Cognitive Services (Azure AI Foundry, Azure OpenAI).
  "https://cognitiveservices.azure.com": COGNITIVE_SERVICES_APP_ID,
  "https://cognitiveservices.azure.us": COGNITIVE_SERVICES_APP_ID,
  "https://cognitiveservices.azure.cn": COGNITIVE_SERVICES_APP_ID,
  // Azure Resource Manager: listed so that a management token is recognised for what it is.
  "https://management.azure.com": RESOURCE_MANAGER_APP_ID,
  "https://management.usgovcloudapi.net": RESOURCE_MANAGER_APP_ID,
  "https://management.chinacloudapi.cn": RESOURCE_MANAGER_APP_ID,
});

/**
 * The resource a scope asks a token for: `https://cognitiveservices.azure.com/.default` →
 * `https://cognitiveservices.azure.com`; `api://<app-id>/.default` → `api://<app-id>`; a scope naming one
 * permission (`<resource>/<permission>`) → `<resource>`.
 */
export function resourceOfScope(scope: string): string {
  const trimmed = scope.trim();
  if (/\/\.default$/i.test(trimmed)) return trimmed.replace(/\/\.default$/i, "");
  const match = /^([a-z][a-z0-9+.-]*:\/\/[^/]+(?:\/.*)?)\/[^/]+$/i.exec(trimmed);
  return match?.[1] ?? trimmed;
}

/**
 * Whether a token's audience (`aud` claim) fits the scope it was requested for. For
 * `https://cognitiveservices.azure.com/.default` this accepts `https://cognitiveservices.azure.com`, the same
 * with a trailing slash, and Cognitive Services' app id `7d312290-28c8-473c-a0ed-8e53749b6d6d` (so too for
 * `https://cognitiveservices.azure.us/.default` and `https://cognitiveservices.azure.cn/.default`); for
 * `api://<app-id>/.default` it accepts `api://<app-id>` and `<app-id>`. Case-insensitive. An absent audience
 * does not match. Used to warn before a provider answers 401 (e.g. a `https://management.azure.com` token
 * sent to Azure AI Foundry).
 */
export function audienceMatchesScope(aud: string | readonly string[] | undefined, scope: string): boolean {
  if (aud === undefined) return false;
  const audiences = (typeof aud === "string" ? [aud] : aud).map(normalize);
  const resource = normalize(resourceOfScope(scope));
  const accepted = new Set([resource]);
  const appId = KNOWN_RESOURCE_APP_IDS[resource];
  if (appId) accepted.add(appId);
  if (resource.startsWith("api://")) accepted.add(resource.slice("api://".length));
  else if (/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(resource))
    accepted.add(`api://${resource}`);
  return audiences.some((a) => accepted.has(a));
}

function normalize(value: string): string {
  return value.trim().toLowerCase().replace(/\/+$/, "");
}
