import { generateKeyPair, randomUUID, sign, verify } from "node:crypto";
import { promisify } from "node:util";
import { preciseNow } from "./preciseNow.js";

/** The claims of a token issued by the emulator: those of an Entra ID v1 managed-identity access token. */
export interface TokenClaims {
  /** The resource, without `/.default`, e.g. `https://cognitiveservices.azure.com`. */
  readonly aud: string;
  /** `https://sts.windows.net/<tenantId>/` */
  readonly iss: string;
  readonly tid: string;
  readonly oid: string;
  readonly sub: string;
  /** Client (application) id of the identity. */
  readonly appid: string;
  readonly idtyp: string;
  readonly ver: "1.0";
  /** Seconds since the Unix epoch. */
  readonly iat: number;
  readonly nbf: number;
  readonly exp: number;
  /** Unique token id. */
  readonly jti: string;
  readonly [claim: string]: unknown;
}

export interface IssueTokenOptions {
  /** Resource or scope; a trailing `/.default` is dropped. Default `https://cognitiveservices.azure.com`. */
  readonly audience?: string;
  /** Default: the emulator's `tokenLifetimeSeconds`. Negative: already expired. */
  readonly lifetimeSeconds?: number;
  /** `nbf` this many seconds after now (a token not valid yet). Default 0. */
  readonly notBeforeSeconds?: number;
  readonly tenantId?: string;
  readonly clientId?: string;
  readonly objectId?: string;
  /** More claims, or overrides. */
  readonly claims?: Readonly<Record<string, unknown>>;
  /** Corrupt the signature (for "bad signature" tests). */
  readonly badSignature?: boolean;
}

/** A minted token, shaped like `@azure/core-auth`'s `AccessToken` plus its claims. */
export interface IssuedToken {
  readonly token: string;
  /** Milliseconds since the Unix epoch. */
  readonly expiresOnTimestamp: number;
  readonly tokenType: "Bearer";
  readonly claims: TokenClaims;
}

export type VerifyTokenResult =
  | {
      readonly ok: true;
      readonly claims: TokenClaims;
      /**
       * When the token was issued, in milliseconds since the Unix epoch: exact (fractional) for a token this
       * authority issued (`iat` has whole seconds only), else `iat` × 1000. Optional for other verifiers.
       */
      readonly issuedAt?: number;
    }
  /** `claims` are present when the signature was good (e.g. an expired token's `jti` and `exp`). */
  | { readonly ok: false; readonly reason: string; readonly claims?: TokenClaims };

export interface VerifyTokenOptions {
  /** Accepted audience(s); compared without `/.default` and a trailing `/`. */
  readonly audience: string | readonly string[];
  /** Milliseconds since the Unix epoch. Default `Date.now()`. */
  readonly now?: number;
}

/** Checks a bearer token: what a resource (the Foundry emulator) needs from the identity provider. */
export interface TokenVerifier {
  verifyToken(token: string, options: VerifyTokenOptions): VerifyTokenResult;
}

export interface TokenAuthority extends TokenVerifier {
  /** PEM (SPKI) public key that verifies the RS256 signatures. */
  readonly publicKey: string;
  /** Key id in the tokens' header. */
  readonly keyId: string;
  readonly issuer: string;
  issueToken(options?: IssueTokenOptions): IssuedToken;
}

export interface TokenAuthorityOptions {
  readonly tenantId: string;
  readonly clientId: string;
  readonly objectId: string;
  /** Read on each issue, so a caller may change it. */
  readonly lifetimeSeconds: () => number;
}

export const DEFAULT_AUDIENCE = "https://cognitiveservices.azure.com";

/** The resource a scope or resource names: without `/.default`. */
export function resourceOf(scopeOrResource: string): string {
  return scopeOrResource.replace(/\/\.default$/, "");
}

const normalizeAudience = (aud: string) => resourceOf(aud).replace(/\/+$/, "");
const b64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
const issuerOf = (tenantId: string) => `https://sts.windows.net/${tenantId}/`;
/** How many issue times (by `jti`) an authority remembers; older tokens fall back to `iat`. */
const REMEMBERED_ISSUE_TIMES = 10_000;

