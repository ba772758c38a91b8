import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type AzureEmulators, startAzureEmulators } from "@copilot-byok/testing";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createApp } from "./app.js";

const KEY = "example-di-key-0123456789";
let emulators: AzureEmulators;
let home: string;
beforeAll(async () => {
  emulators = await startAzureEmulators({ apiKeys: [KEY] });
  home = await mkdtemp(join(tmpdir(), "example-di-"));
  Object.assign(process.env, emulators.identity.env("app-service"));
});
afterAll(async () => {
  await emulators.close();
  await rm(home, { recursive: true, force: true });
});

it("switches mode by the environment alone: same ChatService, key then identity", async () => {
  const common = {
    ...emulators.env("app-service"),
    COPILOT_PROVIDER_MODEL_ID: "gpt-4.1",
    COPILOT_HOME: home,
  };
  const seen: string[] = [];
  for (const env of [{ ...common, COPILOT_PROVIDER_API_KEY: KEY }, common]) {
    const { app, chat } = createApp(env);
    try {
      seen.push(chat.mode);
      expect(await chat.ask(`hello in ${chat.mode}`)).toContain(`hello in ${chat.mode}`);
    } finally {
      await app.dispose();
    }
  }
  expect(seen).toEqual(["static-key", "azure-entra"]);
  expect(emulators.foundry.requests.map((r) => r.authKind)).toEqual(["bearer-key", "bearer-jwt"]);
}, 90_000);
