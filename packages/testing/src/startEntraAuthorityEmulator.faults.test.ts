import { existsSync, readFileSync } from "node:fs";
import { inspect } from "node:util";
import { describe, expect, it } from "vitest";
import { startEntraAuthorityEmulator } from "./startEntraAuthorityEmulator.js";
import { requestAuthority } from "./test-support/requestAuthority.js";
import {
  errorOf,
  SCOPE,
  SECRET,
  SP,
  secretForm,
  useAuthorityEmulator,
} from "./test-support/useAuthorityEmulator.js";

const authority = useAuthorityEmulator();

describe("startEntraAuthorityEmulator: faults", () => {
  it("applies scripted faults one per request, with Entra-shaped bodies, then serves normally", async () => {
    authority.emulator.enqueueFaults([
      { status: 429, retryAfter: 7 },
      { status: 500 },
      { malformedBody: true },
    ]);
    const throttled = await requestAuthority(authority.emulator, authority.tokenPath, { form: secretForm() });
    expect([throttled.status, throttled.headers["retry-after"], ...errorOf(throttled.body)]).toEqual([
      429,
      "7",
      "temporarily_unavailable",
      [50196],
    ]);
    expect(
      (await requestAuthority(authority.emulator, authority.tokenPath, { form: secretForm() })).body.error,
    ).toBe("server_error");
    expect(
      (await requestAuthority(authority.emulator, authority.tokenPath, { form: secretForm() })).body.unparsed,
    ).toBeDefined();
    expect(
      (await requestAuthority(authority.emulator, authority.tokenPath, { form: secretForm() })).status,
    ).toBe(200);
    expect(authority.emulator.requests.map((r) => [r.status, r.fault])).toEqual([
      [429, "status 429"],
      [500, "status 500"],
      [200, "malformed body"],
      [200, undefined],
    ]);
  });

  it("issues a token with a fault's lifetime, answers 503 while down, and resets the connection", async () => {
    authority.emulator.enqueueFaults([{ lifetimeSeconds: -5 }, { reset: true }]);
    const expired = await requestAuthority(authority.emulator, authority.tokenPath, { form: secretForm() });
    expect(expired.body.expires_in).toBe(-5);
    expect(
      authority.emulator.verifyToken(String(expired.body.access_token), { audience: SCOPE }),
    ).toMatchObject({
      ok: false,
      reason: "expired",
    });
    await expect(
      requestAuthority(authority.emulator, authority.tokenPath, { form: secretForm() }),
    ).rejects.toThrow();
    authority.emulator.setDown(true);
    expect(
      (await requestAuthority(authority.emulator, authority.tokenPath, { form: secretForm() })).status,
    ).toBe(503);
    authority.emulator.setDown(false);
    expect(
      (await requestAuthority(authority.emulator, authority.tokenPath, { form: secretForm() })).status,
    ).toBe(200);
  });

  it("keeps a hung request open until close() destroys it", async () => {
    const other = await startEntraAuthorityEmulator();
    other.enqueueFaults([{ hang: true }]);
    const hung = requestAuthority(other, `/${other.tenantId}/oauth2/v2.0/token`, { form: secretForm() });
    hung.catch(() => undefined);
    await expect.poll(() => other.requests.length, { timeout: 5000 }).toBe(1);
    await other.close();
    await expect(hung).rejects.toThrow();
    expect(existsSync(other.caCertificatePath)).toBe(false);
  });
});

describe("startEntraAuthorityEmulator: secrets and options", () => {
  it("never shows the secret, an assertion or a token in inspect, JSON, records or errors", async () => {
    await requestAuthority(authority.emulator, authority.tokenPath, { form: secretForm() });
    await requestAuthority(authority.emulator, authority.tokenPath, {
      form: secretForm({ client_secret: `${SECRET}-wrong` }),
    });
    await requestAuthority(authority.emulator, authority.tokenPath, {
      form: authority.assertionForm(authority.currentAssertion()),
    });
    const env = authority.emulator.env("service-principal");
    expect(env.AZURE_CLIENT_SECRET).toBe(SECRET);
    const shown = [
      inspect(authority.emulator, { depth: 10 }),
      JSON.stringify(authority.emulator),
      inspect(env),
      JSON.stringify(env),
      JSON.stringify(authority.emulator.requests),
      inspect(authority.emulator.requests, { depth: 10 }),
    ].join("\n");
    expect(shown).not.toContain(SECRET);
    expect(shown).not.toContain(authority.currentAssertion());
    expect(shown).not.toMatch(/eyJ[\w-]+\.eyJ/);
    expect(inspect(env)).toContain("[REDACTED]");
    expect({ ...env }.AZURE_CLIENT_SECRET).toBe(SECRET); // spreading into a child's env keeps the value
  });

  it("gives the variables of each credential kind and validates what it is asked", () => {
    const common = {
      AZURE_TENANT_ID: authority.emulator.tenantId,
      HTTPS_PROXY: authority.emulator.proxyUrl,
      NO_PROXY: "127.0.0.1,localhost,::1",
      NODE_EXTRA_CA_CERTS: authority.emulator.caCertificatePath,
    };
    expect({ ...authority.emulator.env("service-principal") }).toEqual({
      ...common,
      AZURE_CLIENT_ID: SP,
      AZURE_CLIENT_SECRET: SECRET,
    });
    expect({ ...authority.emulator.env("workload-identity") }).toEqual({
      ...common,
      AZURE_CLIENT_ID: authority.emulator.workloadIdentity.clientId,
      AZURE_FEDERATED_TOKEN_FILE: authority.emulator.federatedTokenFile,
      AZURE_AUTHORITY_HOST: "https://login.microsoftonline.com/",
    });
    expect(readFileSync(authority.emulator.caCertificatePath, "utf8")).toBe(authority.emulator.caCertificate);
    expect(() => authority.emulator.env("managed" as never)).toThrow(
      'unknown kind "managed"; accepted: service-principal, workload-identity',
    );
    expect(() => authority.emulator.env("service-principal", { clientId: "x" })).toThrow(`accepted: ${SP}`);
    expect(() =>
      authority.emulator.env("service-principal", { authorityHost: "https://login.microsoftonline.us" }),
    ).toThrow(
      "accepted: https://login.microsoftonline.com, https://login.windows.net, https://login.microsoft.com, https://sts.windows.net",
    );
  });

  it("refuses a tenant other than its authority's", async () => {
    await expect(
      startEntraAuthorityEmulator({
        tenantId: "other",
        authority: { ...authority.emulator, issuer: "https://sts.windows.net/t/" },
      }),
    ).rejects.toThrow("tenantId other is not the authority's tenant (t)");
  });
});
