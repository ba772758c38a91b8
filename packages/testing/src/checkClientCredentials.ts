import { createHash, timingSafeEqual } from "node:crypto";
import { resourceOf } from "./createTokenAuthority.js";
import { ENTRA_ERRORS, type EntraError } from "./entraError.js";
import { type FederatedTokenFile, TOKEN_EXCHANGE_AUDIENCE } from "./FederatedTokenFile.js";

export const JWT_BEARER_ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

/** How a token request authenticated the client. */
export type EntraCredentialForm = "client-secret" | "client-assertion" | "none";

/** What the token endpoint knows: the apps of its tenant and the workload identity's token file. */
export interface ClientCredentialsDirectory {
  readonly tenantId: string;
  /** Service principals by client id. */
  readonly servicePrincipals: ReadonlyMap<
    string,
    { readonly objectId: string; readonly clientSecret: string }
  >;
  readonly workloadIdentity: {
    readonly clientId: string;
    readonly objectId: string;
    readonly issuer: string;
    readonly subject: string;
  };
  readonly federatedTokenFile: FederatedTokenFile;
}

/** What a `client_credentials` request asked and whether it may have a token. Never holds a secret. */
export interface ClientCredentialsOutcome {
  readonly grantType: string | undefined;
  readonly clientId: string | undefined;
  readonly scope: string | undefined;
  readonly credential: EntraCredentialForm;
  /** `jti` of the presented assertion, when it was signed by the emulator. */
  readonly assertionId: string | undefined;
  /** Set when refused. */
  readonly refusal: EntraError | undefined;
  /** Set when granted: whom the token is for. */
  readonly grant:
    | { readonly clientId: string; readonly objectId: string; readonly resource: string }
    | undefined;
}

const digest = (value: string) => createHash("sha256").update(value).digest();
const sameSecret = (a: string, b: string) => timingSafeEqual(digest(a), digest(b));
// Scopes MSAL may add to any request; they do not name a resource.
const OIDC_SCOPES = new Set(["openid", "profile", "offline_access"]);

/**
 * Checks a `POST /<tenant>/oauth2/v2.0/token` form like Entra ID does for the client credentials grant:
 * tenant, grant, client, scope, then the credential — a client secret against the service principal's, or a
 * client assertion that must be unexpired, be for the workload identity's federated credential (issuer,
 * subject, audience) and be the current content of the federated token file.
 */
export async function checkClientCredentials(
  tenant: string,
  form: URLSearchParams,
  directory: ClientCredentialsDirectory,
): Promise<ClientCredentialsOutcome> {
  const clientId = form.get("client_id") ?? undefined;
  const secret = form.get("client_secret");
  const assertion = form.get("client_assertion");
  const outcome = {
    grantType: form.get("grant_type") ?? undefined,
    clientId,
    scope: form.get("scope") ?? undefined,
    credential: (assertion !== null
      ? "client-assertion"
      : secret !== null
        ? "client-secret"
        : "none") as EntraCredentialForm,
    assertionId: undefined as string | undefined,
  };
  const refuse = (refusal: EntraError): ClientCredentialsOutcome => ({
    ...outcome,
    refusal,
    grant: undefined,
  });

  if (tenant.toLowerCase() !== directory.tenantId.toLowerCase())
    return refuse(ENTRA_ERRORS.tenantNotFound(tenant));
  if (!outcome.grantType) return refuse(ENTRA_ERRORS.missingParameter("grant_type"));
  if (outcome.grantType !== "client_credentials")
    return refuse(ENTRA_ERRORS.unsupportedGrant(outcome.grantType));
  if (!clientId) return refuse(ENTRA_ERRORS.missingParameter("client_id"));
  if (!outcome.scope) return refuse(ENTRA_ERRORS.missingParameter("scope"));
  const resources = outcome.scope.split(/\s+/).filter((s) => s && !OIDC_SCOPES.has(s));
  const [scope] = resources;
  if (resources.length !== 1 || !scope?.endsWith("/.default"))
    return refuse(ENTRA_ERRORS.invalidScope(outcome.scope));
  const sp = directory.servicePrincipals.get(clientId);
  const wi = directory.workloadIdentity;
  if (!sp && clientId !== wi.clientId) return refuse(ENTRA_ERRORS.applicationNotFound(clientId, tenant));
  const granted = (objectId: string): ClientCredentialsOutcome => ({
    ...outcome,
    refusal: undefined,
    grant: { clientId, objectId, resource: resourceOf(scope) },
  });

  if (assertion !== null) {
    const type = form.get("client_assertion_type");
    if (!type) return refuse(ENTRA_ERRORS.missingParameter("client_assertion_type"));
    if (type !== JWT_BEARER_ASSERTION_TYPE) return refuse(ENTRA_ERRORS.unsupportedAssertionType(type));
    const file = directory.federatedTokenFile;
    const verified = file.verify(assertion);
    if (!verified.ok)
      return refuse(
        verified.reason === "bad signature"
          ? ENTRA_ERRORS.badAssertionSignature()
          : ENTRA_ERRORS.malformedAssertion(),
      );
    const { claims } = verified;
    outcome.assertionId = typeof claims.jti === "string" ? claims.jti : undefined;
    if (typeof claims.exp !== "number") return refuse(ENTRA_ERRORS.malformedAssertion());
    const now = Math.floor(Date.now() / 1000);
    const nbf = typeof claims.nbf === "number" ? claims.nbf : undefined;
    if (now >= claims.exp || (nbf !== undefined && now < nbf))
      return refuse(ENTRA_ERRORS.assertionExpired(nbf, claims.exp));
    const audiences = typeof claims.aud === "string" ? [claims.aud] : [...claims.aud];
    const audience = audiences.join(",");
    if (clientId !== wi.clientId || claims.sub !== wi.subject)
      return refuse(ENTRA_ERRORS.noFederatedSubject(String(claims.sub)));
    if (claims.iss !== wi.issuer || !audiences.includes(TOKEN_EXCHANGE_AUDIENCE))
      return refuse(
        ENTRA_ERRORS.noFederatedMatch(claims.iss, claims.sub, audience, "issuer or audience differs"),
      );
    // A stricter check than Entra's: the client must present what the projected volume holds now, so a
    // test catches a client that keeps an old token instead of re-reading the rotated file.
    if (assertion !== (await file.read()))
      return refuse(
        ENTRA_ERRORS.noFederatedMatch(
          claims.iss,
          claims.sub,
          audience,
          "the assertion is not the current content of the federated token file",
        ),
      );
    return granted(wi.objectId);
  }
  if (secret !== null) {
    if (!sp || !sameSecret(secret, sp.clientSecret)) return refuse(ENTRA_ERRORS.invalidSecret(clientId));
    return granted(sp.objectId);
  }
  return refuse(ENTRA_ERRORS.missingCredential());
}
