// Renewal of a refused token with the real @azure/identity 4.13.1 against this repository's emulators, in this
// process, on an injected clock: the authority emulator for the confidential clients (reached through
// authorityTransport: NODE_EXTRA_CA_CERTS is only read at process start), the managed-identity emulator (App
// Service protocol) and the fake `az` for the others. MSAL's managed-identity cache is process-wide and keyed by
// resource, so the managed-identity test asks for a scope of its own.
import {
  AzureCliCredential,
  ClientSecretCredential,
  ManagedIdentityCredential,
  WorkloadIdentityCredential,
} from "@azure/identity";
import type { ProviderCredential } from "@copilot-byok/core";
import { ManualClock } from "@copilot-byok/test-utils/ManualClock";
import {
  createFakeAzureCli,
  type EntraAuthorityEmulator,
  type FakeAzureCli,
  setProcessEnv,
  startEntraAuthorityEmulator,
  withIdentityEnv,
} from "@copilot-byok/testing";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { EntraIdProviderConfigSource } from "./EntraIdProviderConfigSource.js";
import { readJwtClaims } from "./readJwtClaims.js";
import { renewalClaims } from "./renewalClaims.js";
import { authorityTransport, servicePrincipalEnv } from "./test-support/authorityTransport.js";
import { freshScope } from "./test-support/freshScope.js";
import { useManagedIdentityEmulator } from "./test-support/useManagedIdentityEmulator.js";

const BASE_URL = "https://r.openai.azure.com/openai/v1/";
const SCOPE = "https://cognitiveservices.azure.com/.default";
const mi = useManagedIdentityEmulator();
let authority: EntraAuthorityEmulator;

beforeAll(async () => {
  authority = await startEntraAuthorityEmulator();
});
afterAll(() => authority?.close());
beforeEach(() => authority.reset());

/** Gets a token, renews it as after a 401, and says what the token endpoint saw. */
async function refuseAndRenew(source: EntraIdProviderConfigSource, issued: () => number) {
  const first = await source.getCredential();
  const before = issued();
  const renewed = await source.renewCredential({ credential: first, status: 401 });
  const requests = issued() - before;
  // Another 401 of the first token (a request sent before the renewal) renews nothing more.
  const again = await source.renewCredential({ credential: first, status: 401 });
  return { first, renewed, requests, again, after: issued() - before };
}

const expiryOf = (credential: ProviderCredential) => (readJwtClaims(credential.value)?.exp ?? 0) * 1000;

describe("renewal past the cache: confidential clients of @azure/identity", { timeout: 30_000 }, () => {
  it("service principal (ClientSecretCredential): a new token, from one more token request", async () => {
    const env = servicePrincipalEnv(authority);
    const credential = new ClientSecretCredential(
      env.AZURE_TENANT_ID ?? "",
      env.AZURE_CLIENT_ID ?? "",
      env.AZURE_CLIENT_SECRET ?? "",
      authorityTransport(authority),
    );
    const source = new EntraIdProviderConfigSource({
      baseUrl: BASE_URL,
      credential,
      clock: new ManualClock(Date.now()),
    });
    const { first, renewed, requests, again, after } = await refuseAndRenew(
      source,
      () => authority.tokensIssued,
    );
    expect(renewed.value).not.toBe(first.value);
    expect(requests).toBe(1);
    expect(authority.verifyToken(renewed.value, { audience: SCOPE }).ok).toBe(true);
    // MSAL's expiry: the answer's expires_in from its own clock, within a second or two of the token's exp.
    expect(Math.abs((renewed.expiresOn ?? 0) - expiryOf(renewed))).toBeLessThan(5_000);
    expect([again.value, after]).toEqual([renewed.value, 1]);
    expect((await source.getCredential()).value).toBe(renewed.value);
    expect(source.tokenCache.renewalPlan(SCOPE).method).toBe("claims");
    source.dispose();
  });

  it("workload identity (WorkloadIdentityCredential): a new token, from one more token exchange", async () => {
    const credential = new WorkloadIdentityCredential({
      tenantId: authority.tenantId,
      clientId: authority.workloadIdentity.clientId,
      tokenFilePath: authority.federatedTokenFile,
      ...authorityTransport(authority),
    });
    const source = new EntraIdProviderConfigSource({
      baseUrl: BASE_URL,
      credential,
      clock: new ManualClock(Date.now()),
    });
    const { first, renewed, requests, after } = await refuseAndRenew(source, () => authority.tokensIssued);
    expect(renewed.value).not.toBe(first.value);
    expect([requests, after]).toEqual([1, 1]);
    expect(authority.requests.map((r) => [r.credential, r.status])).toEqual([
      ["client-assertion", 200],
      ["client-assertion", 200],
    ]);
    source.dispose();
  });

  it("without claims MSAL answers from its cache: the claims challenge is what passes it by", async () => {
    const env = servicePrincipalEnv(authority);
    const credential = new ClientSecretCredential(
      env.AZURE_TENANT_ID ?? "",
      env.AZURE_CLIENT_ID ?? "",
      env.AZURE_CLIENT_SECRET ?? "",
      authorityTransport(authority),
    );
    const a = await credential.getToken(SCOPE);
    expect((await credential.getToken(SCOPE)).token).toBe(a.token);
    expect(authority.tokensIssued).toBe(1);
    const b = await credential.getToken(SCOPE, { claims: renewalClaims(Date.now()) });
    expect(b.token).not.toBe(a.token);
    expect(authority.tokensIssued).toBe(2);
    // MSAL caches the new token: asked as usual, it answers it.
    expect((await credential.getToken(SCOPE)).token).toBe(b.token);
  });

  it("DefaultAzureCredential answered by EnvironmentCredential: learns so, and gets a new token", async () => {
    const vars = { ...servicePrincipalEnv(authority), AZURE_TOKEN_CREDENTIALS: "EnvironmentCredential" };
    const source = new EntraIdProviderConfigSource({
      baseUrl: BASE_URL,
      defaultCredentialOptions: authorityTransport(authority),
      clock: new ManualClock(Date.now()),
    });
    const outcome = await withIdentityEnv(vars, () => refuseAndRenew(source, () => authority.tokensIssued));
    expect(source.tokenCache.status(SCOPE).answeredBy).toBe("EnvironmentCredential");
    expect(outcome.renewed.value).not.toBe(outcome.first.value);
    expect([outcome.requests, outcome.after]).toEqual([1, 1]);
    source.dispose();
  });
});

