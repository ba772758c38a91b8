import { lstat, mkdtemp, readFile, readlink, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FederatedTokenFile, TOKEN_EXCHANGE_AUDIENCE } from "./FederatedTokenFile.js";

let root: string;
let file: FederatedTokenFile;
const ISSUER = "https://oidc.example/tenant/issuer/";
const SUBJECT = "system:serviceaccount:apps:api";
const claimsOf = (jwt: string) => JSON.parse(Buffer.from(jwt.split(".")[1] ?? "", "base64url").toString());

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "federated-token-file-"));
  file = await FederatedTokenFile.create({ dir: join(root, "tokens"), issuer: ISSUER, subject: SUBJECT });
});
afterAll(() => rm(root, { recursive: true, force: true }));

describe("FederatedTokenFile", () => {
  it("lays the file out as a kubelet projected volume: <name> -> ..data/<name>, ..data -> ..<timestamp>", async () => {
    expect(file.path).toBe(join(root, "tokens", "azure-identity-token"));
    expect(await readlink(file.path)).toBe(join("..data", "azure-identity-token"));
    const data = await readlink(join(file.dir, "..data"));
    expect(data).toMatch(/^\.\.\d{4}_\d\d_\d\d_\d\d_\d\d_\d\d\.\d{9}$/);
    expect((await lstat(join(file.dir, data))).isDirectory()).toBe(true);
    expect(await file.entries()).toEqual(["..data", data, "azure-identity-token"].sort());
  });

  it("holds a signed service-account assertion for the token exchange audience", async () => {
    const jwt = await file.read();
    const claims = claimsOf(jwt);
    expect(claims).toMatchObject({
      iss: ISSUER,
      sub: SUBJECT,
      aud: [TOKEN_EXCHANGE_AUDIENCE],
      jti: file.current.id,
    });
    expect(claims["kubernetes.io"]).toMatchObject({ namespace: "apps", serviceaccount: { name: "api" } });
    expect(claims.exp * 1000).toBe(file.current.expiresAt);
    expect(claims.exp).toBeGreaterThan(claims.iat);
    expect(file.verify(jwt)).toEqual({ ok: true, claims });
  });

  it("rotates by swapping ..data: new content and id, the old version directory removed", async () => {
    const before = await file.read();
    const oldData = await readlink(join(file.dir, "..data"));
    const next = await file.rotate();
    const after = await readFile(file.path, "utf8");
    expect(after).not.toBe(before);
    expect(next.id).toBe(claimsOf(after).jti);
    expect(file.current).toBe(next);
    const entries = await file.entries();
    expect(entries).not.toContain(oldData);
    expect(entries).not.toContain("..data_tmp");
    expect(entries).toHaveLength(3);
  });

  it("writes an already expired assertion, or one for another subject, when asked", async () => {
    const expired = await file.rotate({ lifetimeSeconds: -60, subject: "system:serviceaccount:x:y" });
    const claims = claimsOf(await file.read());
    expect(expired.expiresAt).toBeLessThan(Date.now());
    expect(claims.sub).toBe("system:serviceaccount:x:y");
    expect(claims.iat).toBeLessThan(claims.exp);
  });

  it("verifies only what its own key signed", async () => {
    const other = await FederatedTokenFile.create({
      dir: join(root, "other"),
      issuer: ISSUER,
      subject: SUBJECT,
    });
    expect(file.verify(await other.read())).toEqual({ ok: false, reason: "bad signature" });
    expect(file.verify("not-a-jwt")).toEqual({ ok: false, reason: "malformed" });
    expect(file.verify("a.b.c.d")).toEqual({ ok: false, reason: "malformed" });
  });
});
