import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ManagedIdentityCredential } from "@azure/identity";
import { approveAll, CopilotClient, type ProviderConfig } from "@github/copilot-sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { setIdentityEnv } from "./setProcessEnv.js";
import { type AzureEmulators, startAzureEmulators } from "./startAzureEmulators.js";

const KEY = "static-key-for-tests";
const SCOPE = "https://cognitiveservices.azure.com/.default";
let emulators: AzureEmulators;
let restoreEnv: () => void;

beforeAll(async () => {
  emulators = await startAzureEmulators({ apiKeys: [KEY], identity: { tenantId: "tenant-x" } });
  restoreEnv = setIdentityEnv(emulators.env("app-service"));
});
afterAll(async () => {
  restoreEnv();
  await emulators.close();
});

describe("startAzureEmulators", { timeout: 30_000 }, () => {
  it("returns the env vars of both emulators for either protocol", () => {
    const { identity, foundry } = emulators;
    expect(emulators.env()).toEqual({
      IDENTITY_ENDPOINT: identity.identityEndpoint,
      IDENTITY_HEADER: identity.identityHeader,
      AZURE_AI_FOUNDRY_RESOURCE_URL: foundry.resourceUrl,
    });
    expect(emulators.env("imds")).toEqual({
      AZURE_POD_IDENTITY_AUTHORITY_HOST: identity.url,
      AZURE_AI_FOUNDRY_RESOURCE_URL: foundry.resourceUrl,
    });
    expect(identity.tenantId).toBe("tenant-x");
  });

  it("lets Foundry accept the token the real ManagedIdentityCredential got from the identity emulator", async () => {
    const { token } = await new ManagedIdentityCredential({ retryOptions: { maxRetries: 0 } }).getToken(
      SCOPE,
    );
    const res = await fetch(`${emulators.foundry.baseUrl}chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify({ model: "gpt-4.1", messages: [{ role: "user", content: "hello" }] }),
      signal: AbortSignal.timeout(5000),
    });
    expect(res.status).toBe(200);
    expect(emulators.foundry.requests.at(-1)).toMatchObject({
      authKind: "bearer-jwt",
      tokenId: emulators.identity.requests.at(-1)?.tokenId,
    });
  });

  it("serves the real Copilot runtime, streamed or not, with a static key or managed-identity tokens", async () => {
    const baseDirectory = await mkdtemp(join(tmpdir(), "copilot-byok-testing-"));
    const client = new CopilotClient({ useLoggedInUser: false, baseDirectory, logLevel: "none" });
    const credential = new ManagedIdentityCredential();
    const { foundry } = emulators;
    const providers: Array<[ProviderConfig, boolean]> = [
      [{ type: "openai", baseUrl: foundry.baseUrl, apiKey: KEY, wireApi: "completions" }, false],
      [{ type: "openai", baseUrl: foundry.baseUrl, apiKey: KEY, wireApi: "responses" }, true],
      [
        {
          type: "azure",
          baseUrl: foundry.resourceUrl,
          wireApi: "responses",
          bearerTokenProvider: async () => (await credential.getToken(SCOPE)).token,
        },
        false,
      ],
      [{ type: "openai", baseUrl: foundry.baseUrl, apiKey: KEY, wireApi: "completions" }, true],
    ];
    foundry.reset();
    try {
      for (const [provider, streaming] of providers) {
        const session = await client.createSession({
          model: "gpt-4.1",
          provider,
          streaming,
          onPermissionRequest: approveAll,
        });
        try {
          const reply = await session.sendAndWait("ping from the test", 20_000);
          expect(reply?.data.content).toMatch(/^Echo: [\s\S]*ping from the test$/);
        } finally {
          await session.disconnect();
        }
      }
      expect(foundry.requests.map((r) => [r.path, r.stream, r.authKind, r.status])).toEqual([
        ["/openai/v1/chat/completions", false, "bearer-key", 200],
        ["/openai/v1/responses", true, "bearer-key", 200],
        ["/openai/v1/responses", false, "bearer-jwt", 200],
        ["/openai/v1/chat/completions", true, "bearer-key", 200],
      ]);
    } finally {
      await client.stop().catch(() => []);
      await rm(baseDirectory, { recursive: true, force: true });
    }
  });

  it("closes both emulators", async () => {
    const other = await startAzureEmulators();
    await other.close();
    await expect(fetch(other.identity.identityEndpoint)).rejects.toThrow();
    await expect(fetch(other.foundry.baseUrl)).rejects.toThrow();
  });
});
