import { describe, expect, it } from "vitest";
import { createTokenAuthority } from "./createTokenAuthority.js";

const ids = { tenantId: "tenant-1", clientId: "client-1", objectId: "object-1", lifetimeSeconds: () => 3600 };
const AUD = "https://cognitiveservices.azure.com";
const authority = await createTokenAuthority(ids);

describe("createTokenAuthority", () => {
  it("issues RS256 tokens with managed-identity claims that verify", () => {
    const issued = authority.issueToken({ audience: `${AUD}/.default` });
    const [header] = issued.token.split(".");
    expect(JSON.parse(Buffer.from(header ?? "", "base64url").toString())).toMatchObject({
      alg: "RS256",
      typ: "JWT",
    });
    expect(issued.claims).toMatchObject({
      aud: AUD,
      iss: "https://sts.windows.net/tenant-1/",
      tid: "tenant-1",
      oid: "object-1",
      appid: "client-1",
    });
    expect(issued.claims.exp - issued.claims.iat).toBe(3600);
    expect(issued.expiresOnTimestamp).toBe(issued.claims.exp * 1000);
    expect(authority.verifyToken(issued.token, { audience: AUD })).toEqual({
      ok: true,
      claims: issued.claims,
      issuedAt: expect.any(Number),
    });
    expect(authority.publicKey).toContain("BEGIN PUBLIC KEY");
  });

  it("reports the exact issue time of its tokens, strictly ordered, and iat × 1000 for a set iat", () => {
    const before = Date.now();
    const [a, b] = [authority.issueToken(), authority.issueToken()];
    const at = (token: string) => {
      const verified = authority.verifyToken(token, { audience: AUD });
      return verified.ok ? verified.issuedAt : undefined;
    };
    const [atA, atB] = [at(a.token) ?? 0, at(b.token) ?? 0];
    expect(atA).toBeLessThan(atB);
    expect(Math.abs(atA - before)).toBeLessThan(1000);
    const iat = Math.floor(Date.now() / 1000) - 60;
    expect(at(authority.issueToken({ claims: { iat } }).token)).toBe(iat * 1000);
  });

  it("gives each token its own jti", () => {
    const a = authority.issueToken();
    const b = authority.issueToken();
    expect(a.claims.jti).not.toBe(b.claims.jti);
  });

  it("compares audiences without /.default and a trailing slash, and accepts any of several", () => {
    const { token } = authority.issueToken({ audience: `${AUD}/` });
    expect(authority.verifyToken(token, { audience: `${AUD}/.default` }).ok).toBe(true);
    expect(authority.verifyToken(token, { audience: ["https://ai.azure.com", AUD] }).ok).toBe(true);
  });

  it.each([
    ["an expired token", { lifetimeSeconds: -5 }, "expired"],
    ["a token not valid yet", { notBeforeSeconds: 600 }, "not yet valid"],
    [
      "another audience",
      { audience: "https://ai.azure.com" },
      `audience mismatch: expected ${AUD}, got https://ai.azure.com`,
    ],
    [
      "another tenant",
      { tenantId: "other" },
      "issuer mismatch: expected https://sts.windows.net/tenant-1/, got https://sts.windows.net/other/",
    ],
  ])("refuses %s and still reports its claims", (_, options, reason) => {
    const issued = authority.issueToken(options);
    expect(authority.verifyToken(issued.token, { audience: AUD })).toEqual({
      ok: false,
      reason,
      claims: issued.claims,
    });
  });

  it("refuses a bad signature, a foreign key, a malformed token and alg none without trusting claims", async () => {
    const forged = authority.issueToken({ badSignature: true }).token;
    expect(authority.verifyToken(forged, { audience: AUD })).toEqual({ ok: false, reason: "bad signature" });
    const other = await createTokenAuthority(ids);
    expect(authority.verifyToken(other.issueToken().token, { audience: AUD })).toEqual({
      ok: false,
      reason: "bad signature",
    });
    expect(authority.verifyToken("not-a-jwt", { audience: AUD })).toEqual({
      ok: false,
      reason: "malformed token",
    });
    expect(authority.verifyToken("a.b.c", { audience: AUD })).toEqual({
      ok: false,
      reason: "malformed token",
    });
    const [, payload] = authority.issueToken().token.split(".");
    const none = `${Buffer.from('{"alg":"none"}').toString("base64url")}.${payload}.x`;
    expect(authority.verifyToken(none, { audience: AUD })).toEqual({
      ok: false,
      reason: "unsupported algorithm: none",
    });
  });

  it("checks expiry against the given clock", () => {
    const { token, claims } = authority.issueToken({ lifetimeSeconds: 60 });
    expect(authority.verifyToken(token, { audience: AUD, now: claims.exp * 1000 - 1000 }).ok).toBe(true);
    expect(authority.verifyToken(token, { audience: AUD, now: claims.exp * 1000 })).toMatchObject({
      reason: "expired",
    });
  });

  it("refuses a token without the tenant, principal or application claims, or for another tenant", () => {
    const without = authority.issueToken({ claims: { oid: undefined, appid: "" } }).token;
    expect(authority.verifyToken(without, { audience: AUD })).toMatchObject({
      ok: false,
      reason: "missing claim: oid, appid",
    });
    const foreign = authority.issueToken({ claims: { tid: "tenant-2" } }).token;
    expect(authority.verifyToken(foreign, { audience: AUD })).toMatchObject({
      ok: false,
      reason: "tenant mismatch: the token's tid tenant-2 is not the issuer's tenant",
    });
  });
});
