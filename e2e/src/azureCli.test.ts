import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createAzureEntraModule, type TokenCacheEvent } from "@copilot-byok/azure-entra";
import { ask, startRuntime } from "@copilot-byok/test-utils/runtime";
import {
  type AzureEmulators,
  createFakeAzureCli,
  type FakeAzureCli,
  setProcessEnv,
  startAzureEmulators,
} from "@copilot-byok/testing";
import type { CopilotClient } from "@github/copilot-sdk";
import { afterAll, beforeAll, expect, it } from "vitest";
import { openApp } from "./harness.js";

// Scenario 5: the local-developer path: DefaultAzureCredential → AzureCliCredential → a fake `az` that
// serves tokens from the managed-identity emulator. No managed identity variables are set.
let emulators: AzureEmulators;
let az: FakeAzureCli;
let runtime: { client: CopilotClient; close(): Promise<void> };
let restoreEnv: () => void;
let home: string;

beforeAll(async () => {
  emulators = await startAzureEmulators();
  az = await createFakeAzureCli({ emulator: emulators.identity });
  home = await mkdtemp(join(tmpdir(), "e2e-az-home-"));
  // AzureCliCredential only (no IMDS probe, no other developer tools); `az` found first on PATH.
  restoreEnv = setProcessEnv({ ...az.env, AZURE_TOKEN_CREDENTIALS: "AzureCliCredential", HOME: home });
  runtime = await startRuntime();
});
afterAll(async () => {
  await runtime?.close();
  restoreEnv?.();
  await az?.cleanup();
  await emulators?.close();
  await rm(home, { recursive: true, force: true });
});

it.each(["responses", "completions"] as const)(
  "wire API %s: a session runs on the developer's az login",
  async (wireApi) => {
    emulators.foundry.reset();
    emulators.identity.reset();
    const events: TokenCacheEvent[] = [];
    const env = {
      AZURE_AI_FOUNDRY_RESOURCE_URL: emulators.foundry.resourceUrl,
      COPILOT_PROVIDER_WIRE_API: wireApi,
      COPILOT_PROVIDER_MODEL_ID: "gpt-4.1",
      AZURE_TOKEN_CREDENTIALS: "AzureCliCredential",
    };
    const app = await openApp(runtime.client, env, [
      createAzureEntraModule({ onEvent: (e) => events.push(e) }),
    ]);
    try {
      expect(app.selection.mode).toBe("azure-entra");
      expect(app.selection.reasons.join("\n")).toContain("AzureCliCredential");
      expect(await ask(app.session, `az ${wireApi}`)).toContain(`az ${wireApi}`);
    } finally {
      await app.close();
    }
    expect(emulators.foundry.requests.map((r) => [r.status, r.authKind])).toEqual([[200, "bearer-jwt"]]);
    expect(emulators.identity.requests.some((r) => r.protocol === "azure-cli")).toBe(true);
    expect(
      emulators.identity.requests.some((r) => r.protocol === "app-service" || r.protocol === "imds"),
    ).toBe(false);
    expect(events.some((e) => e.type === "refresh-succeeded")).toBe(true);
    // `az` was asked for the Cognitive Services resource, as AzureCliCredential does for the default scope.
    const cli = emulators.identity.requests.filter((r) => r.protocol === "azure-cli");
    expect(cli.map((r) => r.resource)).toEqual(["https://cognitiveservices.azure.com"]);
  },
  60_000,
);
