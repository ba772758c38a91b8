import { createAzureEntraModule } from "@copilot-byok/azure-entra";
import { ConfigurationError } from "@copilot-byok/core";
import { ask } from "@copilot-byok/test-utils/runtime";
import type { AzureEmulators } from "@copilot-byok/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openApp, type Stack, startStack } from "./harness.js";

// Scenario 4: a scope whose audience the Foundry emulator rejects → a clear error naming the audience.
const WRONG_SCOPE = "https://management.azure.com/.default";
let stack: Stack;
let emulators: AzureEmulators;

beforeAll(async () => {
  stack = await startStack();
  emulators = stack.emulators;
});
afterAll(async () => {
  await stack?.close();
});

describe.each(["responses", "completions"] as const)("wire API %s", (wireApi) => {
  const env = () => ({
    ...emulators.env("app-service"),
    COPILOT_PROVIDER_WIRE_API: wireApi,
    COPILOT_PROVIDER_MODEL_ID: "gpt-4.1",
    COPILOT_PROVIDER_TOKEN_SCOPE: WRONG_SCOPE,
  });

  it("with the provider's audience known (as for Azure hosts): refused before any request, naming both audiences", async () => {
    emulators.foundry.reset();
    const module = createAzureEntraModule({ expectedAudience: "https://cognitiveservices.azure.com" });
    const error = await openApp(stack.client, env(), [module]).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ConfigurationError);
    const text = (error as ConfigurationError).problems.join("\n");
    expect(text).toContain("the audience https://management.azure.com");
    expect(text).toContain("accepts only https://cognitiveservices.azure.com");
    expect(text).toContain("COPILOT_PROVIDER_TOKEN_SCOPE=https://cognitiveservices.azure.com/.default");
    expect(emulators.foundry.requestCount).toBe(0);
  });

  it("with an unknown host: the provider refuses the audience, the send fails within bounds, the rejection names it", async () => {
    emulators.foundry.reset();
    const app = await openApp(stack.client, env(), [createAzureEntraModule()]);
    try {
      const started = Date.now();
      const error = await ask(app.session, "hello", 60_000).then(
        () => undefined,
        (e: Error) => e,
      );
      expect(error?.message).toMatch(/HTTP 401/);
      expect(Date.now() - started).toBeLessThan(45_000);
    } finally {
      await app.close();
    }
    const rejected = emulators.foundry.requests;
    expect(rejected.length).toBeGreaterThan(0);
    for (const r of rejected) {
      expect(r.status).toBe(401);
      expect(r.rejectReason).toBe(
        "audience mismatch: expected https://cognitiveservices.azure.com, got https://management.azure.com",
      );
    }
  }, 60_000);
});
