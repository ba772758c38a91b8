import {
  COPILOT_PROVIDER_TOKEN_SCOPE,
  DEFAULT_TOKEN_SCOPE,
  type DescriptionValue,
  type SourceDiagnostics,
  showScope,
} from "@copilot-byok/core/plugin";
import { audienceMatchesScope } from "./audienceMatchesScope.js";
import { readJwtClaims } from "./readJwtClaims.js";

/**
 * What a bearer token tells the doctor, against the scope it was asked for and this machine's clock: its
 * claims (audience, tenant, identity, expiry), the mismatches that make a provider answer 401, and doubts.
 * Never the token.
 */
export function diagnoseToken(
  token: string,
  options: { scope: string; facts: Readonly<Record<string, DescriptionValue>>; now?: number },
): SourceDiagnostics {
  const { scope, facts } = options;
  const now = options.now ?? Date.now();
  const problems: string[] = [];
  const warnings: string[] = [];
  const claims = readJwtClaims(token);
  if (!claims) {
    return {
      credentialKind: "bearer",
      facts,
      warnings: ["the bearer token is not a JWT: its claims cannot be shown"],
    };
  }
  const aud = typeof claims.aud === "string" ? claims.aud : undefined;
  const exp = typeof claims.exp === "number" ? claims.exp * 1000 : undefined;
  const matches = aud !== undefined ? audienceMatchesScope(aud, scope) : undefined;
  if (aud && !matches) {
    problems.push(
      `the token's audience ${aud} does not match the scope ${showScope(scope)}: the provider will answer 401; set ${COPILOT_PROVIDER_TOKEN_SCOPE} to the resource's scope (${DEFAULT_TOKEN_SCOPE} for Azure AI Foundry / Azure OpenAI)`,
    );
  }
  if (exp !== undefined && exp <= now)
    problems.push("the token has already expired: check the machine's clock");
  if (scope !== DEFAULT_TOKEN_SCOPE) {
    warnings.push(
      `${COPILOT_PROVIDER_TOKEN_SCOPE} is ${showScope(scope)}: Azure AI Foundry and Azure OpenAI accept only tokens for ${DEFAULT_TOKEN_SCOPE} (aud https://cognitiveservices.azure.com); keep it only for a gateway that expects this audience`,
    );
  }
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
