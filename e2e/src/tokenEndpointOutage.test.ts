import { createAzureEntraModule, type TokenCacheEvent } from "@copilot-byok/azure-entra";
import { ask, nextIdle } from "@copilot-byok/test-utils/runtime";
import { waitFor } from "@copilot-byok/test-utils/waitFor";
import type { AzureEmulators } from "@copilot-byok/testing";
import { afterAll, beforeAll, expect, it } from "vitest";
import { openApp, type Stack, sleep, startStack } from "./harness.js";

// Scenario 3: token endpoint down while a cached token is valid → requests keep working; down past expiry →
// the send fails promptly with a clear error (no hang); endpoint back → works again. Both wire APIs, in lockstep.
const LIFETIME_S = 20;
const WINDOW_MS = 12_000;
let stack: Stack;
let emulators: AzureEmulators;

beforeAll(async () => {
  stack = await startStack(
    { identity: { tokenLifetimeSeconds: LIFETIME_S } },
    { AZURE_TOKEN_CREDENTIALS: "ManagedIdentityCredential" },
  );
  emulators = stack.emulators;
});
afterAll(async () => {
  await stack?.close();
});

it("serves the cached token through an outage, fails promptly past expiry, recovers", async () => {
  const apps = await Promise.all(
    (["responses", "completions"] as const).map(async (wireApi) => {
      const events: TokenCacheEvent[] = [];
      const module = createAzureEntraModule({
        refreshWindowMs: WINDOW_MS,
        timeoutMs: 2_000,
        retry: { initialDelayMs: 500, maxDelayMs: 2_000 },
        onEvent: (e) => events.push(e),
      });
      const env = {
        ...emulators.env("app-service"),
        COPILOT_PROVIDER_WIRE_API: wireApi,
        COPILOT_PROVIDER_MODEL_ID: "gpt-4.1",
      };
      return { wireApi, events, ...(await openApp(stack.client, env, [module])) };
    }),
  );
  const askAll = (prompt: string) =>
    Promise.all(apps.map((a) => ask(a.session, `${prompt} ${a.wireApi}`, 60_000)));
  try {
    const t0 = Date.now();
    expect(await askAll("before")).toEqual([
      expect.stringContaining("before"),
      expect.stringContaining("before"),
    ]);

    // Down while the token is valid: answered from the cache, even inside the refresh window.
    emulators.identity.setDown(true);
    expect(await askAll("down-early")).toEqual([
      expect.stringContaining("down-early"),
      expect.stringContaining("down-early"),
    ]);
    await sleep(Math.max(0, t0 + 9_000 - Date.now())); // inside the refresh window, token still valid
    expect(await askAll("down-window")).toEqual([
      expect.stringContaining("down-window"),
      expect.stringContaining("down-window"),
    ]);
    for (const a of apps) {
      await waitFor(() => a.events.some((e) => e.type === "refresh-failed" && e.background === true), {
        timeoutMs: 5_000,
        everyMs: 50,
        what: "a failed background refresh",
      });
    }
    expect(await askAll("down-retrying")).toEqual([
      expect.stringContaining("down-retrying"),
      expect.stringContaining("down-retrying"),
    ]);

    // Down past expiry: the send fails, promptly and clearly.
    await sleep(Math.max(0, t0 + LIFETIME_S * 1000 + 500 - Date.now()));
    const failStarted = Date.now();
    const idle = Promise.all(apps.map((a) => nextIdle(a.session, 60_000)));
    const failures = await Promise.all(
      apps.map((a) =>
        ask(a.session, "down-expired", 60_000).then(
          () => undefined,
          (e: Error) => e,
        ),
      ),
    );
    const failedInMs = Date.now() - failStarted;
    for (const error of failures) {
      expect(error).toBeInstanceOf(Error);
      expect(error?.message).toMatch(/Provider token request failed/);
      expect(error?.message).toMatch(/DefaultAzureCredential/);
      expect(error?.message).not.toMatch(/eyJ[\w-]{10,}/);
    }
    expect(failedInMs).toBeLessThan(30_000); // the runtime's own retries (~5 s) plus our 2 s bounds: no hang

    await idle; // the failed turns have ended

    // Back: works again with a new token.
    emulators.identity.setDown(false);
    const afterReplies = await askAll("after");
    expect(afterReplies).toEqual([expect.stringContaining("after"), expect.stringContaining("after")]);
  } finally {
    await Promise.all(apps.map((a) => a.close()));
  }
  const served = emulators.foundry.requests;
  expect(served.filter((r) => r.status !== 200)).toEqual([]); // the provider never saw a bad token
  expect(new Set(served.map((r) => r.tokenId)).size).toBeGreaterThanOrEqual(2);
}, 120_000);
