import { existsSync, readFileSync } from "node:fs";
import { inspect } from "node:util";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { JWT_BEARER_ASSERTION_TYPE } from "./checkClientCredentials.js";
import { type EntraAuthorityEmulator, startEntraAuthorityEmulator } from "./startEntraAuthorityEmulator.js";
import { requestAuthority } from "./test-support/requestAuthority.js";

const SECRET = "sp-secret-value-for-tests";
const SP = "aaaaaaaa-0000-4000-8000-000000000001";
const SCOPE = "https://cognitiveservices.azure.com/.default";
let emulator: EntraAuthorityEmulator;
let tokenPath: string;

beforeAll(async () => {
  emulator = await startEntraAuthorityEmulator({
    servicePrincipals: [
      { clientId: SP, clientSecret: SECRET, objectId: "bbbbbbbb-0000-4000-8000-000000000002" },
    ],
  });
  tokenPath = `/${emulator.tenantId}/oauth2/v2.0/token`;
});
afterAll(() => emulator.close());
beforeEach(() => emulator.reset());

const secretForm = (o: Record<string, string> = {}) => ({
  grant_type: "client_credentials",
  client_id: SP,
  client_secret: SECRET,
  scope: SCOPE,
  ...o,
});
const assertionForm = (assertion: string, o: Record<string, string> = {}) => ({
  grant_type: "client_credentials",
  client_id: emulator.workloadIdentity.clientId,
  client_assertion_type: JWT_BEARER_ASSERTION_TYPE,
  client_assertion: assertion,
  scope: SCOPE,
  ...o,
});
const currentAssertion = () => readFileSync(emulator.federatedTokenFile, "utf8");
const errorOf = (body: Record<string, unknown>) => [body.error, body.error_codes];

describe("startEntraAuthorityEmulator: faults", () => {
  it("applies scripted faults one per request, with Entra-shaped bodies, then serves normally", async () => {
    emulator.enqueueFaults([{ status: 429, retryAfter: 7 }, { status: 500 }, { malformedBody: true }]);
    const throttled = await requestAuthority(emulator, tokenPath, { form: secretForm() });
    expect([throttled.status, throttled.headers["retry-after"], ...errorOf(throttled.body)]).toEqual([
      429,
      "7",
      "temporarily_unavailable",
      [50196],
    ]);
    expect((await requestAuthority(emulator, tokenPath, { form: secretForm() })).body.error).toBe(
      "server_error",
    );
    expect((await requestAuthority(emulator, tokenPath, { form: secretForm() })).body.unparsed).toBeDefined();
    expect((await requestAuthority(emulator, tokenPath, { form: secretForm() })).status).toBe(200);
    expect(emulator.requests.map((r) => [r.status, r.fault])).toEqual([
      [429, "status 429"],
      [500, "status 500"],
      [200, "malformed body"],
      [200, undefined],
    ]);
  });

  it("issues a token with a fault's lifetime, answers 503 while down, and resets the connection", async () => {
    emulator.enqueueFaults([{ lifetimeSeconds: -5 }, { reset: true }]);
    const expired = await requestAuthority(emulator, tokenPath, { form: secretForm() });
    expect(expired.body.expires_in).toBe(-5);
    expect(emulator.verifyToken(String(expired.body.access_token), { audience: SCOPE })).toMatchObject({
      ok: false,
      reason: "expired",
    });
    await expect(requestAuthority(emulator, tokenPath, { form: secretForm() })).rejects.toThrow();
    emulator.setDown(true);
    expect((await requestAuthority(emulator, tokenPath, { form: secretForm() })).status).toBe(503);
    emulator.setDown(false);
    expect((await requestAuthority(emulator, tokenPath, { form: secretForm() })).status).toBe(200);
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
    await requestAuthority(emulator, tokenPath, { form: secretForm() });
    await requestAuthority(emulator, tokenPath, { form: secretForm({ client_secret: `${SECRET}-wrong` }) });
    await requestAuthority(emulator, tokenPath, { form: assertionForm(currentAssertion()) });
    const env = emulator.env("service-principal");
    expect(env.AZURE_CLIENT_SECRET).toBe(SECRET);
    const shown = [
      inspect(emulator, { depth: 10 }),
      JSON.stringify(emulator),
      inspect(env),
      JSON.stringify(env),
      JSON.stringify(emulator.requests),
      inspect(emulator.requests, { depth: 10 }),
    ].join("\n");
    expect(shown).not.toContain(SECRET);
    expect(shown).not.toContain(currentAssertion());
    expect(shown).not.toMatch(/eyJ[\w-]+\.eyJ/);
    expect(inspect(env)).toContain("[REDACTED]");
    expect({ ...env }.AZURE_CLIENT_SECRET).toBe(SECRET); // spreading into a child's env keeps the value
  });

  it("gives the variables of each credential kind and validates what it is asked", () => {
    const common = {
      AZURE_TENANT_ID: emulator.tenantId,
      HTTPS_PROXY: emulator.proxyUrl,
      NO_PROXY: "127.0.0.1,localhost,::1",
      NODE_EXTRA_CA_CERTS: emulator.caCertificatePath,
    };
    expect({ ...emulator.env("service-principal") }).toEqual({
      ...common,
      AZURE_CLIENT_ID: SP,
      AZURE_CLIENT_SECRET: SECRET,
    });
    expect({ ...emulator.env("workload-identity") }).toEqual({
      ...common,
      AZURE_CLIENT_ID: emulator.workloadIdentity.clientId,
      AZURE_FEDERATED_TOKEN_FILE: emulator.federatedTokenFile,
      AZURE_AUTHORITY_HOST: "https://login.microsoftonline.com/",
    });
    expect(readFileSync(emulator.caCertificatePath, "utf8")).toBe(emulator.caCertificate);
    expect(() => emulator.env("managed" as never)).toThrow(
      'unknown kind "managed"; accepted: service-principal, workload-identity',
    );
    expect(() => emulator.env("service-principal", { clientId: "x" })).toThrow(`accepted: ${SP}`);
    expect(() =>
      emulator.env("service-principal", { authorityHost: "https://login.microsoftonline.us" }),
    ).toThrow(
      "accepted: https://login.microsoftonline.com, https://login.windows.net, https://login.microsoft.com, https://sts.windows.net",
    );
  });

  it("refuses a tenant other than its authority's", async () => {
    await expect(
      startEntraAuthorityEmulator({
        tenantId: "other",
        authority: { ...emulator, issuer: "https://sts.windows.net/t/" },
      }),
    ).rejects.toThrow("tenantId other is not the authority's tenant (t)");
  });
});
