import {
  COPILOT_PROVIDER_TOKEN_SCOPE,
  DEFAULT_TOKEN_SCOPE,
  isGuid,
  isScopeUri,
  showScope,
} from "@copilot-byok/core/plugin";
import { audienceMatchesScope, resourceOfScope } from "./audienceMatchesScope.js";
import { scopeForEndpoint } from "./scopeForEndpoint.js";

/** The audience Azure AI Foundry's and Azure OpenAI's model endpoints accept (Azure public cloud). */
export const COGNITIVE_SERVICES_AUDIENCE = "https://cognitiveservices.azure.com";
/** Also accepted by Azure AI Foundry resources (`*.services.ai.azure.com`); the audience of Foundry project endpoints. */
export const AI_AZURE_AUDIENCE = "https://ai.azure.com";

/**
 * The token audiences a provider host is known to accept, in every cloud (see `scopeForEndpoint`), or
 * `undefined` when the host is not one Azure documents (a gateway, a proxy, an emulator): then any scope is
 * taken as given. `*.openai.azure.com` and `*.cognitiveservices.azure.com` → Cognitive Services;
 * `*.services.ai.azure.com` → Cognitive Services or `https://ai.azure.com`; `*.openai.azure.us` →
 * `https://cognitiveservices.azure.us`; `*.openai.azure.cn` → `https://cognitiveservices.azure.cn`; …
 */
export function expectedAudienceFor(baseUrl: string): readonly string[] | undefined {
  return scopeForEndpoint(baseUrl).audiences;
}

/**
 * A problem sentence when `scope` asks for tokens no expected audience accepts (a 401 waiting to happen),
 * naming both audiences and the fix: the scope the endpoint needs, which is `defaultScope` (what unsetting
 * the scope gives, default the public cloud's) when that fits, else the first expected audience's `/.default`.
 * `undefined` when it fits or nothing is expected. Also `undefined` when `scope` is not a scope URI at all:
 * that is a problem of its own, reported where the scope is read, and such a value (possibly a key pasted into
 * the wrong variable) is never echoed here.
 */
export function scopeAudienceProblem(
  scope: string,
  expected: string | readonly string[] | undefined,
  provider: string,
  defaultScope: string = DEFAULT_TOKEN_SCOPE,
): string | undefined {
  if (!isScopeUri(scope)) return undefined;
  const audiences = expected === undefined ? [] : typeof expected === "string" ? [expected] : expected;
  if (audiences.length === 0 || audiences.some((aud) => audienceMatchesScope(aud, scope))) return undefined;
  const accepted = audiences.map(showAudience).join(" or ");
  return `token scope ${showScope(scope)} gives tokens for the audience ${showScope(resourceOfScope(scope))}, but ${provider} accepts only ${accepted}: the provider would answer 401; ${fixFor(audiences, defaultScope)}`;
}

/** The sentence naming the scope to set: the default when it fits (then unsetting works too). */
function fixFor(audiences: readonly string[], defaultScope: string): string {
  if (isScopeUri(defaultScope) && audiences.some((aud) => audienceMatchesScope(aud, defaultScope)))
    return `set ${COPILOT_PROVIDER_TOKEN_SCOPE}=${showScope(defaultScope)} (or unset it)`;
  const uri = audiences.find((aud) => isScopeUri(`${aud}/.default`));
  if (uri !== undefined)
    return `set ${COPILOT_PROVIDER_TOKEN_SCOPE}=${showScope(`${uri.trim().replace(/\/+$/, "")}/.default`)}`;
  return `set ${COPILOT_PROVIDER_TOKEN_SCOPE} to a scope of one of these audiences`;
}

/** An audience as shown in messages: an app id as is (not a secret), anything else as a scope is shown. */
function showAudience(audience: string): string {
  return isGuid(audience) ? audience.trim() : showScope(audience);
}
