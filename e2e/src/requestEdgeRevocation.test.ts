import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { azureEntraModule, createAzureEntraModule } from "@copilot-byok/azure-entra";
import type { RequestEdgeEvent } from "@copilot-byok/core";
import { ask, nextIdle } from "@copilot-byok/test-utils/runtime";
import { ScriptedCredential } from "@copilot-byok/test-utils/ScriptedCredential";
import { type AzureEmulatorsWithAuthority, setProcessEnv, startAzureEmulators } from "@copilot-byok/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type EdgeApp, failureOf, startEdgeApp } from "./requestEdgeHarness.js";
import { type CredentialApp, startCredentialApp } from "./startCredentialApp.js";

// A token revoked while a conversation goes on (the Foundry emulator's revokeTokens: 401 `token revoked` for the
// tokens issued until now), through the real runtime and the request edge: a credential that can give another
// token (a plug-in TokenCredential, a service principal) gets the next turn answered after exactly one 401 and
// one replay; a managed identity, whose MSAL cache hands back the same token, does not replay, and says why.
// Then a provider that refuses everything (one replay, bounded requests) and 100 sessions hitting one revoked
// token (one renewal).
const here = dirname(fileURLToPath(import.meta.url));
const EDGE_APP = join(here, "fixtures", "requestEdgeApp.mjs");
const SCOPE = "https://cognitiveservices.azure.com/.default";
let emulators: AzureEmulatorsWithAuthority;
let restoreEnv: () => void;
const apps: EdgeApp[] = [];
const children: CredentialApp[] = [];

beforeAll(async () => {
  emulators = await startAzureEmulators({ authority: true });
  // @azure/identity reads process.env itself (the managed-identity test's DefaultAzureCredential).
  restoreEnv = setProcessEnv(emulators.identity.env("app-service"));
});
afterAll(async () => {
  await Promise.all([...apps.splice(0).map((a) => a.close()), ...children.splice(0).map((c) => c.close())]);
  restoreEnv?.();
  await emulators?.close();
});

function resetEmulators(): void {
  emulators.foundry.reset();
  emulators.identity.reset();
  emulators.authority.reset();
}

async function open(options: Parameters<typeof startEdgeApp>[0]): Promise<EdgeApp> {
  const app = await startEdgeApp(options);
  apps.push(app);
  return app;
}

async function close(app: EdgeApp): Promise<void> {
  apps.splice(apps.indexOf(app), 1);
  await app.close();
}

/** A TokenCredential of the app's own that gets a new token from the identity emulator at every call. */
function pluginCredential(): ScriptedCredential {
  return new ScriptedCredential([{ accessToken: () => emulators.identity.issueToken({ audience: SCOPE }) }]);
}

const pluginEnv = () => ({
  AZURE_AI_FOUNDRY_RESOURCE_URL: emulators.foundry.resourceUrl,
  COPILOT_PROVIDER_MODEL_ID: "gpt-4.1",
});

const summary = (events: readonly RequestEdgeEvent[]) => events.map((e) => [e.type, e.status, e.replayed]);