describe("renewal that cannot pass the cache", { timeout: 30_000 }, () => {
  it("managed identity (DefaultAzureCredential): the same token, no token request; the 401 is explained", async () => {
    const scope = freshScope();
    const clock = new ManualClock(Date.now());
    const source = new EntraIdProviderConfigSource({
      baseUrl: "http://127.0.0.1:9/openai/v1/",
      scope,
      clock,
    });
    const outcome = await mi.withManagedIdentityEnv(mi.emulator.env("app-service"), () =>
      refuseAndRenew(source, () => mi.emulator.tokensIssued),
    );
    expect(mi.emulator.tokensIssued).toBe(1);
    expect(outcome.renewed.value).toBe(outcome.first.value);
    expect([outcome.requests, outcome.after]).toEqual([0, 0]);
    expect(source.tokenCache.status(scope).answeredBy).toBe("ManagedIdentityCredential");
    // A new credential instance reads the same process-wide MSAL cache.
    const fresh = await mi.withManagedIdentityEnv(mi.emulator.env("app-service"), () =>
      new ManagedIdentityCredential().getToken(scope),
    );
    expect(fresh.token).toBe(outcome.first.value);
    expect(mi.emulator.tokensIssued).toBe(1);
    const lines = source.explainRejection(outcome.first, 401);
    expect(lines[0]).toMatch(
      /^the provider rejected a token that expires in 5\d min by this machine's clock/,
    );
    expect(lines.at(-1)).toContain(
      "hands back the same token until MSAL refreshes it (it answered for DefaultAzureCredential): no other token can be had before then, so the request is not replayed",
    );
    expect(lines.join("\n")).not.toContain(outcome.first.value);
    source.dispose();
  });

  describe("the Azure CLI", () => {
    let az: FakeAzureCli;
    let restorePath: () => void;
    beforeAll(async () => {
      az = await createFakeAzureCli({ emulator: mi.emulator });
      restorePath = setProcessEnv({ PATH: az.env.PATH });
    });
    afterAll(async () => {
      restorePath?.();
      await az?.cleanup();
    });
    const cliRequests = () => mi.emulator.requests.filter((r) => r.protocol === "azure-cli").length;

    it("AzureCliCredential throws when given claims", async () => {
      const error = await new AzureCliCredential()
        .getToken(SCOPE, { claims: renewalClaims(Date.now()) })
        .catch((e: unknown) => e);
      expect(error).toMatchObject({
        name: "CredentialUnavailableError",
        message: expect.stringContaining("This credential doesn't support claims challenges"),
      });
      expect(cliRequests()).toBe(0);
    });

    it("DefaultAzureCredential answered by AzureCliCredential: asked again without claims, so az answers", async () => {
      const source = new EntraIdProviderConfigSource({
        baseUrl: BASE_URL,
        clock: new ManualClock(Date.now()),
      });
      const outcome = await withIdentityEnv({ AZURE_TOKEN_CREDENTIALS: "AzureCliCredential" }, () =>
        refuseAndRenew(source, cliRequests),
      );
      expect(source.tokenCache.status(SCOPE).answeredBy).toBe("AzureCliCredential");
      expect(source.tokenCache.renewalPlan(SCOPE).method).toBe("plain");
      // This fake az has no cache of its own: each call is a new token (the real az answers from its cache).
      expect(outcome.renewed.value).not.toBe(outcome.first.value);
      expect([outcome.requests, outcome.after]).toEqual([1, 1]);
      source.dispose();
    });
  });
});
