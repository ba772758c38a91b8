import { describe, expect, it } from "vitest";
import { CredentialRevocations } from "./CredentialRevocations.js";

const T = Date.parse("2030-01-01T00:00:00.000Z");
const token = (jti: string, oid: string, issuedAt: number | undefined, iat = Math.floor(T / 1000)) => ({
  claims: { jti, oid, iat },
  issuedAt,
});

describe("CredentialRevocations", () => {
  it("refuses tokens issued at or before the revocation, not those issued after", () => {
    const r = new CredentialRevocations();
    expect(r.refusal(token("a", "o", T))).toBeUndefined();
    r.revoke({}, T);
    expect(r.refusal(token("a", "o", T - 1))).toBe(
      "token revoked (issued 2029-12-31T23:59:59.999Z, tokens issued until 2030-01-01T00:00:00.000Z are revoked)",
    );
    expect(r.refusal(token("b", "o", T))).toMatch(/^token revoked/);
    expect(r.refusal(token("c", "o", T + 0.001))).toBeUndefined();
    r.clear();
    expect(r.refusal(token("a", "o", T - 1))).toBeUndefined();
  });

  it("falls back to iat, and covers a token of unknown issue time", () => {
    const r = new CredentialRevocations();
    r.revoke({}, T + 500);
    expect(r.refusal(token("a", "o", undefined))).toMatch(/issued 2030-01-01T00:00:00.000Z/);
    expect(r.refusal(token("b", "o", undefined, Math.floor(T / 1000) + 1))).toBeUndefined();
    expect(r.refusal({ claims: { jti: "c" } })).toMatch(/issued at an unknown time/);
  });

  it("narrows a revocation to token ids and a principal, all criteria together", () => {
    const r = new CredentialRevocations();
    r.revoke({ tokenIds: ["a", "b"], objectId: "o1" }, T);
    expect(r.refusal(token("a", "o1", T - 1))).toBeDefined();
    expect(r.refusal(token("a", "o2", T - 1))).toBeUndefined();
    expect(r.refusal(token("c", "o1", T - 1))).toBeUndefined();
    r.revoke({ objectId: "o2", issuedBefore: T + 60_000 }, T);
    expect(r.refusal(token("z", "o2", T + 30_000))).toBeDefined();
    expect(r.refusal(token("z", "o2", T + 90_000))).toBeUndefined();
    expect(r.refusal(token("z", "o3", T + 30_000))).toBeUndefined();
  });
});
