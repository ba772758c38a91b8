/**
 * The claims of an Entra ID access token that matter for diagnosis. Read without any signature check:
 * for explaining a failure (wrong audience, tenant, identity, expiry), never for trusting a token.
 */
export interface JwtClaims {
  /** Audience: the resource the token is for, e.g. `https://cognitiveservices.azure.com`. */
  readonly aud?: string | readonly string[];
  /** Tenant id. */
  readonly tid?: string;
  /** Object id of the identity (the managed identity's principal id). */
  readonly oid?: string;
  /** Application (client) id of the caller, in v1 tokens. */
  readonly appid?: string;
  /** Application (client) id of the caller, in v2 tokens. */
  readonly azp?: string;
  /** Issuer, e.g. `https://sts.windows.net/<tenant>/`. */
  readonly iss?: string;
  /** Subject. */
  readonly sub?: string;
  /** Identity type: `app` or `user` (when the optional claim is present). */
  readonly idtyp?: string;
  /** Managed identity resource id (managed identity tokens only). */
  readonly xms_mirid?: string;
  /** Delegated scopes, space-separated. */
  readonly scp?: string;
  /** App roles. */
  readonly roles?: readonly string[];
  /** Token version, `1.0` or `2.0`. */
  readonly ver?: string;
  /** Expiry, seconds since the Unix epoch. */
  readonly exp?: number;
  /** Issued at, seconds since the Unix epoch. */
  readonly iat?: number;
  /** Not before, seconds since the Unix epoch. */
  readonly nbf?: number;
}

const STRING_CLAIMS = [
  "tid",
  "oid",
  "appid",
  "azp",
  "iss",
  "sub",
  "idtyp",
  "xms_mirid",
  "scp",
  "ver",
] as const;
const TIME_CLAIMS = ["exp", "iat", "nbf"] as const;
/** Tokens larger than this are not parsed (Entra tokens are a few kilobytes). */
const MAX_TOKEN_LENGTH = 64 * 1024;

/**
 * Reads the payload of a JWT (`header.payload.signature`) for diagnostics: the claims listed in
 * {@link JwtClaims}, type-checked; everything else is dropped. No signature check. Returns `undefined` for
 * anything that is not a readable JWT (an opaque token, an encrypted JWE, garbage). Never throws and never
 * logs the token.
 */
export function readJwtClaims(token: string): JwtClaims | undefined {
  try {
    if (typeof token !== "string" || token.length > MAX_TOKEN_LENGTH) return undefined;
    const parts = token.trim().split(".");
    if (parts.length !== 3) return undefined;
    const [header, payload] = parts as [string, string, string];
    if (!isObject(decodeSegment(header))) return undefined;
    const body = decodeSegment(payload);
    if (!isObject(body)) return undefined;

    const claims: Record<string, unknown> = {};
    const aud = body.aud;
    if (typeof aud === "string") claims.aud = aud;
    else if (Array.isArray(aud) && aud.every((a) => typeof a === "string"))
      claims.aud = Object.freeze([...aud]);
    for (const name of STRING_CLAIMS) {
      const value = body[name];
      if (typeof value === "string") claims[name] = value;
    }
    for (const name of TIME_CLAIMS) {
      const value = body[name];
      if (typeof value === "number" && Number.isFinite(value)) claims[name] = value;
    }
    const roles = body.roles;
    if (Array.isArray(roles) && roles.every((r) => typeof r === "string"))
      claims.roles = Object.freeze([...roles]);
    return Object.freeze(claims) as JwtClaims;
  } catch {
    return undefined;
  }
}

function decodeSegment(segment: string): unknown {
  if (segment === "" || !/^[A-Za-z0-9_-]+={0,2}$/.test(segment)) return undefined;
  return JSON.parse(Buffer.from(segment, "base64url").toString("utf8"));
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
