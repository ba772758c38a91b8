import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type AzureEmulators, startAzureEmulators } from "@copilot-byok/testing";
import { afterAll, beforeAll, expect, it } from "vitest";
import { askWithStaticKey } from "./app.js";

const KEY = "example-static-key-0123456789";
let emulators: AzureEmulators;
let home: string;
beforeAll(async () => {
  emulators = await startAzureEmulators({ apiKeys: [KEY] });
  home = await mkdtemp(join(tmpdir(), "example-static-key-"));
});
afterAll(async () => {
  await emulators.close();
  await rm(home, { recursive: true, force: true });
});

it("asks the model with a key from the environment", async () => {
  const env = {
    AZURE_AI_FOUNDRY_RESOURCE_URL: emulators.foundry.resourceUrl,
    COPILOT_PROVIDER_MODEL_ID: "gpt-4.1",
  };
  const reply = await askWithStaticKey(
    { ...env, COPILOT_PROVIDER_API_KEY: KEY, COPILOT_HOME: home },
    "hi from env",
  );
  expect(reply).toContain("hi from env");
}, 60_000);

it("asks the model with a key from a mounted secret file, with type azure (api-key header)", async () => {
  const file = join(home, "byok-key");
  await writeFile(file, `${KEY}\n`);
  const env = {
    AZURE_OPENAI_ENDPOINT: emulators.foundry.resourceUrl,
    COPILOT_PROVIDER_TYPE: "azure",
    COPILOT_PROVIDER_WIRE_API: "completions",
    COPILOT_PROVIDER_MODEL_ID: "gpt-4.1",
    COPILOT_PROVIDER_API_KEY_FILE: file,
    COPILOT_HOME: home,
  };
  emulators.foundry.reset();
  const reply = await askWithStaticKey(env, "hi from file");
  expect(reply).toContain("hi from file");
  expect(emulators.foundry.requests[0]).toMatchObject({ status: 200, wireApi: "completions" });
}, 60_000);
