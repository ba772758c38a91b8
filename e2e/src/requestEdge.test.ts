import { join } from "node:path";
import { azureEntraModule } from "@copilot-byok/azure-entra";
import { fingerprint } from "@copilot-byok/core/plugin";
import { type KeyRotation, STATIC_KEY_MODE, staticKeyModule } from "@copilot-byok/static-key";
import { KubernetesSecretVolume } from "@copilot-byok/test-utils/KubernetesSecretVolume";
import { ask, nextIdle } from "@copilot-byok/test-utils/runtime";
import { createTempDir } from "@copilot-byok/test-utils/tempDir";
import { type AzureEmulators, setProcessEnv, startAzureEmulators } from "@copilot-byok/testing";
import type { ProviderConfig } from "@github/copilot-sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type EdgeApp, failureOf, slowKeyFileModule, startEdgeApp } from "./requestEdgeHarness.js";

// The request edge through the real runtime (registerCopilotByok's default client, copilot-byok's request
// handler): the runtime is given a placeholder, never the key or the token, and the credential is set on each
// request in this process; a key rotated together with its revocation is picked up by the 401 at once; a
// provider that refuses everything costs a bounded number of requests.
const KEY = "e2e-edge-canary-key-4f9a1c77d2";
const CLAUDE = "claude-sonnet-4-5";
const PLACEHOLDER = /copilot-byok-edge-[0-9a-f]{24}/;
let emulators: AzureEmulators;
let restoreEnv: () => void;
let temp: Awaited<ReturnType<typeof createTempDir>>;
const apps: EdgeApp[] = [];

beforeAll(async () => {
  emulators = await startAzureEmulators({ apiKeys: [KEY] });
  // @azure/identity reads process.env itself: the managed-identity variables for the azure-entra rows.
  restoreEnv = setProcessEnv(emulators.identity.env("app-service"));
  temp = await createTempDir("e2e-edge-");
});
afterAll(async () => {
  await Promise.all(apps.splice(0).map((app) => app.close()));
  restoreEnv?.();
  await emulators?.close();
  await temp?.remove();
});

async function open(options: Parameters<typeof startEdgeApp>[0]): Promise<EdgeApp> {
  const app = await startEdgeApp(options);
  apps.push(app);
  return app;
}

async function close(app: EdgeApp): Promise<void> {
  apps.splice(apps.indexOf(app), 1);
  await app.close();
}

const secretsIn = (text: string, secrets: readonly string[]) => secrets.filter((s) => text.includes(s));

