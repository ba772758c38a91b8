import "reflect-metadata";
import { join } from "node:path";
import { inspect } from "node:util";
import { createAzureEntraModule } from "@copilot-byok/azure-entra";
import {
  CopilotSessionFactory,
  createConsoleLogger,
  type Env,
  PROVIDER_CONFIG_SOURCE,
  type ProviderConfigSourceModule,
  registerCopilotByok,
} from "@copilot-byok/core";
import { createStaticKeyModule } from "@copilot-byok/static-key";
import { KubernetesSecretVolume } from "@copilot-byok/test-utils/KubernetesSecretVolume";
import { OffsetClock } from "@copilot-byok/test-utils/OffsetClock";
import { ask, nextIdle, startRuntime } from "@copilot-byok/test-utils/runtime";
import { credentialFailure, ScriptedCredential } from "@copilot-byok/test-utils/ScriptedCredential";
import { createTempDir } from "@copilot-byok/test-utils/tempDir";
import { waitFor } from "@copilot-byok/test-utils/waitFor";
import { type FoundryEmulator, startFoundryEmulator } from "@copilot-byok/testing";
import { approveAll, type CopilotClient, type CopilotSession } from "@github/copilot-sdk";
import { container } from "tsyringe";
import { afterAll, beforeAll, expect, it } from "vitest";
import { canary, leaksIn, renderings } from "./support/canary.js";
import { captureOutput } from "./support/captureOutput.js";

// One end-to-end canary run through the real Copilot runtime: a rotating key file and an Entra token (from an
// injected credential), both canaries, both accepted by the Foundry emulator; a console logger; every session
// event; the error of a failed turn. None of it may hold a canary.

const KEY_1 = canary("runtime-key-1");
const KEY_2 = canary("runtime-key-2");
const TOKEN = canary("runtime-token");
let accepted: string[] = [KEY_1, TOKEN];
let foundry: FoundryEmulator;
let runtime: { client: CopilotClient; close(): Promise<void> };
let temp: Awaited<ReturnType<typeof createTempDir>>;

beforeAll(async () => {
  foundry = await startFoundryEmulator({ apiKeys: () => accepted });
  temp = await createTempDir("reliability-");
  runtime = await startRuntime();
});
afterAll(async () => {
  await runtime?.close();
  await foundry?.close();
  await temp?.remove();
});

async function openApp(env: Env, module: ProviderConfigSourceModule, events: unknown[]) {
  const app = container.createChildContainer();
  registerCopilotByok(app, { env, modules: [module], client: runtime.client, logger: createConsoleLogger() });
  const session: CopilotSession = await app
    .resolve(CopilotSessionFactory)
    .createSession({ onPermissionRequest: approveAll });
  session.on((event) => {
    events.push(event);
  });
  return {
    session,
    source: app.resolve(PROVIDER_CONFIG_SOURCE),
    close: async () => {
      await session.disconnect().catch(() => undefined);
      await app.dispose();
    },
  };
}

it("keys and tokens never reach the console, session events or a failed turn's error", async () => {
  const output = captureOutput();
  const events: unknown[] = [];
  const texts: string[] = [];
  try {
    const base = { COPILOT_PROVIDER_BASE_URL: foundry.baseUrl, COPILOT_PROVIDER_MODEL_ID: "gpt-4.1" };

    // Static key from a Kubernetes-style secret volume, rotated while the session runs.
    const volume = await KubernetesSecretVolume.create(join(temp.path, "secret"), {
      "api-key": `${KEY_1}\n`,
    });
    const keyApp = await openApp(
      { ...base, COPILOT_PROVIDER_API_KEY_FILE: volume.path("api-key") },
      createStaticKeyModule({ pollIntervalMs: 50 }),
      events,
    );
    try {
      expect(await ask(keyApp.session, "hello key")).toContain("hello key");
      accepted = [KEY_2, TOKEN];
      await volume.update({ "api-key": `${KEY_2}\n` });
      await waitFor(() => keyApp.source.describe().rotations === 1, { what: "the rotation" });
      expect(await ask(keyApp.session, "hello rotated")).toContain("hello rotated");
      texts.push(...renderings(keyApp.source));
    } finally {
      await keyApp.close();
    }

    // Entra token from an injected credential; then, past its expiry, a credential error quoting the token.
    const clock = new OffsetClock();
    const credential = new ScriptedCredential([{ token: TOKEN, expiresInMs: 3_600_000 }], () => Date.now());
    const tokenApp = await openApp(
      base,
      createAzureEntraModule({ credential, clock, timeoutMs: 1_000, logger: createConsoleLogger() }),
      events,
    );
    try {
      expect(await ask(tokenApp.session, "hello token")).toContain("hello token");
      clock.offsetMs = 2 * 3_600_000;
      credential.script({
        error: credentialFailure("AuthenticationError", `the broker refused Authorization: Bearer ${TOKEN}`),
      });
      const idle = nextIdle(tokenApp.session, 30_000);
      const failure = await tokenApp.session.sendAndWait("hello again", 30_000).then(
        () => undefined,
        (error: unknown) => error,
      );
      await idle;
      expect(failure).toBeInstanceOf(Error);
      expect((failure as Error).message).toMatch(/Provider token request failed/);
      expect((failure as Error).message).toMatch(/ScriptedCredential could not get a token/);
      texts.push(...renderings(failure), ...renderings(tokenApp.source));
    } finally {
      await tokenApp.close();
    }
  } finally {
    output.stop();
  }
  expect(foundry.requests.filter((r) => r.status === 200).map((r) => r.authKind)).toEqual([
    "bearer-key",
    "bearer-key",
    "bearer-key",
  ]);
  const all = [
    ...texts,
    output.text(),
    ...events.map((e) => `${JSON.stringify(e)} ${inspect(e, { depth: 10 })}`),
  ];
  expect(events.length).toBeGreaterThan(5);
  expect(leaksIn(all, { KEY_1, KEY_2, TOKEN })).toEqual([]);
}, 60_000);
