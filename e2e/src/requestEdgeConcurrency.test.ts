import { join } from "node:path";
import { createAzureEntraModule } from "@copilot-byok/azure-entra";
import { fingerprint } from "@copilot-byok/core/plugin";
import type { KeyRotation } from "@copilot-byok/static-key";
import { KubernetesSecretVolume } from "@copilot-byok/test-utils/KubernetesSecretVolume";
import { ask } from "@copilot-byok/test-utils/runtime";
import { ScriptedCredential } from "@copilot-byok/test-utils/ScriptedCredential";
import { createTempDir } from "@copilot-byok/test-utils/tempDir";
import { type AzureEmulators, startAzureEmulators } from "@copilot-byok/testing";
import type { CopilotSession } from "@github/copilot-sdk";
import { afterAll, beforeAll, expect, it } from "vitest";
import { type EdgeApp, slowKeyFileModule, startEdgeApp } from "./requestEdgeHarness.js";

// (e) Many sessions of one app (one client, one runtime process serving them all, one source) talking at once
// when their token is revoked: every turn answers, and the credential is asked for ONE new token, however many
// requests were refused. A request whose credential is applied once the first 401 is back waits for the renewal
// (the cache forgot the refused token) and goes out with the new one: to have every session's request refused
// with the old token, the provider is slow to answer the first SESSIONS requests after the revocation
// (UPSTREAM_DELAY_MS, a delay only: the 401 is the revocation's), so that all of them are on their way before
// the first 401 comes back. (100 sessions on one runtime took about 10 s here: no need for fewer.)
const SESSIONS = 100;
const UPSTREAM_DELAY_MS = 4_000;
const SCOPE = "https://cognitiveservices.azure.com/.default";
const KEY = "e2e-edge-many-sessions-key-8d41b2";
let emulators: AzureEmulators;
let temp: Awaited<ReturnType<typeof createTempDir>>;
let app: EdgeApp | undefined;

beforeAll(async () => {
  emulators = await startAzureEmulators({ apiKeys: [KEY] });
  temp = await createTempDir("e2e-edge-many-");
});
afterAll(async () => {
  await app?.close();
  await emulators?.close();
  await temp?.remove();
});

/** `SESSIONS` sessions of `app`, and a function that makes them all talk at once (each reply checked). */
async function openSessions(edgeApp: EdgeApp) {
  const sessions: CopilotSession[] = [];
  for (let i = 0; i < SESSIONS; i++) sessions.push(await edgeApp.openSession());
  const turn = async (label: string) => {
    const replies = await Promise.all(sessions.map((s, i) => ask(s, `${label} ${i}`, 120_000)));
    expect(replies.filter((reply, i) => !reply.includes(`${label} ${i}`))).toEqual([]);
  };
  return { sessions, turn };
}

it(`${SESSIONS} concurrent sessions hit a revoked token: every turn answers after one renewal`, async () => {
  const issue = () => emulators.identity.issueToken({ audience: SCOPE });
  const credential = new ScriptedCredential([{ accessToken: issue }]);
  const started = performance.now();
  app = await startEdgeApp({
    env: {
      AZURE_AI_FOUNDRY_RESOURCE_URL: emulators.foundry.resourceUrl,
      COPILOT_PROVIDER_MODEL_ID: "gpt-4.1",
    },
    modules: [createAzureEntraModule({ credential })],
  });
  const { sessions, turn } = await openSessions(app);
  const opened = performance.now();
  emulators.foundry.reset();
  await turn("before");
  const firstTurn = performance.now();
  expect(emulators.foundry.requests.map((r) => r.status)).toEqual(sessions.map(() => 200));
  expect(credential.calls).toHaveLength(1);
  const oldToken = emulators.foundry.requests[0]?.tokenId;

  emulators.foundry.revokeTokens();
  emulators.foundry.enqueueFaults(sessions.map(() => ({ delayMs: UPSTREAM_DELAY_MS })));
  const mark = emulators.foundry.requests.length;
  await turn("after");
  const secondTurn = performance.now();

  const requests = emulators.foundry.requests.slice(mark);
  const refused = requests.filter((r) => r.status === 401);
  const served = requests.filter((r) => r.status === 200);
  console.info(
    `(e) ${SESSIONS} sessions on one runtime: opened in ${Math.round(opened - started)} ms, first turn ${Math.round(firstTurn - opened)} ms, ` +
      `second turn (revoked) ${Math.round(secondTurn - firstTurn)} ms; second turn: ${requests.length} upstream requests, ` +
      `${refused.length} refused (401), ${served.length} served; getToken calls ${credential.calls.length}; ` +
      `edge events ${app.events.length}`,
  );
  // ONE renewal for all of them: the first token and one more.
  expect(credential.calls).toHaveLength(2);
  expect(typeof credential.calls[1]?.options?.claims).toBe("string");
  // Every session's turn was served once; each refusal was of the old token and was replayed once.
  expect(served).toHaveLength(SESSIONS);
  expect(refused.every((r) => r.tokenId === oldToken && r.rejectReason === "token revoked")).toBe(true);
  expect(requests).toHaveLength(SESSIONS + refused.length);
  expect(new Set(served.map((r) => r.tokenId)).size).toBe(1);
  expect(served[0]?.tokenId).not.toBe(oldToken);
  expect(app.events.map((e) => e.type)).toEqual(refused.map(() => "request-replayed"));
  // Every session's request went out with the revoked token (none waited for the renewal: see the top).
  expect(refused).toHaveLength(SESSIONS);
  await app.close();
  app = undefined;
}, 300_000);

