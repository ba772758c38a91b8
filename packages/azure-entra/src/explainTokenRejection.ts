import { COPILOT_PROVIDER_TOKEN_SCOPE, showScope } from "@copilot-byok/core/plugin";
import { audienceMatchesScope } from "./audienceMatchesScope.js";
import { AZURE_CLOUDS, type AzureCloud, azureCloudOfAuthorityHost } from "./clouds.js";
import { type JwtClaims, readJwtClaims } from "./readJwtClaims.js";
import type { RenewalPlan } from "./renewalPlanFor.js";
import type { EndpointRole } from "./roleForEndpoint.js";
import type { EndpointScope } from "./scopeForEndpoint.js";

/** What {@link explainTokenRejection} checks a refused token against. */
export interface TokenRejectionContext {
  /** The scope the token was asked for. */
  readonly scope: string;
  /** What the provider's base URL takes (see `scopeForEndpoint`). */
  readonly endpoint: EndpointScope;
  /** The audiences the provider accepts (the `expectedAudience` option, else the endpoint's); `undefined`: not known. */
  readonly expectedAudiences: readonly string[] | undefined;
  /** The role the identity needs (see `roleForEndpoint`). */
  readonly role: EndpointRole;
  /** This machine's time, ms since the epoch. */
  readonly now: number;
  /** What renewing the token can do with the credential (see `renewalPlanFor`). */
  readonly renewal?: RenewalPlan;
}

const MINUTE = 60_000;
/** An `nbf` this far ahead of this machine's clock: the clock is behind (a token is used right after its issue). */
const CLOCK_BEHIND_MS = 10 * MINUTE;

/**
 * Why the provider may have refused `token` with `status` (401: not accepted; 403: accepted, not allowed), in
 * sentences a person can act on: its claims (read without a signature check) against the audiences the endpoint
 * accepts, the endpoint's cloud, this machine's clock and the role the identity needs; for a 401, what renewal
 * could do. Names claims (audience, tenant, object id, app id), never the token. Empty for another status. Pure.
 */
export function explainTokenRejection(
  token: string,
  status: number,
  context: TokenRejectionContext,
): readonly string[] {
  if (status !== 401 && status !== 403) return [];
  const claims = readJwtClaims(token);
  if (status === 403) return [roleSentence(claims, context.role)];
  const lines: string[] = [];
  if (!claims) lines.push("the token is not a JWT: its audience, tenant and expiry cannot be checked here");
  else {
    const audience = audienceSentence(claims, context);
    if (audience) lines.push(audience);
    const issuer = issuerSentence(claims, context.endpoint.cloud);
    if (issuer) lines.push(issuer);
    lines.push(...clockSentences(claims, context));
    if (claims.tid !== undefined)
      lines.push(`the token is from tenant ${claims.tid}: the resource must belong to that tenant`);
  }
  const renewal = context.renewal;
  if (renewal?.credential === "ManagedIdentityCredential")
    lines.push(`${renewal.effect}: no other token can be had before then, so the request is not replayed`);
  else if (renewal?.method === "plain") lines.push(renewal.effect);
  return lines;
}

function roleSentence(claims: JwtClaims | undefined, { role, on }: EndpointRole): string {
  const oid = claims?.oid;
  const appId = claims?.appid ?? claims?.azp;
  const who =
    oid !== undefined
      ? `the principal with object id ${oid}${appId !== undefined ? ` (app id ${appId})` : ""}`
      : "the identity the token is for (the token names no object id)";
  const type = claims?.scp !== undefined ? "User" : "ServicePrincipal";
  const command =
    oid !== undefined
      ? `: az role assignment create --assignee-object-id ${oid} --assignee-principal-type ${type} --role "${role}" --scope <resource id>`
      : "";
  return `the provider accepted the token but refused the request: assign the role "${role}" on ${on} to ${who}${command}; new role assignments take a few minutes to apply (if it is assigned, check the resource's network rules)`;
}