describe("(a) the runtime is given a placeholder, never the credential", () => {
  const rows = [
    { type: "openai", model: "gpt-4.1", authKind: "bearer-key", path: "/openai/v1/responses" },
    { type: "azure", model: "gpt-4.1", authKind: "api-key", path: "/openai/v1/responses" },
    { type: "anthropic", model: CLAUDE, authKind: "x-api-key", path: "/anthropic/v1/messages" },
  ] as const;

  it.each(rows)(
    "static key, type $type: the session config holds a placeholder; the request carried the key ($authKind)",
    async ({ type, model, authKind, path }) => {
      emulators.foundry.reset();
      const app = await open({
        env: {
          AZURE_AI_FOUNDRY_RESOURCE_URL: emulators.foundry.resourceUrl,
          COPILOT_PROVIDER_TYPE: type,
          COPILOT_PROVIDER_MODEL_ID: model,
          COPILOT_PROVIDER_API_KEY: KEY,
        },
        modules: [staticKeyModule],
      });
      const session = await app.openSession();
      expect(await ask(session, "first turn", 60_000)).toContain("first turn");
      expect(await ask(session, "second turn", 60_000)).toContain("second turn");

      // What the SDK's createSession got: a placeholder key, no token provider.
      expect(app.providers).toHaveLength(1);
      const provider: ProviderConfig = app.providers[0] ?? { baseUrl: "" };
      expect(provider.apiKey).toMatch(PLACEHOLDER);
      expect(provider.bearerToken).toBeUndefined();
      expect(provider.bearerTokenProvider).toBeUndefined();
      expect(app.factory.describe().credentialDelivery).toBe("request-edge");
      expect(await app.factory.ready()).toMatchObject({
        mode: STATIC_KEY_MODE,
        credentialDelivery: "request-edge",
      });

      // What crossed the pipes: the session config carried the placeholder, the runtime's requests came back
      // with it, and the key went neither way (nor is it in the runtime's environment or home).
      const placeholder = String(provider.apiKey);
      expect(app.wire.toRuntime()).toContain(placeholder);
      expect(app.wire.fromRuntime()).toContain(placeholder);
      expect(secretsIn(app.wire.toRuntime(), [KEY])).toEqual([]);
      expect(secretsIn(app.wire.fromRuntime(), [KEY])).toEqual([]);
      expect(secretsIn(await app.runtimeEnvironment(), [KEY])).toEqual([]);
      // Secondary: the runtime's home (session state) holds neither; it held no key without the edge either
      // (see the control), so the pipes above are the proof.
      const files = await app.homeFiles();
      expect(files.length).toBeGreaterThan(0);
      expect(files.filter((f) => f.text.includes(KEY)).map((f) => f.path)).toEqual([]);
      await close(app);

      // The provider got the real key, in the header the runtime uses for the type.
      expect(emulators.foundry.requests.map((r) => [r.path, r.authKind, r.keyFingerprint, r.status])).toEqual(
        [
          [path, authKind, fingerprint(KEY), 200],
          [path, authKind, fingerprint(KEY), 200],
        ],
      );
    },
    120_000,
  );

  it("azure-entra (managed identity): the session config holds a placeholder token; the request carried the token", async () => {
    emulators.foundry.reset();
    emulators.identity.reset();
    const app = await open({
      env: {
        ...emulators.env("app-service"),
        COPILOT_PROVIDER_MODEL_ID: "gpt-4.1",
      },
      modules: [azureEntraModule],
    });
    const session = await app.openSession();
    expect(await ask(session, "first turn", 60_000)).toContain("first turn");
    expect(await ask(session, "second turn", 60_000)).toContain("second turn");
    const ready = await app.factory.ready();
    expect(ready).toMatchObject({ mode: "azure-entra", credentialDelivery: "request-edge" });
    expect(typeof ready.credentialExpiresOn).toBe("string"); // the source says when its token expires

    expect(app.providers).toHaveLength(1);
    const provider: ProviderConfig = app.providers[0] ?? { baseUrl: "" };
    expect(provider.bearerToken).toMatch(PLACEHOLDER);
    expect(provider.apiKey).toBeUndefined();
    expect(provider.bearerTokenProvider).toBeUndefined();
    expect(app.factory.describe().credentialDelivery).toBe("request-edge");

    // The one token the identity endpoint issued went to the provider, never to the runtime.
    expect(emulators.identity.tokensIssued).toBe(1);
    const issued = emulators.foundry.requests.map((r) => r.tokenId);
    expect(new Set(issued).size).toBe(1);
    const placeholder = String(provider.bearerToken);
    expect(app.wire.toRuntime()).toContain(placeholder);
    expect(app.wire.fromRuntime()).toContain(placeholder);
    // No JWT of the identity emulator crossed the pipes (a JWT's header starts with eyJ; the emulator signs RS256).
    const jwt = /eyJ[\w-]+\.eyJ[\w-]+\.[\w-]+/g;
    expect(app.wire.toRuntime().match(jwt) ?? []).toEqual([]);
    expect(app.wire.fromRuntime().match(jwt) ?? []).toEqual([]);
    // Nor the identity header (the secret that buys tokens), nor a hasBearerTokenProvider callback registration.
    expect(secretsIn(app.wire.toRuntime(), [emulators.identity.identityHeader])).toEqual([]);
    expect(app.wire.toRuntime()).not.toContain("hasBearerTokenProvider");
    const files = await app.homeFiles();
    expect(files.filter((f) => (f.text.match(jwt) ?? []).length > 0).map((f) => f.path)).toEqual([]);
    await close(app);

    expect(emulators.foundry.requests.map((r) => [r.authKind, r.status, r.rejectReason])).toEqual([
      ["bearer-jwt", 200, undefined],
      ["bearer-jwt", 200, undefined],
    ]);
  }, 120_000);

  it("control, requestEdge: false: the same tap does see the key go to the runtime", async () => {
    emulators.foundry.reset();
    const app = await open({
      env: {
        AZURE_AI_FOUNDRY_RESOURCE_URL: emulators.foundry.resourceUrl,
        COPILOT_PROVIDER_MODEL_ID: "gpt-4.1",
        COPILOT_PROVIDER_API_KEY: KEY,
      },
      modules: [staticKeyModule],
      requestEdge: false,
    });
    const session = await app.openSession();
    expect(await ask(session, "without the edge", 60_000)).toContain("without the edge");
    expect(app.factory.describe().credentialDelivery).toBe("runtime-key");
    expect(app.providers[0]?.apiKey).toBe(KEY);
    expect(secretsIn(app.wire.toRuntime(), [KEY])).toEqual([KEY]);
    const files = await app.homeFiles();
    console.info(
      `control (key): files of the runtime's home holding the key: ${files.filter((f) => f.text.includes(KEY)).length} of ${files.length}`,
    );
    await close(app);
    expect(emulators.foundry.requests.map((r) => [r.authKind, r.status])).toEqual([["bearer-key", 200]]);
  }, 120_000);

  it("control, requestEdge: false, azure-entra: the same tap does see the token go to the runtime", async () => {
    emulators.foundry.reset();
    const app = await open({
      env: { ...emulators.env("app-service"), COPILOT_PROVIDER_MODEL_ID: "gpt-4.1" },
      modules: [azureEntraModule],
      requestEdge: false,
    });
    const session = await app.openSession();
    expect(await ask(session, "without the edge", 60_000)).toContain("without the edge");
    expect(app.factory.describe().credentialDelivery).toBe("runtime-token-provider");
    expect(typeof app.providers[0]?.bearerTokenProvider).toBe("function");
    // The runtime asked for the token over the pipe, and got it there.
    expect(app.wire.toRuntime()).toContain("hasBearerTokenProvider");
    expect(app.wire.toRuntime().match(/eyJ[\w-]+\.eyJ[\w-]+\.[\w-]+/g)?.length ?? 0).toBeGreaterThan(0);
    await close(app);
    expect(emulators.foundry.requests.map((r) => [r.authKind, r.status])).toEqual([["bearer-jwt", 200]]);
  }, 120_000);
});

