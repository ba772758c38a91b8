import { createPublicKey } from "node:crypto";

/** The public cloud's authority host: MSAL sends instance discovery there whatever the authority. */
export const PUBLIC_CLOUD_HOST = "login.microsoftonline.com";

/**
 * Hosts MSAL (`@azure/msal-common` 16, `AuthorityMetadata`) rewrites to another before any request: its
 * hard-coded instance metadata lists them as aliases of that `preferred_network`. E.g. an authority on
 * `login.chinacloudapi.cn` sends its token requests to `login.partner.microsoftonline.cn`.
 */
export const MSAL_PREFERRED_NETWORK: Readonly<Record<string, string>> = {
  "login.windows.net": PUBLIC_CLOUD_HOST,
  "login.microsoft.com": PUBLIC_CLOUD_HOST,
  "sts.windows.net": PUBLIC_CLOUD_HOST,
  "login.chinacloudapi.cn": "login.partner.microsoftonline.cn",
  "login.usgovcloudapi.net": "login.microsoftonline.us",
};

/** The host MSAL actually connects to for an authority on `host`. */
export function msalNetworkHost(host: string): string {
  const h = host.toLowerCase();
  return MSAL_PREFERRED_NETWORK[h] ?? h;
}

/** `/<tenant>/v2.0/.well-known/openid-configuration` of `host`, shaped like Entra's. */
export function openIdConfiguration(host: string, tenant: string): Record<string, unknown> {
  const base = `https://${host}/${tenant}`;
  return {
    token_endpoint: `${base}/oauth2/v2.0/token`,
    token_endpoint_auth_methods_supported: ["client_secret_post", "private_key_jwt", "client_secret_basic"],
    jwks_uri: `https://${host}/${tenant}/discovery/v2.0/keys`,
    response_modes_supported: ["query", "fragment", "form_post"],
    subject_types_supported: ["pairwise"],
    id_token_signing_alg_values_supported: ["RS256"],
    response_types_supported: ["code", "id_token", "code id_token", "id_token token"],
    scopes_supported: ["openid", "profile", "email", "offline_access"],
    issuer: `${base}/v2.0`,
    request_uri_parameter_supported: false,
    authorization_endpoint: `${base}/oauth2/v2.0/authorize`,
    device_authorization_endpoint: `${base}/oauth2/v2.0/devicecode`,
    http_logout_supported: true,
    frontchannel_logout_supported: true,
    end_session_endpoint: `${base}/oauth2/v2.0/logout`,
    claims_supported: ["sub", "iss", "aud", "exp", "iat", "nbf", "tid", "oid"],
    tenant_region_scope: "WW",
    cloud_instance_name: host.replace(/^login\./, ""),
  };
}

/**
 * `/common/discovery/instance?authorization_endpoint=…` like Entra's: the metadata of every emulated host, or
 * `undefined` (Entra: 400 `invalid_instance`) when the endpoint's host is not one of them.
 */
export function instanceDiscovery(
  authorizationEndpoint: string | null,
  hosts: readonly string[],
): Record<string, unknown> | undefined {
  let url: URL;
  try {
    url = new URL(authorizationEndpoint ?? "");
  } catch {
    return undefined;
  }
  if (!hosts.includes(url.hostname.toLowerCase())) return undefined;
  const tenant = url.pathname.split("/")[1] || "common";
  return {
    tenant_discovery_endpoint: `https://${url.host}/${tenant}/v2.0/.well-known/openid-configuration`,
    "api-version": "1.1",
    metadata: hosts.map((host) => ({
      preferred_network: host,
      preferred_cache: host,
      aliases: [
        host,
        ...Object.keys(MSAL_PREFERRED_NETWORK).filter((a) => MSAL_PREFERRED_NETWORK[a] === host),
      ],
    })),
  };
}

/** `/<tenant>/discovery/v2.0/keys`: the signing key as a JWK set. */
export function jsonWebKeySet(publicKeyPem: string, keyId: string): Record<string, unknown> {
  const jwk = createPublicKey(publicKeyPem).export({ format: "jwk" });
  return { keys: [{ kty: jwk.kty, use: "sig", kid: keyId, n: jwk.n, e: jwk.e }] };
}