function audienceSentence(claims: JwtClaims, context: TokenRejectionContext): string | undefined {
  const aud = typeof claims.aud === "string" ? claims.aud : claims.aud?.join(", ");
  if (aud === undefined) return "the token has no audience (aud): the provider cannot accept it";
  const { scope, endpoint, expectedAudiences } = context;
  const fitsScope = audienceMatchesScope(claims.aud, scope);
  const expected = expectedAudiences?.filter((a) => a.trim() !== "") ?? [];
  const shown = showScope(aud);
  const cloud = cloudOfAudience(aud);
  const of = cloud !== undefined && cloud !== endpoint.cloud ? `, an audience of ${cloud.label},` : "";
  if (expected.length > 0 && !expected.some((a) => audienceMatchesScope(claims.aud, `${a}/.default`))) {
    const accepted = expected.map(showScope).join(" or ");
    if (!fitsScope)
      return `the token's audience ${shown}${of} is neither the one the endpoint expects (${accepted}) nor the one the scope ${showScope(scope)} asks for: the credential gave a token for another resource; check the credential`;
    return `the token's audience ${shown}${of} is not the one the endpoint expects (${accepted}): the scope ${showScope(scope)} asks for it; set ${COPILOT_PROVIDER_TOKEN_SCOPE}=${showScope(fixScope(expected, endpoint))}`;
  }
  if (!fitsScope)
    return `the token's audience ${shown}${of} does not fit the scope ${showScope(scope)}: the credential gave a token for another resource; check the credential`;
  return undefined;
}

/** The scope to set: the endpoint's default when the provider accepts it, else the first accepted audience's. */
function fixScope(expected: readonly string[], endpoint: EndpointScope): string {
  if (expected.some((a) => audienceMatchesScope(a, endpoint.scope))) return endpoint.scope;
  return `${(expected[0] ?? "").trim().replace(/\/+$/, "")}/.default`;
}

function cloudOfAudience(aud: string): AzureCloud | undefined {
  const a = aud.trim().toLowerCase().replace(/\/+$/, "");
  return AZURE_CLOUDS.find((c) => c.cognitiveServicesAudience === a || c.foundryAudience === a);
}

/** The issuer's cloud, when its host is a cloud's sign-in host (`sts.windows.net` of v1 tokens is not told apart). */
function issuerSentence(claims: JwtClaims, cloud: AzureCloud | undefined): string | undefined {
  if (claims.iss === undefined || cloud === undefined) return undefined;
  let host: string;
  try {
    host = new URL(claims.iss).hostname.toLowerCase();
  } catch {
    return undefined;
  }
  const issuerCloud = host === "sts.windows.net" ? undefined : azureCloudOfAuthorityHost(`https://${host}`);
  if (issuerCloud === undefined || issuerCloud === cloud) return undefined;
  return `the token was issued by ${issuerCloud.label}'s authority (${host}), but the endpoint is in ${cloud.label}: sign in at ${cloud.authorityHost} (AZURE_AUTHORITY_HOST for a service principal or workload identity; az cloud set --name ${cloud.name} for the Azure CLI)`;
}

function clockSentences(claims: JwtClaims, context: TokenRejectionContext): string[] {
  const { now, role } = context;
  const lines: string[] = [];
  if (claims.exp !== undefined) {
    const exp = claims.exp * 1000;
    if (exp > now)
      lines.push(
        `the provider rejected a token that expires in ${span(exp - now)} by this machine's clock: if the clock is right, the token was revoked or the principal lost access (the role "${role.role}" on ${role.on}); check the clock`,
      );
    else
      lines.push(
        `the token expired ${span(now - exp)} ago by this machine's clock (exp ${new Date(exp).toISOString()}): a new one is asked for at the next request; if new tokens are refused too, check this machine's clock`,
      );
  }
  if (claims.nbf !== undefined && claims.nbf * 1000 - now > CLOCK_BEHIND_MS)
    lines.push(
      `the token is valid only from ${new Date(claims.nbf * 1000).toISOString()}, ${span(claims.nbf * 1000 - now)} ahead of this machine's clock: this machine's clock is behind; set it right`,
    );
  return lines;
}

/** A span of time in words: `less than a minute`, `41 min`, `3 h 5 min`, `2 days`. */
function span(ms: number): string {
  const minutes = Math.floor(ms / MINUTE);
  if (minutes < 1) return "less than a minute";
  if (minutes < 120) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return minutes % 60 === 0 ? `${hours} h` : `${hours} h ${minutes % 60} min`;
  return `${Math.floor(hours / 24)} days`;
}
