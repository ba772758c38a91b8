import "reflect-metadata";
import { randomUUID } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ManagedIdentityCredential } from "@azure/identity";
import { EntraIdProviderConfigSource } from "@copilot-byok/azure-entra";
import { CopilotSessionFactory, DisposedError, registerCopilotByok } from "@copilot-byok/core";
import { StaticKeyProviderConfigSource, staticKeyModule } from "@copilot-byok/static-key";
import { KubernetesSecretVolume } from "@copilot-byok/test-utils/KubernetesSecretVolume";
import { OffsetClock } from "@copilot-byok/test-utils/OffsetClock";
import { ask } from "@copilot-byok/test-utils/runtime";
import { credentialFailure, ScriptedCredential } from "@copilot-byok/test-utils/ScriptedCredential";
import { createTempDir } from "@copilot-byok/test-utils/tempDir";
import { waitFor } from "@copilot-byok/test-utils/waitFor";
import { type AzureEmulators, startAzureEmulators } from "@copilot-byok/testing";
import { approveAll, CopilotClient, type ProviderConfig } from "@github/copilot-sdk";
import { container } from "tsyringe";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { canary } from "./support/canary.js";
import { setManagedIdentityOnlyEnv } from "./support/identityEnv.js";
import { activeResources, addedResources, childProcesses, trackResources } from "./support/resources.js";

// After dispose() (sources, containers) and client.stop() (the runtime), nothing of ours remains: no timer
// (unref()ed ones included), no watcher, no socket, no pipe, no child process. Checked two ways: the async
// resources created by the scenario and not destroyed (async_hooks, ref'd or not), and
// process.getActiveResourcesInfo() against the count before the scenario; child processes from /proc.

const KEY = canary("no-leaks-key");
const CONTEXT = { providerName: "default", sessionId: "no-leaks" };
let emulators: AzureEmulators;
let restoreEnv: () => void;

beforeAll(async () => {
  emulators = await startAzureEmulators({ apiKeys: [KEY] });
  restoreEnv = setManagedIdentityOnlyEnv(emulators.identity.env("app-service"));
  await new ManagedIdentityCredential({ retryOptions: { maxRetries: 1, retryDelayInMs: 20 } }).getToken(
    `api://${randomUUID()}/.default`,
  );
});
afterAll(async () => {
  await emulators?.close();
  restoreEnv?.();
});

/** Runs `scenario` (which must release what it made), then waits up to `settleMs` for its resources to go. */
async function expectNothingLeft(scenario: (alive: () => string[]) => Promise<void>, settleMs = 3_000) {
  const before = activeResources();
  const children = childProcesses();
  const tracked = await trackResources(scenario);
  try {
    await waitFor(() => tracked.alive().length === 0, { timeoutMs: settleMs, everyMs: 20 }).catch(
      () => undefined,
    );
    expect(tracked.alive(), "async resources still alive").toEqual([]);
    expect(addedResources(before, activeResources()), "resources keeping the event loop alive").toEqual({});
    expect(childProcesses(), "child processes").toEqual(children);
  } finally {
    tracked.stop();
  }
}

describe("the leak check itself", () => {
  it("sees an unref()ed timer, a non-persistent watcher, a socket and a child process left behind (control)", async () => {
    const { spawn } = await import("node:child_process");
    const { watch } = await import("node:fs");
    const { connect } = await import("node:net");
    const released: (() => void)[] = [];
    const tracked = await trackResources(async () => {
      const timer = setInterval(() => {}, 60_000);
      timer.unref();
      released.push(() => clearInterval(timer));
      const watcher = watch(tmpdir(), { persistent: false });
      released.push(() => watcher.close());
      const socket = connect(emulators.foundry.port, "127.0.0.1");
      await new Promise((resolve) => socket.once("connect", resolve));
      released.push(() => socket.destroy());
      const child = spawn(process.execPath, ["-e", "setTimeout(() => {}, 30000)"], { stdio: "ignore" });
      released.push(() => child.kill());
    });
    try {
      expect(tracked.alive()).toEqual(
        expect.arrayContaining(["FSEVENTWRAP", "PROCESSWRAP", "TCPWRAP", "Timeout"]),
      );
      expect(childProcesses().length).toBeGreaterThan(0);
    } finally {
      for (const release of released) release();
      await waitFor(() => tracked.alive().length === 0 && childProcesses().length === 0, { what: "cleanup" });
      tracked.stop();
    }
  });
});