describe("(b, c) a key regenerated on the resource and rotated into the mounted file at the same moment", () => {
  it("the next turn answers at once: one 401, the file re-read, one replay with the new key", async () => {
    emulators.foundry.reset();
    const keyFile = slowKeyFileModule();
    const volume = await KubernetesSecretVolume.create(join(temp.path, "secret-bc"), {
      "api-key": `${KEY}\n`,
    });
    const app = await open({
      env: {
        AZURE_AI_FOUNDRY_RESOURCE_URL: emulators.foundry.resourceUrl,
        COPILOT_PROVIDER_MODEL_ID: "gpt-4.1",
        COPILOT_PROVIDER_API_KEY_FILE: volume.path("api-key"),
      },
      modules: [keyFile.module],
    });
    const session = await app.openSession();
    const source = keyFile.source();
    const rotations: KeyRotation[] = [];
    source.onKeyRotated((r) => rotations.push(r));
    expect(source.describe()).toMatchObject({ pollIntervalMs: 3_600_000, rotations: 0 });
    expect(await ask(session, "before the rotation", 60_000)).toContain("before the rotation");

    const newKey = emulators.foundry.regenerateKey(KEY); // the old key answers 401 from now on
    await volume.update({ "api-key": `${newKey}\n` });
    expect(await ask(session, "right after the rotation", 60_000)).toContain("right after the rotation");
    expect(await ask(session, "on the new key", 60_000)).toContain("on the new key");

    expect(emulators.foundry.requests.map((r) => [r.status, r.keyFingerprint, r.rejectReason])).toEqual([
      [200, fingerprint(KEY), undefined],
      [401, fingerprint(KEY), "invalid key"],
      [200, fingerprint(newKey), undefined],
      [200, fingerprint(newKey), undefined],
    ]);
    expect(app.events.map((e) => [e.type, e.status, e.replayed])).toEqual([["request-replayed", 200, true]]);
    expect(app.events[0]?.message).toContain(
      `replayed once with a renewed api-key (${fingerprint(newKey)}): 200`,
    );
    // Adopted because of the refusal, not by the poll nor the watch (which would have waited a minute).
    expect(rotations.map((r) => [r.trigger, r.fingerprint])).toEqual([["refusal", fingerprint(newKey)]]);
    expect(source.describe()).toMatchObject({ rotations: 1, fingerprint: fingerprint(newKey) });
    await close(app);
  }, 120_000);
});

describe("(d) a provider that answers 401 to everything", () => {
  it("static key (no other key to be had): no replay; each of the runtime's attempts is one request, explained", async () => {
    emulators.foundry.reset();
    const app = await open({
      env: {
        AZURE_AI_FOUNDRY_RESOURCE_URL: emulators.foundry.resourceUrl,
        COPILOT_PROVIDER_MODEL_ID: "gpt-4.1",
        COPILOT_PROVIDER_API_KEY: KEY,
      },
      modules: [staticKeyModule],
    });
    const session = await app.openSession();
    expect(await ask(session, "while up", 60_000)).toContain("while up");
    emulators.foundry.setDown({
      status: 401,
      message: "Access denied: the resource refuses every credential.",
    });
    const idle = nextIdle(session, 60_000);
    const error = await failureOf(session.sendAndWait("while refusing", 60_000));
    await idle;
    emulators.foundry.setDown(false);
    expect(error?.message).toMatch(/401/);
    const refused = emulators.foundry.requests.slice(1);
    console.info(
      `(d) static key: ${refused.length} upstream requests for the refused turn; error: ${error?.message}`,
    );
    // The runtime's own 3 attempts (SDK 1.0.14), each refused.
    expect(refused).toHaveLength(3);
    expect(refused.every((r) => r.status === 401 && r.fault === "status 401")).toBe(true);
    // One request per attempt of the runtime, none more: a key from a variable cannot be renewed.
    expect(app.events.every((e) => e.type === "credential-rejected" && !e.replayed)).toBe(true);
    expect(app.events).toHaveLength(refused.length);
    expect(app.events[0]?.message).toContain("the source has no other credential: not replayed");
    expect(app.events[0]?.explanation?.join("\n")).toContain(fingerprint(KEY));
    await close(app);
  }, 120_000);
});
