import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type AzureEmulators, startAzureEmulators } from "@copilot-byok/testing";
import { afterAll, beforeAll, expect, it } from "vitest";
import { askWithManagedIdentity } from "./app.js";

let emulators: AzureEmulators;
let home: string;
beforeAll(async () => {
  emulators = await startAzureEmulators();
  home = await mkdtemp(join(tmpdir(), "example-basic-entra-"));
  Object.assign(process.env, emulators.identity.env("app-service")); // read by @azure/identity itself
});
afterAll(async () => {
  await emulators.close();
  await rm(home, { recursive: true, force: true });
});

it("asks the model with a managed identity token (smoke run against the emulators)", async () => {
  const reply = await askWithManagedIdentity(
    { ...emulators.env("app-service"), COPILOT_PROVIDER_MODEL_ID: "gpt-4.1", COPILOT_HOME: home },
    "hello from basic-entra",
  );
  expect(reply).toContain("hello from basic-entra");
  expect(emulators.foundry.requests.map((r) => [r.status, r.authKind])).toEqual([[200, "bearer-jwt"]]);
  expect(emulators.identity.tokensIssued).toBe(1);
}, 60_000);