/** An RS256 token issuer and verifier with a key pair generated for this process. */
export async function createTokenAuthority(options: TokenAuthorityOptions): Promise<TokenAuthority> {
  const { publicKey, privateKey } = await promisify(generateKeyPair)("rsa", { modulusLength: 2048 });
  const publicKeyPem = publicKey.export({ type: "spki", format: "pem" }).toString();
  const keyId = randomUUID().replaceAll("-", "").slice(0, 16);
  const issuer = issuerOf(options.tenantId);
  // Exact issue times by jti, so that a revocation (Foundry's revokeTokens) refuses a token issued earlier
  // in the same second and accepts one issued later.
  const issuedAt = new Map<string, number>();
  const remember = (jti: unknown, at: number) => {
    if (typeof jti !== "string") return;
    issuedAt.delete(jti);
    issuedAt.set(jti, at);
    if (issuedAt.size > REMEMBERED_ISSUE_TIMES) issuedAt.delete(issuedAt.keys().next().value as string);
  };

  return {
    publicKey: publicKeyPem,
    keyId,
    issuer,
    issueToken(o = {}) {
      const at = preciseNow();
      const now = Math.floor(Date.now() / 1000);
      const tenantId = o.tenantId ?? options.tenantId;
      const objectId = o.objectId ?? options.objectId;
      const claims: TokenClaims = {
        aud: resourceOf(o.audience ?? DEFAULT_AUDIENCE),
        iss: issuerOf(tenantId),
        iat: now,
        nbf: now + (o.notBeforeSeconds ?? 0),
        exp: now + (o.lifetimeSeconds ?? options.lifetimeSeconds()),
        tid: tenantId,
        oid: objectId,
        sub: objectId,
        appid: o.clientId ?? options.clientId,
        idtyp: "app",
        ver: "1.0",
        jti: randomUUID(),
        ...o.claims,
      };
      const signingInput = `${b64url({ typ: "JWT", alg: "RS256", kid: keyId })}.${b64url(claims)}`;
      const signature = sign("sha256", Buffer.from(signingInput), privateKey);
      if (o.badSignature) signature[0] = (signature[0] ?? 0) ^ 0xff;
      const token = `${signingInput}.${signature.toString("base64url")}`;
      if (!o.badSignature && o.claims?.iat === undefined) remember(claims.jti, at);
      return { token, expiresOnTimestamp: claims.exp * 1000, tokenType: "Bearer", claims };
    },
    verifyToken(token, { audience, now = Date.now() }) {
      const parts = token.split(".");
      const [header, payload, signature] = parts;
      if (parts.length !== 3 || !header || !payload || !signature)
        return { ok: false, reason: "malformed token" };
      let alg: unknown;
      let claims: TokenClaims;
      try {
        alg = (JSON.parse(Buffer.from(header, "base64url").toString()) as { alg?: unknown }).alg;
        claims = JSON.parse(Buffer.from(payload, "base64url").toString()) as TokenClaims;
      } catch {
        return { ok: false, reason: "malformed token" };
      }
      if (alg !== "RS256") return { ok: false, reason: `unsupported algorithm: ${String(alg)}` };
      const good = verify(
        "sha256",
        Buffer.from(`${header}.${payload}`),
        publicKey,
        Buffer.from(signature, "base64url"),
      );
      if (!good) return { ok: false, reason: "bad signature" };
      const seconds = Math.floor(now / 1000);
      const fail = (reason: string) => ({ ok: false as const, reason, claims });
      if (typeof claims.exp !== "number" || seconds >= claims.exp) return fail("expired");
      if (typeof claims.nbf === "number" && seconds < claims.nbf) return fail("not yet valid");
      const expected = typeof audience === "string" ? [audience] : audience;
      if (!expected.map(normalizeAudience).includes(normalizeAudience(String(claims.aud)))) {
        return fail(`audience mismatch: expected ${expected.join(" or ")}, got ${String(claims.aud)}`);
      }
      if (claims.iss !== issuer)
        return fail(`issuer mismatch: expected ${issuer}, got ${String(claims.iss)}`);
      // What Azure's resource side reads to authorize the caller: the tenant, the principal, the application.
      const missing = (["tid", "oid", "appid"] as const).filter(
        (name) => typeof claims[name] !== "string" || claims[name] === "",
      );
      if (missing.length > 0) return fail(`missing claim: ${missing.join(", ")}`);
      if (issuerOf(claims.tid) !== issuer)
        return fail(`tenant mismatch: the token's tid ${claims.tid} is not the issuer's tenant`);
      if (typeof claims.iat !== "number") return { ok: true, claims };
      return { ok: true, claims, issuedAt: issuedAt.get(claims.jti) ?? claims.iat * 1000 };
    },
  };
}
