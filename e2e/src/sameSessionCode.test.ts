import { ask } from "@copilot-byok/test-utils/runtime";
import type { AzureEmulators } from "@copilot-byok/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openApp, type Stack, startStack } from "./harness.js";

// Scenario 1: one session function, unchanged, runs in static-key and azure-entra mode, chosen only by env
// vars through registerCopilotByok, with both wire APIs, through the real runtime.
const KEY = "e2e-static-key-4c8d1a7f93b2";
let stack: Stack;
let emulators: AzureEmulators;

beforeAll(async () => {
  stack = await startStack({ apiKeys: [KEY] });
  emulators = stack.emulators;
});
afterAll(async () => {
  await stack?.close();
});

describe.each(["responses", "completions"] as const)("wire API %s", (wireApi) => {
  it.each([
    ["static-key", { COPILOT_PROVIDER_API_KEY: KEY }, "bearer-key"],
    ["azure-entra", {}, "bearer-jwt"],
  ] as const)(
    "%s mode",
    async (mode, extra, authKind) => {
      emulators.foundry.reset();
      const env = {
        ...emulators.env("app-service"),
        COPILOT_PROVIDER_WIRE_API: wireApi,
        COPILOT_PROVIDER_MODEL_ID: "gpt-4.1",
        ...extra,
      };
      const app = await openApp(stack.client, env);
      try {
        expect(app.selection.mode).toBe(mode);
        expect(await ask(app.session, `hello ${mode} ${wireApi}`)).toContain(`hello ${mode} ${wireApi}`);
        expect(await ask(app.session, "and again")).toContain("and again");
      } finally {
        await app.close();
      }
      const requests = emulators.foundry.requests;
      expect(requests.length).toBe(2);
      for (const r of requests) {
        expect(r).toMatchObject({ status: 200, wireApi, authKind, model: "gpt-4.1" });
      }
    },
    60_000,
  );
});
