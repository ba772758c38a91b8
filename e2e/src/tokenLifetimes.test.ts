import { createAzureEntraModule, type TokenCacheEvent } from "@copilot-byok/azure-entra";
import { ask } from "@copilot-byok/test-utils/runtime";
import type { AzureEmulators } from "@copilot-byok/testing";
import { afterAll, beforeAll, expect, it } from "vitest";
import { openApp, type Stack, sleep, startStack } from "./harness.js";

// Scenario 2: with 20-second tokens and a short refresh window, sessions that keep talking across several
// token lifetimes never get a 401, and the token endpoint sees about one request per lifetime, not one per
// model request. Both wire APIs talk at the same time, each through its own source.
const LIFETIME_S = 20;
const WINDOW_MS = 8_000;
const TALK_MS = 45_000;
let stack: Stack;
let emulators: AzureEmulators;

beforeAll(async () => {
  stack = await startStack({ identity: { tokenLifetimeSeconds: LIFETIME_S } });
  emulators = stack.emulators;
});
afterAll(async () => {
  await stack?.close();
});

async function talk(wireApi: "responses" | "completions") {
  const events: TokenCacheEvent[] = [];
  const module = createAzureEntraModule({
    refreshWindowMs: WINDOW_MS,
    timeoutMs: 5_000,
    onEvent: (e) => events.push(e),
  });
  const env = {
    ...emulators.env("app-service"),
    COPILOT_PROVIDER_WIRE_API: wireApi,
    COPILOT_PROVIDER_MODEL_ID: "gpt-4.1",
  };
  const app = await openApp(stack.client, env, [module]);
  const started = Date.now();
  let sends = 0;
  try {
    while (Date.now() - started < TALK_MS && sends < 80) {
      sends += 1;
      expect(await ask(app.session, `${wireApi} ${sends}`)).toContain(`${wireApi} ${sends}`);
      await sleep(800);
    }
  } finally {
    await app.close();
  }
  return { wireApi, events, sends, elapsedS: (Date.now() - started) / 1000 };
}

it("tokens are refreshed in the background across lifetimes, never a 401, for both wire APIs", async () => {
  const runs = await Promise.all([talk("responses"), talk("completions")]);
  for (const { wireApi, events, sends, elapsedS } of runs) {
    const requests = emulators.foundry.requests.filter((r) => r.wireApi === wireApi);
    expect(requests.length).toBe(sends);
    expect(requests.filter((r) => r.status !== 200)).toEqual([]); // never a 401
    for (const r of requests) expect(r.tokenExpiresAt ?? 0).toBeGreaterThan(r.at); // never an expired token
    const lifetimes = Math.floor(elapsedS / LIFETIME_S);
    expect(new Set(requests.map((r) => r.tokenId)).size).toBeGreaterThanOrEqual(lifetimes);
    // About one token request per lifetime (each refreshed WINDOW_MS before expiry), not one per model request.
    const fetched = events.filter((e) => e.type === "refresh-succeeded");
    expect(fetched.length).toBeGreaterThanOrEqual(lifetimes);
    expect(fetched.length).toBeLessThanOrEqual(Math.ceil(elapsedS / (LIFETIME_S - WINDOW_MS / 1000)) + 1);
    expect(fetched.length).toBeLessThan(sends / 4);
    // Every refresh after the first ran in the background: no model request waited for a token.
    expect(fetched.slice(1).every((e) => e.background === true)).toBe(true);
    expect(events.filter((e) => e.type === "refresh-failed")).toEqual([]);
  }
  expect(emulators.identity.tokensIssued).toBe(
    runs.reduce((n, r) => n + r.events.filter((e) => e.type === "refresh-succeeded").length, 0),
  );
}, 120_000);
