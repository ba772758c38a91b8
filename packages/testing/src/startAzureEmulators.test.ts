import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ManagedIdentityCredential } from "@azure/identity";
import { approveAll, CopilotClient, type ProviderConfig } from "@github/copilot-sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { setIdentityEnv } from "./setProcessEnv.js";
import { type AzureEmulatorsWithAuthority, startAzureEmulators } from "./startAzureEmulators.js";
import { runCredentialProcess } from "./test-support/runCredentialProcess.js";

const KEY = "static-key-for-tests";
const SCOPE = "https://cognitiveservices.azure.com/.default";
let emulators: AzureEmulatorsWithAuthority;
let restoreEnv: () => void;

beforeAll(async () => {
  emulators = await startAzureEmulators({
    apiKeys: [KEY],
    identity: { tenantId: "tenant-x" },
    authority: true,
  });
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

  it("gives the authority emulator's variables too, and says which kinds it knows", async () => {
    const { authority, foundry } = emulators;
    expect({ ...emulators.env("workload-identity") }).toEqual({
      ...authority.env("workload-identity"),
      AZURE_AI_FOUNDRY_RESOURCE_URL: foundry.resourceUrl,
    });
    expect(authority.tenantId).toBe("tenant-x");
    expect(() => emulators.env("static" as never)).toThrow(
      'unknown kind "static"; accepted: app-service, imds, service-principal, workload-identity',
    );
    const plain = await startAzureEmulators();
    try {
      expect(plain.authority).toBeUndefined();
      expect(() => plain.env("service-principal")).toThrow("start with { authority: true }");
    } finally {
      await plain.close();
    }
  });

  it("lets Foundry accept the tokens the real DefaultAzureCredential got from the authority emulator", async () => {
    for (const kind of ["service-principal", "workload-identity"] as const) {
      const result = await runCredentialProcess(emulators.env(kind));
      if (!result.ok) throw new Error(`${kind}: ${result.name}: ${result.message}`);
      const res = await fetch(`${emulators.foundry.baseUrl}chat/completions`, {
        method: "POST",
        headers: { authorization: `Bearer ${result.token}`, "content-type": "application/json" },
        body: JSON.stringify({ model: "gpt-4.1", messages: [{ role: "user", content: "hello" }] }),
        signal: AbortSignal.timeout(5000),
      });
      expect(res.status).toBe(200);
      expect(emulators.foundry.requests.at(-1)).toMatchObject({
        authKind: "bearer-jwt",
        tokenId: emulators.authority.requests.at(-1)?.tokenId,
      });
    }
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

  it("keeps the Copilot runtime's loopback provider off the proxy through NO_PROXY", async () => {
    // The provider is http://, which HTTPS_PROXY does not cover: HTTP_PROXY (the same proxy) makes the
    // runtime's routing visible. Without NO_PROXY its request goes to the proxy (refused, 403).
    const { authority, foundry } = emulators;
    const ask = async (env: Record<string, string | undefined>) => {
      const baseDirectory = await mkdtemp(join(tmpdir(), "copilot-byok-testing-"));
      const client = new CopilotClient({ useLoggedInUser: false, baseDirectory, logLevel: "none", env });
      try {
        const session = await client.createSession({
          model: "gpt-4.1",
          provider: { type: "openai", baseUrl: foundry.baseUrl, apiKey: KEY, wireApi: "completions" },
          onPermissionRequest: approveAll,
        });
        try {
          return (await session.sendAndWait("through NO_PROXY", 20_000))?.data.content;
        } finally {
          await session.disconnect();
        }
      } finally {
        await client.stop().catch(() => []);
        await rm(baseDirectory, { recursive: true, force: true });
      }
    };
    const env = { ...process.env, ...authority.env("service-principal"), HTTP_PROXY: authority.proxyUrl };
    authority.reset();
    await expect(ask({ ...env, NO_PROXY: undefined })).rejects.toThrow(/HTTP 403/);
    expect(
      authority.proxyRequests.map((r) => [r.method, r.target.startsWith(foundry.baseUrl), r.tunnelled]),
    ).toContainEqual(["POST", true, false]);
    authority.reset();
    expect(await ask(env)).toMatch(/through NO_PROXY$/);
    expect(authority.proxyRequests).toEqual([]);
  });

  it("closes every emulator", async () => {
    const other = await startAzureEmulators({ authority: { hosts: ["login.microsoftonline.us"] } });
    expect(other.authority.hosts).toContain("login.microsoftonline.us");
    await other.close();
    await expect(fetch(other.identity.identityEndpoint)).rejects.toThrow();
    await expect(fetch(other.foundry.baseUrl)).rejects.toThrow();
    await expect(fetch(other.authority.proxyUrl)).rejects.toThrow();
  });
});
