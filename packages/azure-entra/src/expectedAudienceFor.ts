import { DEFAULT_TOKEN_SCOPE, isScopeUri, showScope } from "@copilot-byok/core/plugin";
import { audienceMatchesScope, resourceOfScope } from "./audienceMatchesScope.js";

/** The audience Azure AI Foundry's and Azure OpenAI's model endpoints accept. */
export const COGNITIVE_SERVICES_AUDIENCE = "https://cognitiveservices.azure.com";
/** Also accepted by Azure AI Foundry resources (`*.services.ai.azure.com`). */
export const AI_AZURE_AUDIENCE = "https://ai.azure.com";

/**
 * The token audiences a provider host is known to accept, or `undefined` when the host is not one Azure
 * documents (a gateway, a proxy, an emulator): then any scope is taken as given.
 * `*.openai.azure.com` and `*.cognitiveservices.azure.com` → Cognitive Services;
 * `*.services.ai.azure.com` → Cognitive Services or `https://ai.azure.com`.
 */
export function expectedAudienceFor(baseUrl: string): readonly string[] | undefined {
  let host: string;
  try {
    host = new URL(baseUrl).hostname.toLowerCase();
  } catch {
    return undefined;
  }
  if (host.endsWith(".openai.azure.com") || host.endsWith(".cognitiveservices.azure.com")) {
    return [COGNITIVE_SERVICES_AUDIENCE];
  }
  if (host.endsWith(".services.ai.azure.com")) return [COGNITIVE_SERVICES_AUDIENCE, AI_AZURE_AUDIENCE];
  return undefined;
}

/**
 * A problem sentence when `scope` asks for tokens no expected audience accepts (a 401 waiting to happen),
 * naming both audiences and the fix; `undefined` when it fits or nothing is expected. Also `undefined` when
 * `scope` is not a scope URI at all: that is a problem of its own, reported where the scope is read, and such
 * a value (possibly a key pasted into the wrong variable) is never echoed here.
 */
export function scopeAudienceProblem(
  scope: string,
  expected: string | readonly string[] | undefined,
  provider: string,
): string | undefined {
  if (!isScopeUri(scope)) return undefined;
  const audiences = expected === undefined ? [] : typeof expected === "string" ? [expected] : expected;
  if (audiences.length === 0 || audiences.some((aud) => audienceMatchesScope(aud, scope))) return undefined;
  return `token scope ${showScope(scope)} gives tokens for the audience ${showScope(resourceOfScope(scope))}, but ${provider} accepts only ${audiences.join(" or ")}: the provider would answer 401; set COPILOT_PROVIDER_TOKEN_SCOPE=${DEFAULT_TOKEN_SCOPE} (or unset it)`;
}
