import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { silentLogger } from "@copilot-byok/core";
import { type AzureEmulators, startAzureEmulators } from "@copilot-byok/testing";
import { afterAll, beforeAll, expect, it } from "vitest";
import { startChatServer } from "./startChatServer.js";

let emulators: AzureEmulators;
let home: string;
beforeAll(async () => {
  emulators = await startAzureEmulators();
  home = await mkdtemp(join(tmpdir(), "example-server-"));
  Object.assign(process.env, emulators.identity.env("app-service"));
});
afterAll(async () => {
  await emulators.close();
  await rm(home, { recursive: true, force: true });
});

it("serves a session per request with one cached token, and shuts down gracefully", async () => {
  const env = { ...emulators.env("app-service"), COPILOT_PROVIDER_MODEL_ID: "gpt-4.1", COPILOT_HOME: home };
  const server = await startChatServer(env, { logger: silentLogger, drainTimeoutMs: 10_000 });
  try {
    const health = await (await fetch(`${server.url}/healthz`, { signal: AbortSignal.timeout(5000) })).json();
    expect(health).toMatchObject({ mode: "azure-entra", closing: false });
    expect(JSON.stringify(health)).not.toMatch(/eyJ/);
    const ask = (prompt: string) =>
      fetch(`${server.url}/ask`, {
        method: "POST",
        body: JSON.stringify({ prompt }),
        signal: AbortSignal.timeout(60_000),
      }).then((r) => r.json() as Promise<{ reply: string; mode: string }>);
    const replies = await Promise.all([ask("one"), ask("two"), ask("three")]);
    expect(replies.map((r) => r.mode)).toEqual(["azure-entra", "azure-entra", "azure-entra"]);
    replies.forEach((r, i) => {
      expect(r.reply).toContain(["one", "two", "three"][i]);
    });
    expect(emulators.identity.tokensIssued).toBe(1); // one token served every request
    const bad = await fetch(`${server.url}/ask`, {
      method: "POST",
      body: "{}",
      signal: AbortSignal.timeout(5000),
    });
    expect(bad.status).toBe(400);
  } finally {
    await server.close();
  }
  await expect(fetch(`${server.url}/healthz`, { signal: AbortSignal.timeout(2000) })).rejects.toThrow();
}, 90_000);
