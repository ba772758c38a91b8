import { readFile } from "node:fs/promises";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { JWT_BEARER_ASSERTION_TYPE } from "./checkClientCredentials.js";
import { type EntraAuthorityEmulator, startEntraAuthorityEmulator } from "./startEntraAuthorityEmulator.js";
import { requestAuthority } from "./test-support/requestAuthority.js";
import { type CredentialProcessResult, runCredentialProcess } from "./test-support/runCredentialProcess.js";

// The real @azure/identity 4.13 (DefaultAzureCredential) in child processes: NODE_EXTRA_CA_CERTS is only read
// at process start, and MSAL's token cache is per process, so each token request gets a new process.
const SCOPE = "https://cognitiveservices.azure.com/.default";
let emulator: EntraAuthorityEmulator;

beforeAll(async () => {
  emulator = await startEntraAuthorityEmulator();
});
afterAll(() => emulator.close());
beforeEach(() => emulator.reset());

/** The token's claims once the authority verified it (the token itself is never shown). */
function verifiedClaims(result: CredentialProcessResult) {
  if (!result.ok) throw new Error(`getToken failed: ${result.name}: ${result.message}`);
  const verified = emulator.verifyToken(result.token, { audience: SCOPE });
  if (!verified.ok) throw new Error(`the token did not verify: ${verified.reason}`);
  return verified.claims;
}
const tokenPath = () => `/${emulator.tenantId}/oauth2/v2.0/token`;
const served = () =>
  emulator.requests.map((r) => [r.method, r.host, r.path, r.credential, r.status, r.errorCode]);
const tunnels = () => emulator.proxyRequests.map((r) => [r.method, r.target, r.tunnelled]);

describe("the real DefaultAzureCredential against the authority emulator", { timeout: 60_000 }, () => {
  it("service principal: gets a token the authority verifies, from one POST through the proxy", async () => {
    const claims = verifiedClaims(await runCredentialProcess(emulator.env("service-principal")));
    const [sp] = emulator.servicePrincipals;
    expect(claims).toMatchObject({
      aud: "https://cognitiveservices.azure.com",
      tid: emulator.tenantId,
      appid: sp?.clientId,
      oid: sp?.objectId,
    });
    // MSAL knows login.microsoftonline.com's metadata: no OpenID or instance discovery.
    expect(served()).toEqual([
      ["POST", "login.microsoftonline.com", tokenPath(), "client-secret", 200, undefined],
    ]);
    expect(emulator.requests[0]).toMatchObject({
      grantType: "client_credentials",
      scope: SCOPE,
      tokenId: claims.jti,
    });
    expect(tunnels()).toEqual([["CONNECT", "login.microsoftonline.com:443", true]]);
  });

  it("service principal with a wrong secret: fails with AADSTS7000215", async () => {
    const env = { ...emulator.env("service-principal"), AZURE_CLIENT_SECRET: "not-the-secret" };
    const result = await runCredentialProcess(env);
    expect(result.ok).toBe(false);
    expect(!result.ok && [result.name, result.message]).toEqual([
      "AuthenticationError",
      expect.stringContaining("AADSTS7000215: Invalid client secret provided."),
    ]);
    expect(served()).toEqual([
      ["POST", "login.microsoftonline.com", tokenPath(), "client-secret", 401, 7000215],
    ]);
  });

  it("workload identity: gets a token for the assertion in the token file", async () => {
    const claims = verifiedClaims(await runCredentialProcess(emulator.env("workload-identity")));
    expect(claims).toMatchObject({
      appid: emulator.workloadIdentity.clientId,
      oid: emulator.workloadIdentity.objectId,
    });
    expect(served()).toEqual([
      ["POST", "login.microsoftonline.com", tokenPath(), "client-assertion", 200, undefined],
    ]);
    expect(emulator.requests[0]?.assertionId).toBe(emulator.federatedToken.id);
    expect(tunnels()).toEqual([["CONNECT", "login.microsoftonline.com:443", true]]);
  });

  it("workload identity after a kubelet-style rotation: the next process presents the new assertion; the old one is refused", async () => {
    const old = await readFile(emulator.federatedTokenFile, "utf8");
    const before = emulator.federatedToken;
    const rotated = await emulator.rotateFederatedToken();
    expect(rotated.id).not.toBe(before.id);
    verifiedClaims(await runCredentialProcess(emulator.env("workload-identity")));
    expect(emulator.requests.map((r) => [r.assertionId, r.status])).toEqual([[rotated.id, 200]]);

    const replay = await requestAuthority(emulator, tokenPath(), {
      form: {
        grant_type: "client_credentials",
        client_id: emulator.workloadIdentity.clientId,
        client_assertion_type: JWT_BEARER_ASSERTION_TYPE,
        client_assertion: old,
        scope: SCOPE,
      },
    });
    expect(replay.body.error_codes).toEqual([70021]);
    expect(emulator.requests.at(-1)).toMatchObject({ assertionId: before.id, errorCode: 70021 });
  });

  it("workload identity with an expired assertion: refused with AADSTS700024", async () => {
    await emulator.rotateFederatedToken({ lifetimeSeconds: -120 });
    try {
      const result = await runCredentialProcess(emulator.env("workload-identity"));
      expect(result.ok).toBe(false);
      expect(!result.ok && result.message).toContain(
        "AADSTS700024: Client assertion is not within its valid time range",
      );
      // DefaultAzureCredential tries WorkloadIdentityCredential, then ManagedIdentityCredential, which, with
      // AZURE_FEDERATED_TOKEN_FILE set, exchanges the same file: two refused token requests.
      expect(served()).toEqual([
        ["POST", "login.microsoftonline.com", tokenPath(), "client-assertion", 400, 700024],
        ["POST", "login.microsoftonline.com", tokenPath(), "client-assertion", 400, 700024],
      ]);
      expect(new Set(tunnels().map(([, target]) => target))).toEqual(
        new Set(["login.microsoftonline.com:443"]),
      );
    } finally {
      await emulator.rotateFederatedToken();
    }
  });

  it("a retried fault: MSAL's client retries a 503 and then gets its token", async () => {
    emulator.enqueueFaults([{ status: 503, retryAfter: 0 }]);
    verifiedClaims(await runCredentialProcess(emulator.env("service-principal")));
    expect(emulator.requests.map((r) => [r.status, r.fault])).toEqual([
      [503, "status 503"],
      [200, undefined],
    ]);
  });
});
