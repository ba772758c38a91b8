import { DefaultAzureCredential, ManagedIdentityCredential } from "@azure/identity";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { setIdentityEnv } from "../setProcessEnv.js";
import {
  type ManagedIdentityEmulator,
  type ManagedIdentityProtocol,
  startManagedIdentityEmulator,
} from "../startManagedIdentityEmulator.js";

/**
 * The real `ManagedIdentityCredential` and `DefaultAzureCredential` against the emulator through one protocol.
 *
 * MSAL keeps process-wide state: the first token request fixes the managed-identity source (endpoint, secret
 * header, network client and so its retry options) and the token cache is shared. So each protocol runs in its
 * own test file (Vitest gives each file its own process), with one emulator for the file, a first credential
 * with fast retries, and a distinct resource per test.
 */
export function describeRealCredentials(protocol: ManagedIdentityProtocol): void {
  describe(`@azure/identity against the emulator (${protocol})`, { timeout: 15_000 }, () => {
    let emulator: ManagedIdentityEmulator;
    let restoreEnv: () => void;
    let n = 0;
    /** A scope no other test used, so MSAL's cache cannot answer. */
    const freshScope = () => `https://resource-${++n}.example/.default`;
    const newCredential = () =>
      new ManagedIdentityCredential({ retryOptions: { maxRetries: 2, retryDelayInMs: 20 } });
    const lastRequests = (count: number) => emulator.requests.slice(-count).map((r) => [r.status, r.fault]);

    beforeAll(async () => {
      emulator = await startManagedIdentityEmulator();
      restoreEnv = setIdentityEnv(emulator.env(protocol));
      // The first credential to fetch a token fixes MSAL's source and network client for the process.
      await newCredential().getToken(freshScope());
    });
    afterAll(async () => {
      await emulator.close();
      restoreEnv();
    });

    it("gets a token the emulator signed, for the resource without /.default", async () => {
      const token = await newCredential().getToken("https://cognitiveservices.azure.com/.default");
      const verified = emulator.verifyToken(token.token, { audience: "https://cognitiveservices.azure.com" });
      if (!verified.ok) throw new Error(verified.reason);
      expect(token.expiresOnTimestamp).toBe(verified.claims.exp * 1000);
      expect(token.refreshAfterTimestamp).toBeUndefined();
      expect(emulator.requests.at(-1)).toMatchObject({
        protocol,
        resource: "https://cognitiveservices.azure.com",
        status: 200,
        tokenId: verified.claims.jti,
      });
    });

    it("serves a second request from MSAL's process-wide cache, even for a new credential", async () => {
      const scope = freshScope();
      const first = await newCredential().getToken(scope);
      const issued = emulator.tokensIssued;
      const second = await new ManagedIdentityCredential().getToken(scope);
      expect(second.token).toBe(first.token);
      expect(emulator.tokensIssued).toBe(issued);
    });

    it("keeps the first credential's endpoint and retry options for every later credential", async () => {
      const other = await startManagedIdentityEmulator();
      const restore = setIdentityEnv(other.env(protocol));
      try {
        emulator.enqueueFaults([{ status: 500 }, { status: 500 }]);
        const scope = freshScope();
        const token = await new ManagedIdentityCredential({ retryOptions: { maxRetries: 0 } }).getToken(
          scope,
        );
        expect(emulator.verifyToken(token.token, { audience: scope }).ok).toBe(true);
        expect(other.requestCount).toBe(0);
        expect(lastRequests(3)).toEqual([
          [500, "status 500"],
          [500, "status 500"],
          [200, undefined],
        ]);
      } finally {
        restore();
        await other.close();
      }
    });

    it("works through DefaultAzureCredential", async () => {
      const scope = freshScope();
      const token = await new DefaultAzureCredential().getToken(scope);
      expect(emulator.verifyToken(token.token, { audience: scope }).ok).toBe(true);
      expect(emulator.requests.at(-1)).toMatchObject({ protocol, status: 200 });
    });

    it("asks for a user-assigned identity by client id", async () => {
      const token = await new ManagedIdentityCredential({ clientId: "ua-client" }).getToken(freshScope());
      expect(emulator.requests.at(-1)).toMatchObject({ clientId: "ua-client", status: 200 });
      expect(JSON.parse(Buffer.from(token.token.split(".")[1] ?? "", "base64url").toString()).appid).toBe(
        "ua-client",
      );
    });

    it("retries 429 after Retry-After, and 404 and a reset connection", async () => {
      emulator.enqueueFaults([{ status: 429, retryAfter: 1 }, { status: 404 }, { reset: true }]);
      const started = Date.now();
      await newCredential().getToken(freshScope());
      expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
      expect(lastRequests(4)).toEqual([
        [429, "status 429"],
        [404, "status 404"],
        [undefined, "reset"],
        [200, undefined],
      ]);
    });

    it("gives up after maxRetries when the endpoint is down, as CredentialUnavailableError", async () => {
      emulator.setDown(true);
      try {
        await expect(newCredential().getToken(freshScope())).rejects.toMatchObject({
          name: "CredentialUnavailableError",
          message: expect.stringContaining("injected fault: HTTP 503"),
        });
        expect(lastRequests(3)).toEqual([
          [503, "status 503"],
          [503, "status 503"],
          [503, "status 503"],
        ]);
      } finally {
        emulator.setDown(false);
      }
    });

    it("does not retry a 400, and reports a malformed body as 'Network unreachable'", async () => {
      emulator.enqueueFaults([{ status: 400, message: "bad resource" }, { malformedBody: true }]);
      const count = emulator.requestCount;
      await expect(newCredential().getToken(freshScope())).rejects.toMatchObject({
        name: "CredentialUnavailableError",
        message: expect.stringMatching(/Authentication failed.*bad resource/),
      });
      await expect(newCredential().getToken(freshScope())).rejects.toMatchObject({
        name: "CredentialUnavailableError",
        message: expect.stringContaining("Network unreachable"),
      });
      expect(emulator.requestCount - count).toBe(2);
    });

    it("returns an already expired token as is, and does not cache it", async () => {
      const scope = freshScope();
      emulator.enqueueFaults([{ lifetimeSeconds: -60 }]);
      const expired = await newCredential().getToken(scope);
      expect(expired.expiresOnTimestamp).toBeLessThan(Date.now());
      const next = await newCredential().getToken(scope);
      expect(next.expiresOnTimestamp).toBeGreaterThan(Date.now());
    });

    it("accepts expires_on in milliseconds: an expiry tens of thousands of years away, cached", async () => {
      const scope = freshScope();
      emulator.enqueueFaults([{ expiresOnUnit: "milliseconds" }]);
      const token = await newCredential().getToken(scope);
      expect(new Date(token.expiresOnTimestamp).getUTCFullYear()).toBeGreaterThan(50_000);
      expect(token.refreshAfterTimestamp).toBeGreaterThan(Date.now() + 365 * 24 * 3600_000);
      const issued = emulator.tokensIssued;
      await newCredential().getToken(scope);
      expect(emulator.tokensIssued).toBe(issued);
    });

    // Last: the hung request stays open until afterAll closes the emulator.
    it("waits on a hung endpoint regardless of abortSignal and requestOptions.timeout", async () => {
      emulator.enqueueFaults([{ hang: true }]);
      const outcome = newCredential()
        .getToken(freshScope(), { abortSignal: AbortSignal.timeout(200), requestOptions: { timeout: 200 } })
        .then(
          () => "token",
          () => "error",
        );
      const raced = await Promise.race([
        outcome,
        new Promise((r) => setTimeout(() => r("still pending"), 1000)),
      ]);
      expect(raced).toBe("still pending");
    });
  });
}