describe("no leaks after dispose()", () => {
  it("a static key source watching a Kubernetes secret volume, after rotations", async () => {
    const temp = await createTempDir("reliability-");
    try {
      const volume = await KubernetesSecretVolume.create(join(temp.path, "secret"), { "api-key": KEY });
      await expectNothingLeft(async () => {
        const source = new StaticKeyProviderConfigSource({
          baseUrl: "http://127.0.0.1:9/openai/v1/",
          apiKeyFile: volume.path("api-key"),
          pollIntervalMs: 20,
        });
        const config = await source.getProviderConfig();
        await volume.update({ "api-key": `${KEY}-2` });
        await waitFor(() => source.describe().rotations === 1, { what: "a rotation" });
        expect(source.describe().watching).toBe(true);
        source.dispose();
        await expect(
          (config.bearerTokenProvider as NonNullable<ProviderConfig["bearerTokenProvider"]>)(CONTEXT),
        ).rejects.toMatchObject({ code: "COPILOT_BYOK_DISPOSED" });
      });
    } finally {
      await temp.remove();
    }
  });

  it("an Entra source with background retries pending and an attempt hanging", async () => {
    await expectNothingLeft(async () => {
      const clock = new OffsetClock();
      const credential = new ScriptedCredential([{ token: canary("token"), expiresInMs: 3_600_000 }], () =>
        Date.now(),
      );
      const source = new EntraIdProviderConfigSource({
        baseUrl: "http://127.0.0.1:9/openai/v1/",
        credential,
        clock,
        timeoutMs: 60_000,
        retry: { initialDelayMs: 30_000 },
      });
      const config = await source.getProviderConfig();
      const provide = config.bearerTokenProvider as NonNullable<ProviderConfig["bearerTokenProvider"]>;
      clock.offsetMs = 56 * 60_000; // inside the refresh window
      credential.script({ error: credentialFailure("Error", "refresh failed") }, { hang: true });
      await provide(CONTEXT);
      await waitFor(() => source.tokenCache.status(source.scope).consecutiveFailures === 1);
      clock.offsetMs = 2 * 3_600_000; // expired: the next caller waits on a hanging attempt (60 s timer)
      const waiting = provide(CONTEXT).catch((error: unknown) => error);
      source.dispose();
      const error = await waiting;
      expect(error).toBeInstanceOf(DisposedError);
      expect(error).toMatchObject({ code: "COPILOT_BYOK_DISPOSED" });
    });
  });

  it("an Entra source with the real DefaultAzureCredential against the emulator", async () => {
    await expectNothingLeft(async () => {
      const source = new EntraIdProviderConfigSource({
        baseUrl: "http://127.0.0.1:9/openai/v1/",
        scope: `api://${randomUUID()}/.default`,
      });
      await source.getProviderConfig();
      source.dispose();
    }, 8_000);
  });
});

describe("no leaks after client.stop()", () => {
  it("registerCopilotByok's default client, a session and a turn, then container.dispose()", async () => {
    const baseDirectory = await mkdtemp(join(tmpdir(), "copilot-byok-no-leaks-"));
    try {
      await expectNothingLeft(async (alive) => {
        const app = container.createChildContainer();
        registerCopilotByok(app, {
          env: {
            COPILOT_PROVIDER_API_KEY: KEY,
            AZURE_AI_FOUNDRY_RESOURCE_URL: emulators.foundry.resourceUrl,
            COPILOT_PROVIDER_MODEL_ID: "gpt-4.1",
          },
          modules: [staticKeyModule],
          clientOptions: { baseDirectory, logLevel: "none" },
        });
        const session = await app
          .resolve(CopilotSessionFactory)
          .createSession({ onPermissionRequest: approveAll });
        expect(childProcesses().length).toBeGreaterThan(0);
        expect(alive()).toEqual(expect.arrayContaining(["PROCESSWRAP", "PIPEWRAP"])); // the check sees the runtime
        expect(await ask(session, "hello")).toContain("hello");
        await app.dispose();
      }, 10_000);
    } finally {
      await rm(baseDirectory, { recursive: true, force: true });
    }
  }, 60_000);

  it("a client of one's own with an Entra source, without DI: disconnect, client.stop(), dispose()", async () => {
    const baseDirectory = await mkdtemp(join(tmpdir(), "copilot-byok-no-leaks-"));
    try {
      await expectNothingLeft(async () => {
        const source = new EntraIdProviderConfigSource({
          baseUrl: emulators.foundry.baseUrl,
          credential: new ScriptedCredential([{ token: KEY, expiresInMs: 3_600_000 }], () => Date.now()),
          modelId: "gpt-4.1",
        });
        const client = new CopilotClient({ useLoggedInUser: false, baseDirectory, logLevel: "none" });
        const session = await new CopilotSessionFactory(source, client, {}).createSession({
          onPermissionRequest: approveAll,
        });
        expect(await ask(session, "hello")).toContain("hello");
        await session.disconnect();
        await client.stop();
        source.dispose();
      }, 10_000);
    } finally {
      await rm(baseDirectory, { recursive: true, force: true });
    }
  }, 60_000);
});

/** Client sockets of this process connected to `port` that keep the event loop alive. */
function socketsTo(port: number): number {
  const handles = (process as unknown as { _getActiveHandles(): unknown[] })._getActiveHandles();
  return handles.filter((h) => h instanceof Socket && h.remotePort === port).length;
}

// Last: it closes the emulators (MSAL keeps the first endpoint of the process, so no other can stand in).
describe("the boundary: @azure/identity's own request", () => {
  it("dispose() during a hanging token request releases the caller and our timers at once; @azure/identity's socket stays until the endpoint closes it", async () => {
    const before = activeResources();
    emulators.identity.setDown({ hang: true });
    const source = new EntraIdProviderConfigSource({
      baseUrl: "http://127.0.0.1:9/openai/v1/",
      scope: `api://${randomUUID()}/.default`,
      timeoutMs: 60_000,
    });
    const waiting = source.getProviderConfig().catch((error: unknown) => error);
    await waitFor(() => emulators.identity.requests.some((r) => r.fault === "hang"), {
      what: "the hung request",
    });
    const disposedAt = performance.now();
    source.dispose();
    const error = await waiting;
    expect(error).toBeInstanceOf(DisposedError);
    expect(error).toMatchObject({ code: "COPILOT_BYOK_DISPOSED" });
    expect(performance.now() - disposedAt).toBeLessThan(250);
    // The request ignores abort signals (docs/fault-matrix.md): its socket to the endpoint stays open, ref'd.
    expect(addedResources(before, activeResources())).toMatchObject({ TCPSocketWrap: 1 });
    expect(socketsTo(emulators.identity.port)).toBe(1);
    await emulators.close();
    await waitFor(() => Object.keys(addedResources(before, activeResources())).length === 0, {
      what: "the sockets to close with the endpoint",
    });
  });
});
