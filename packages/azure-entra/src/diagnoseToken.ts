import {
  COPILOT_PROVIDER_TOKEN_SCOPE,
  DEFAULT_TOKEN_SCOPE,
  type DescriptionValue,
  type SourceDiagnostics,
  showScope,
} from "@copilot-byok/core/plugin";
import { audienceMatchesScope } from "./audienceMatchesScope.js";
import { readJwtClaims } from "./readJwtClaims.js";
import type { EndpointScope } from "./scopeForEndpoint.js";

/**
 * What a bearer token tells the doctor, against the scope it was asked for and this machine's clock: its
 * claims (audience, tenant, identity, expiry), the mismatches that make a provider answer 401, and doubts.
 * `endpoint` (see `scopeForEndpoint`) is what the provider's base URL takes: the fix a mismatch names, and
 * whether `scope` is one the endpoint accepts; without it, the Azure public cloud's default is assumed.
 * `warnings` come first among the doubts. Never the token.
 */
export function diagnoseToken(
  token: string,
  options: {
    scope: string;
    facts: Readonly<Record<string, DescriptionValue>>;
    now?: number;
    endpoint?: EndpointScope;
    warnings?: readonly string[];
  },
): SourceDiagnostics {
  const { scope, facts, endpoint } = options;
  const now = options.now ?? Date.now();
  const problems: string[] = [];
  const warnings: string[] = [...(options.warnings ?? [])];
  const known = endpoint !== undefined && !endpoint.guessed ? endpoint : undefined;
  const claims = readJwtClaims(token);
  if (!claims) {
    return {
      credentialKind: "bearer",
      facts,
      warnings: [...warnings, "the bearer token is not a JWT: its claims cannot be shown"],
    };
  }
  const aud = typeof claims.aud === "string" ? claims.aud : undefined;
  const exp = typeof claims.exp === "number" ? claims.exp * 1000 : undefined;
  const matches = aud !== undefined ? audienceMatchesScope(aud, scope) : undefined;
  if (aud && !matches) {
    const resourceScope = known
      ? `${showScope(known.scope)}, ${known.origin}`
      : `${DEFAULT_TOKEN_SCOPE} for Azure AI Foundry / Azure OpenAI in the Azure public cloud`;
    problems.push(
      `the token's audience ${aud} does not match the scope ${showScope(scope)}: the provider will answer 401; set ${COPILOT_PROVIDER_TOKEN_SCOPE} to the resource's scope (${resourceScope})`,
    );
  }
  if (exp !== undefined && exp <= now)
    problems.push("the token has already expired: check the machine's clock");
  const scopeWarning = known ? knownEndpointScopeWarning(scope, known) : unknownEndpointScopeWarning(scope);
  if (scopeWarning) warnings.push(scopeWarning);
  return {
    credentialKind: "bearer",
    facts,
    token: {
      ...(aud !== undefined ? { audience: aud, audienceMatchesScope: matches as boolean } : {}),
      ...(claims.tid !== undefined ? { tenantId: claims.tid } : {}),
      ...(claims.oid !== undefined ? { objectId: claims.oid } : {}),
      ...(claims.appid !== undefined ? { appId: claims.appid } : {}),
      ...(exp !== undefined ? { expiresOn: new Date(exp).toISOString() } : {}),
    },
    ...(warnings.length > 0 ? { warnings } : {}),
    ...(problems.length > 0 ? { problems } : {}),
  };
}

/** A scope the known endpoint does not take (only an `expectedAudience` override lets one through). */
function knownEndpointScopeWarning(scope: string, endpoint: EndpointScope): string | undefined {
  if (scope === endpoint.scope || endpoint.audiences?.some((aud) => audienceMatchesScope(aud, scope)))
    return undefined;
  return `the token scope ${showScope(scope)} is not ${showScope(endpoint.scope)}, ${endpoint.origin}, nor another scope this endpoint takes: keep it only if the endpoint expects this audience`;
}

/** A scope other than the public cloud's default for a host Azure does not document (a gateway, say). */
function unknownEndpointScopeWarning(scope: string): string | undefined {
  if (scope === DEFAULT_TOKEN_SCOPE) return undefined;
  return `${COPILOT_PROVIDER_TOKEN_SCOPE} is ${showScope(scope)}: Azure AI Foundry and Azure OpenAI accept only tokens for ${DEFAULT_TOKEN_SCOPE} (aud https://cognitiveservices.azure.com) in the Azure public cloud (in Azure Government https://cognitiveservices.azure.us/.default, in Azure China https://cognitiveservices.azure.cn/.default); keep it only for a gateway that expects this audience`;
}