describe("(b) the token in use is revoked mid-conversation", () => {
  it("a plug-in TokenCredential: the next turn answers after one 401 and one replay with a new token", async () => {
    resetEmulators();
    const credential = pluginCredential();
    const app = await open({ env: pluginEnv(), modules: [createAzureEntraModule({ credential })] });
    const session = await app.openSession();
    expect(await ask(session, "before the revocation", 60_000)).toContain("before the revocation");
    emulators.foundry.revokeTokens();
    expect(await ask(session, "after the revocation", 60_000)).toContain("after the revocation");
    expect(await ask(session, "on the new token", 60_000)).toContain("on the new token");
    await close(app);

    const requests = emulators.foundry.requests;
    expect(requests.map((r) => [r.status, r.rejectReason])).toEqual([
      [200, undefined],
      [401, "token revoked"],
      [200, undefined],
      [200, undefined],
    ]);
    const [first, refused, replayed, next] = requests.map((r) => r.tokenId);
    expect(refused).toBe(first);
    expect(replayed).not.toBe(first);
    expect(next).toBe(replayed);
    expect(summary(app.events)).toEqual([["request-replayed", 200, true]]);
    // One token at the start, one renewal: asked with a claims challenge (past any cache the credential has).
    expect(credential.calls).toHaveLength(2);
    expect(credential.calls[0]?.options?.claims).toBeUndefined();
    expect(typeof credential.calls[1]?.options?.claims).toBe("string");
  }, 120_000);

  it("a service principal (@azure/identity against the authority emulator, in an app process): one 401, one replay", async () => {
    resetEmulators();
    const app = await startCredentialApp(
      { ...emulators.env("service-principal"), COPILOT_PROVIDER_MODEL_ID: "gpt-4.1" },
      60_000,
      { fixture: EDGE_APP },
    );
    children.push(app);
    expect(app.opened.mode).toBe("azure-entra");
    expect(await app.ask("before the revocation")).toContain("before the revocation");
    emulators.foundry.revokeTokens();
    expect(await app.ask("after the revocation")).toContain("after the revocation");
    expect(await app.ask("on the new token")).toContain("on the new token");
    const seen = (await app.command("events")) as unknown as {
      events: RequestEdgeEvent[];
      delivery: string;
      provider: Record<string, string>;
    };
    await app.close();
    children.splice(children.indexOf(app), 1);

    expect(seen.delivery).toBe("request-edge");
    expect(Object.keys(seen.provider)).toEqual(["bearerToken"]);
    expect(seen.provider.bearerToken).toMatch(/^copilot-byok-edge-/);
    expect(emulators.foundry.requests.map((r) => [r.status, r.authKind, r.rejectReason])).toEqual([
      [200, "bearer-jwt", undefined],
      [401, "bearer-jwt", "token revoked"],
      [200, "bearer-jwt", undefined],
      [200, "bearer-jwt", undefined],
    ]);
    const ids = emulators.foundry.requests.map((r) => r.tokenId);
    expect(ids[1]).toBe(ids[0]);
    expect(ids[2]).not.toBe(ids[0]);
    expect(summary(seen.events)).toEqual([["request-replayed", 200, true]]);
    // Two token requests: the first token, and the renewal (MSAL's cache passed by with claims).
    const tokenRequests = emulators.authority.requests.filter((r) => r.endpoint === "token");
    expect(tokenRequests.map((r) => [r.credential, r.status])).toEqual([
      ["client-secret", 200],
      ["client-secret", 200],
    ]);
    expect(tokenRequests.map((r) => r.tokenId)).toEqual([ids[0], ids[2]]);
  }, 120_000);

  it("a managed identity (MSAL hands back the same token): the turn fails, no replay, the 401 explained", async () => {
    resetEmulators();
    const app = await open({
      env: { ...emulators.env("app-service"), COPILOT_PROVIDER_MODEL_ID: "gpt-4.1" },
      modules: [azureEntraModule],
    });
    const session = await app.openSession();
    expect(await ask(session, "before the revocation", 60_000)).toContain("before the revocation");
    emulators.foundry.revokeTokens();
    const idle = nextIdle(session, 60_000);
    const error = await failureOf(session.sendAndWait("after the revocation", 60_000));
    await idle;
    await close(app);

    expect(error?.message).toMatch(/HTTP 401/);
    const requests = emulators.foundry.requests;
    const refused = requests.slice(1);
    console.info(
      `(b) managed identity: ${refused.length} refused requests for the failed turn; events: ${JSON.stringify(summary(app.events))}`,
    );
    expect(requests[0]?.status).toBe(200);
    // Only the runtime's own attempts (3 with SDK 1.0.14), each refused, each with the one token there is.
    expect(refused.map((r) => [r.status, r.rejectReason])).toEqual([
      [401, "token revoked"],
      [401, "token revoked"],
      [401, "token revoked"],
    ]);
    expect(new Set(requests.map((r) => r.tokenId)).size).toBe(1);
    // The identity endpoint issued no second token: MSAL answered the renewal from its cache.
    expect(emulators.identity.tokensIssued).toBe(1);
    expect(emulators.identity.requestCount).toBe(1);
    expect(app.events.map((e) => [e.type, e.replayed])).toEqual(
      refused.map(() => ["credential-rejected", false]),
    );
    const first = app.events[0];
    expect(first?.message).toContain("the source has no other credential: not replayed");
    const explanation = first?.explanation?.join("\n") ?? "";
    console.info(`(b) managed identity explanation:\n${explanation}`);
    expect(explanation).toContain("by this machine's clock");
    expect(explanation).toContain("revoked");
  }, 120_000);
});

describe("(d) a provider that answers 401 to everything", () => {
  it("a renewable credential: one replay with a new token, refused too; the runtime's retries are not renewed", async () => {
    resetEmulators();
    const credential = pluginCredential();
    const app = await open({ env: pluginEnv(), modules: [createAzureEntraModule({ credential })] });
    const session = await app.openSession();
    expect(await ask(session, "while up", 60_000)).toContain("while up");
    emulators.foundry.setDown({
      status: 401,
      message: "Access denied: the resource refuses every credential.",
    });
    const idle = nextIdle(session, 60_000);
    const error = await failureOf(session.sendAndWait("while refusing", 60_000));
    await idle;
    emulators.foundry.setDown(false);
    await close(app);

    expect(error?.message).toMatch(/HTTP 401/);
    const refused = emulators.foundry.requests.slice(1);
    console.info(
      `(d) renewable token: ${refused.length} upstream requests for the refused turn; events ${JSON.stringify(summary(app.events))}; error: ${error?.message}`,
    );
    // The runtime's first attempt, its one replay, then the runtime's 2 retries (3 attempts with SDK 1.0.14).
    expect(refused).toHaveLength(4);
    expect(refused.every((r) => r.status === 401 && r.fault === "status 401")).toBe(true);
    const ids = refused.map((r) => r.tokenId);
    expect(ids[0]).not.toBe(ids[1]);
    expect(ids.slice(2)).toEqual([ids[1], ids[1]]);
    expect(summary(app.events)).toEqual([
      ["replay-rejected", 401, true],
      ["credential-rejected", 401, false],
      ["credential-rejected", 401, false],
    ]);
    expect(app.events[0]?.message).toMatch(
      /replayed once with a renewed bearer \(sha256:[0-9a-f]{8}\), refused too/,
    );
    expect(app.events[1]?.message).toContain("again, after a renewal: not renewed again, not replayed");
    // One token at the start and one renewal: the retries of a renewed, refused token ask for none.
    expect(credential.calls).toHaveLength(2);
  }, 120_000);
});