it(`${SESSIONS} concurrent sessions hit a regenerated key rotated into the file: the file adopted once, every turn answers`, async () => {
  const keyFile = slowKeyFileModule();
  const volume = await KubernetesSecretVolume.create(join(temp.path, "secret"), { "api-key": `${KEY}\n` });
  const started = performance.now();
  app = await startEdgeApp({
    env: {
      AZURE_AI_FOUNDRY_RESOURCE_URL: emulators.foundry.resourceUrl,
      COPILOT_PROVIDER_MODEL_ID: "gpt-4.1",
      COPILOT_PROVIDER_API_KEY_FILE: volume.path("api-key"),
    },
    modules: [keyFile.module],
  });
  const { sessions, turn } = await openSessions(app);
  const rotations: KeyRotation[] = [];
  keyFile.source().onKeyRotated((r) => rotations.push(r));
  emulators.foundry.reset();
  await turn("before");
  const firstTurn = performance.now();
  expect(emulators.foundry.requests.map((r) => r.status)).toEqual(sessions.map(() => 200));

  const newKey = emulators.foundry.regenerateKey(KEY);
  await volume.update({ "api-key": `${newKey}\n` });
  emulators.foundry.enqueueFaults(sessions.map(() => ({ delayMs: UPSTREAM_DELAY_MS })));
  const mark = emulators.foundry.requests.length;
  await turn("after");
  const secondTurn = performance.now();

  const requests = emulators.foundry.requests.slice(mark);
  const refused = requests.filter((r) => r.status === 401);
  const served = requests.filter((r) => r.status === 200);
  console.info(
    `(e, key file) ${SESSIONS} sessions: first turn done ${Math.round(firstTurn - started)} ms after start, ` +
      `second turn ${Math.round(secondTurn - firstTurn)} ms; ${requests.length} upstream requests, ${refused.length} refused, ` +
      `${served.length} served; rotations ${JSON.stringify(rotations.map((r) => r.trigger))}`,
  );
  // ONE renewal: the file adopted once, because of a refusal (no poll, no watch in time: see slowKeyFileModule).
  expect(rotations.map((r) => [r.trigger, r.fingerprint, r.rotations])).toEqual([
    ["refusal", fingerprint(newKey), 1],
  ]);
  expect(served).toHaveLength(SESSIONS);
  expect(served.every((r) => r.keyFingerprint === fingerprint(newKey))).toBe(true);
  expect(
    refused.every((r) => r.keyFingerprint === fingerprint(KEY) && r.rejectReason === "invalid key"),
  ).toBe(true);
  expect(requests).toHaveLength(SESSIONS + refused.length);
  expect(app.events.map((e) => e.type)).toEqual(refused.map(() => "request-replayed"));
  expect(refused).toHaveLength(SESSIONS);
  await app.close();
  app = undefined;
}, 300_000);
