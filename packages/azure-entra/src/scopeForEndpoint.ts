import { COPILOT_PROVIDER_TOKEN_SCOPE, DEFAULT_TOKEN_SCOPE } from "@copilot-byok/core/plugin";
import { AZURE_CHINA_CLOUD, AZURE_PUBLIC_CLOUD, AZURE_US_GOVERNMENT, type AzureCloud } from "./clouds.js";

/** The Entra ID scope a provider endpoint takes, and why: see {@link scopeForEndpoint}. */
export interface EndpointScope {
  /** The scope to ask tokens for, e.g. `https://cognitiveservices.azure.us/.default`. */
  readonly scope: string;
  /** The token audiences the endpoint accepts; `undefined` for a host Azure does not document (nothing checked). */
  readonly audiences: readonly string[] | undefined;
  /** The cloud of the endpoint; `undefined` for an unknown host. */
  readonly cloud: AzureCloud | undefined;
  /** Whether `scope` is a guess: the host is no Azure AI host (a gateway, a proxy, an emulator). */
  readonly guessed: boolean;
  /**
   * Where the scope comes from, in words for `describe()`, the doctor and the selection's reasons, e.g.
   * `the default for Azure OpenAI (*.openai.azure.us) in Azure Government`, or `guessed: … set
   * COPILOT_PROVIDER_TOKEN_SCOPE …`.
   */
  readonly origin: string;
}

interface HostRule {
  readonly suffix: string;
  readonly cloud: AzureCloud;
  readonly service: string;
  /** A Foundry resource: also takes the Foundry audience, and serves project endpoints. */
  readonly foundry?: true;
}

// Documented hosts only (README, "Clouds and scopes"): a host not listed here gets a guess, never a cloud.
const HOST_RULES: readonly HostRule[] = [
  { suffix: "openai.azure.com", cloud: AZURE_PUBLIC_CLOUD, service: "Azure OpenAI" },
  { suffix: "cognitiveservices.azure.com", cloud: AZURE_PUBLIC_CLOUD, service: "Azure AI services" },
  { suffix: "services.ai.azure.com", cloud: AZURE_PUBLIC_CLOUD, service: "Azure AI Foundry", foundry: true },
  { suffix: "openai.azure.us", cloud: AZURE_US_GOVERNMENT, service: "Azure OpenAI" },
  { suffix: "cognitiveservices.azure.us", cloud: AZURE_US_GOVERNMENT, service: "Azure AI services" },
  { suffix: "services.ai.azure.us", cloud: AZURE_US_GOVERNMENT, service: "Azure AI Foundry", foundry: true },
  { suffix: "openai.azure.cn", cloud: AZURE_CHINA_CLOUD, service: "Azure OpenAI" },
  { suffix: "cognitiveservices.azure.cn", cloud: AZURE_CHINA_CLOUD, service: "Azure AI services" },
];

/**
 * The Entra ID scope a provider base URL takes, from its host (and, on a Foundry resource, its path). Pure.
 *
 * - `*.openai.azure.com`, `*.cognitiveservices.azure.com`, `*.services.ai.azure.com` →
 *   `https://cognitiveservices.azure.com/.default` (a Foundry resource also accepts `https://ai.azure.com`);
 *   `*.openai.azure.us`, `*.cognitiveservices.azure.us`, `*.services.ai.azure.us` → `https://cognitiveservices.azure.us/.default`;
 *   `*.openai.azure.cn`, `*.cognitiveservices.azure.cn` → `https://cognitiveservices.azure.cn/.default`.
 * - A Foundry project endpoint (`https://<resource>.services.ai.azure.com/api/projects/<project>…`) →
 *   `https://ai.azure.com/.default` (Azure Government: `https://ai.azure.us/.default`).
 * - Claude on a Foundry resource (`…/anthropic`) → the Cognitive Services scope, as Microsoft documents it.
 * - Any other host (a gateway, a proxy, an emulator on 127.0.0.1), or no URL: the public cloud's default,
 *   marked `guessed`, with `audiences` undefined.
 */
export function scopeForEndpoint(baseUrl: string): EndpointScope {
  let url: URL | undefined;
  try {
    url = new URL(baseUrl);
  } catch {
    url = undefined;
  }
  const host = url?.hostname.toLowerCase().replace(/\.$/, "") ?? "";
  const rule = HOST_RULES.find((r) => host.endsWith(`.${r.suffix}`));
  if (!url || !rule) return guess(url?.host || "the endpoint");

  const { cloud } = rule;
  const cognitive = cloud.cognitiveServicesAudience;
  const path = url.pathname.toLowerCase();
  const where = `in ${cloud.label}`;
  if (rule.foundry && cloud.foundryAudience && /^\/api\/projects\/[^/]+/.test(path)) {
    return known(
      cloud,
      cloud.foundryAudience,
      // Only the Foundry audience: every source for project endpoints uses it, none the Cognitive Services one.
      [cloud.foundryAudience],
      `the default for a Foundry project endpoint (*.${rule.suffix}/api/projects/…) ${where}`,
    );
  }
  if (rule.foundry && (path === "/anthropic" || path.startsWith("/anthropic/"))) {
    return known(
      cloud,
      cognitive,
      foundryAudiences(cloud),
      `the default for Claude on Azure AI Foundry (*.${rule.suffix}/anthropic) ${where}`,
    );
  }
  const audiences = rule.foundry ? foundryAudiences(cloud) : [cognitive];
  return known(cloud, cognitive, audiences, `the default for ${rule.service} (*.${rule.suffix}) ${where}`);
}

/** A Foundry resource takes tokens for Cognitive Services and for the Foundry audience. */
function foundryAudiences(cloud: AzureCloud): readonly string[] {
  const { cognitiveServicesAudience: cognitive, foundryAudience: foundry } = cloud;
  return foundry ? [cognitive, foundry] : [cognitive];
}

function known(
  cloud: AzureCloud,
  audience: string,
  audiences: readonly string[],
  origin: string,
): EndpointScope {
  return Object.freeze({
    scope: `${audience}/.default`,
    audiences: Object.freeze([...audiences]),
    cloud,
    guessed: false,
    origin,
  });
}

function guess(host: string): EndpointScope {
  return Object.freeze({
    scope: DEFAULT_TOKEN_SCOPE,
    audiences: undefined,
    cloud: undefined,
    guessed: true,
    origin: `guessed: ${host} is not a known Azure AI host, so the Azure public cloud's default; set ${COPILOT_PROVIDER_TOKEN_SCOPE} to the scope the endpoint expects`,
  });
}
