/**
 * Which bearer tokens a revocation refuses. The criteria given must all match; a token issued after
 * `issuedBefore` is never refused, so a token fetched after the revocation works.
 */
export interface TokenRevocationFilter {
  /** Only these tokens (`jti`). */
  readonly tokenIds?: readonly string[];
  /** Only the tokens of this principal (`oid`). */
  readonly objectId?: string;
  /**
   * Tokens issued at or before this time, in milliseconds since the Unix epoch. Default: the time of the
   * revocation. A later time also refuses the tokens issued until then.
   */
  readonly issuedBefore?: number;
}

/** What a revocation is checked against: a verified token's claims, and its exact issue time when known. */
export interface RevocableToken {
  readonly claims: Readonly<Record<string, unknown>>;
  /** Milliseconds since the Unix epoch (the verifier's `issuedAt`); default `iat` × 1000. */
  readonly issuedAt?: number | undefined;
}

const iso = (ms: number) => (Number.isFinite(ms) ? new Date(ms).toISOString() : "at an unknown time");

interface Revocation {
  readonly tokenIds: ReadonlySet<string> | undefined;
  readonly objectId: string | undefined;
  readonly issuedBefore: number;
}

/** The token revocations of a resource: Continuous Access Evaluation's "revoked before" in miniature. */
export class CredentialRevocations {
  #revocations: Revocation[] = [];

  revoke(filter: TokenRevocationFilter = {}, now = Date.now()): void {
    this.#revocations.push({
      tokenIds: filter.tokenIds ? new Set(filter.tokenIds) : undefined,
      objectId: filter.objectId,
      issuedBefore: filter.issuedBefore ?? now,
    });
  }

  /**
   * Why `token` is refused (`token revoked (issued …, tokens issued until … are revoked)`), `undefined` when no
   * revocation covers it. A token without a known issue time is covered by any revocation.
   */
  refusal({ claims, issuedAt }: RevocableToken): string | undefined {
    const at = issuedAt ?? (typeof claims.iat === "number" ? claims.iat * 1000 : Number.NEGATIVE_INFINITY);
    const match = this.#revocations.find(
      (r) =>
        at <= r.issuedBefore &&
        (r.objectId === undefined || r.objectId === claims.oid) &&
        (r.tokenIds === undefined || (typeof claims.jti === "string" && r.tokenIds.has(claims.jti))),
    );
    return (
      match && `token revoked (issued ${iso(at)}, tokens issued until ${iso(match.issuedBefore)} are revoked)`
    );
  }

  clear(): void {
    this.#revocations = [];
  }
}
