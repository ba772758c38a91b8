import type { CopilotClient, CopilotRequestContext } from "@github/copilot-sdk";
import { approveAll, CopilotRequestHandler, CopilotClient as SdkClient } from "@github/copilot-sdk";
import "reflect-metadata";
import { container as root } from "tsyringe";
import { describe, expect, it } from "vitest";
import { CopilotSessionFactory } from "./CopilotSessionFactory.js";
import {
  createCopilotByokRequestHandler,
  requestEdgeOf,
  requestHandlerProblem,
} from "./createCopilotByokRequestHandler.js";
import { createProviderConfigSource } from "./createProviderConfigSource.js";
import type { CopilotSdk } from "./loadCopilotSdk.js";
import { registerCopilotByok } from "./registerCopilotByok.js";
import { FakeCopilotClient } from "./test-support/FakeCopilotClient.js";
import { testModule } from "./test-support/testModules.js";
import type { ProviderConfigSource } from "./types.js";

// How the factory hands credentials over: a placeholder when the client carries copilot-byok's request handler,
// the credential itself otherwise; what registerCopilotByok installs.

const BASE = "https://res.openai.azure.com/openai/v1/";
const TOKEN = "canary-token-0123456789abcdef";
const KEY = "canary-key-0123456789abcdef";

function source(kind: "bearer" | "api-key", fetches = { count: 0 }): ProviderConfigSource {
  return createProviderConfigSource({
    mode: kind === "bearer" ? "test-token" : "test-key",
    provider: { baseUrl: BASE, type: "openai", wireApi: "responses" },
    credentialKind: kind,
    credential: {
      get: async () => {
        fetches.count++;
        return kind === "bearer" ? TOKEN : KEY;
      },
    },
  });
}

/** A fake client carrying `requestHandler` where the SDK's client keeps it. */
function clientWith(requestHandler: unknown) {
  const fake = new FakeCopilotClient();
  Object.assign(fake, { requestHandler });
  return fake;
}

const ctx = (): CopilotRequestContext => ({
  requestId: "r1",
  sessionId: "s1",
  transport: "http",
  url: `${BASE}responses`,
  headers: {},
  signal: new AbortController().signal,
});

describe("CopilotSessionFactory and the request edge", () => {
  it("hands the runtime a placeholder, never the token, on a client with the request handler", async () => {
    const fake = clientWith(createCopilotByokRequestHandler());
    const tokens = source("bearer");
    const factory = new CopilotSessionFactory(tokens, fake.asClient(), {});
    await factory.createSession({ model: "gpt-4.1", onPermissionRequest: approveAll });
    const provider = fake.created[0]?.provider;
    expect(provider).toMatchObject({ baseUrl: BASE, type: "openai", wireApi: "responses" });
    expect(provider?.bearerToken).toMatch(/^copilot-byok-edge-[0-9a-f]{24}$/);
    expect(provider).not.toHaveProperty("bearerTokenProvider");
    expect(provider).not.toHaveProperty("apiKey");
    expect(JSON.stringify(fake.created)).not.toContain(TOKEN);
    expect(factory.describe().credentialDelivery).toBe("request-edge");
    // The source's own config stays complete, for apps that create sessions themselves.
    expect(typeof (await tokens.getProviderConfig()).bearerTokenProvider).toBe("function");
  });

  it("hands a key source's sessions an apiKey placeholder", async () => {
    const fake = clientWith(createCopilotByokRequestHandler());
    const factory = new CopilotSessionFactory(source("api-key"), fake.asClient(), {});
    await factory.resumeSession("s0", { onPermissionRequest: approveAll });
    const provider = fake.resumed[0]?.config.provider;
    expect(provider?.apiKey).toMatch(/^copilot-byok-edge-/);
    expect(provider).not.toHaveProperty("bearerTokenProvider");
    expect(JSON.stringify(fake.resumed)).not.toContain(KEY);
  });

  it("hands the credential to the runtime as before on a client without it", async () => {
    for (const [handler, label] of [
      [undefined, "no handler"],
      [new (class Own extends CopilotRequestHandler {})(), "a handler of another kind"],
    ] as const) {
      const fake = clientWith(handler);
      const factory = new CopilotSessionFactory(source("api-key"), fake.asClient(), {});
      await factory.createSession({ model: "gpt-4.1", onPermissionRequest: approveAll });
      expect(fake.created[0]?.provider?.apiKey, label).toBe(KEY);
      expect(factory.describe().credentialDelivery, label).toBe("runtime-key");
    }
    const fake = new FakeCopilotClient();
    const factory = new CopilotSessionFactory(source("bearer"), fake.asClient(), {});
    expect((await factory.ready()).credentialDelivery).toBe("runtime-token-provider");
  });

  it("ready() fetches the credential and reports; it throws what the first session would", async () => {
    const fetches = { count: 0 };
    const fake = clientWith(createCopilotByokRequestHandler());
    const factory = new CopilotSessionFactory(source("bearer", fetches), fake.asClient(), {});
    expect(await factory.ready()).toEqual({ mode: "test-token", credentialDelivery: "request-edge" });
    expect(fetches.count).toBe(1);
    const failing = createProviderConfigSource({
      mode: "failing",
      provider: { baseUrl: BASE, type: "openai", wireApi: "responses" },
      credentialKind: "bearer",
      credential: { get: () => Promise.reject(new Error("token endpoint unreachable")) },
    });
    await expect(new CopilotSessionFactory(failing, fake.asClient(), {}).ready()).rejects.toThrow(
      "token endpoint unreachable",
    );
  });

  it("composes a handler of the app's own: copilot-byok sets the credential, the app's handler sends", async () => {
    const seen: string[] = [];
    class Mine extends CopilotRequestHandler {
      protected override async sendRequest(request: Request): Promise<Response> {
        seen.push(request.headers.get("authorization") ?? "none");
        return new Response("ok");
      }
    }
    const handler = createCopilotByokRequestHandler({ next: new Mine() });
    const fake = clientWith(handler);
    const factory = new CopilotSessionFactory(source("bearer"), fake.asClient(), {});
    await factory.createSession({ model: "gpt-4.1", onPermissionRequest: approveAll });
    const placeholder = fake.created[0]?.provider?.bearerToken as string;
    const send = (
      handler as unknown as { sendRequest(r: Request, c: CopilotRequestContext): Promise<Response> }
    ).sendRequest;
    const request = new Request(`${BASE}responses`, {
      method: "POST",
      headers: { authorization: `Bearer ${placeholder}` },
      body: "{}",
    });
    expect((await send.call(handler, request, ctx())).status).toBe(200);
    expect(seen).toEqual([`Bearer ${TOKEN}`]);
  });

  it("applies the credential to a WebSocket's headers when it opens", async () => {
    const opened: Array<Record<string, string[] | undefined>> = [];
    class Mine extends CopilotRequestHandler {
      protected override async openWebSocket(c: CopilotRequestContext) {
        opened.push({ ...c.headers });
        return undefined as never;
      }
    }
    const handler = createCopilotByokRequestHandler({ next: new Mine() });
    const fake = clientWith(handler);
    const factory = new CopilotSessionFactory(source("bearer"), fake.asClient(), {});
    await factory.createSession({ model: "gpt-4.1", onPermissionRequest: approveAll });
    const placeholder = fake.created[0]?.provider?.bearerToken as string;
    const open = (handler as unknown as { openWebSocket(c: CopilotRequestContext): Promise<unknown> })
      .openWebSocket;
    const wsContext = {
      ...ctx(),
      transport: "websocket" as const,
      url: "wss://res.openai.azure.com/openai/v1/responses",
    };
    wsContext.headers = { Authorization: [`Bearer ${placeholder}`], "x-other": ["1"] };
    await open.call(handler, wsContext);
    expect(opened).toEqual([{ authorization: [`Bearer ${TOKEN}`], "x-other": ["1"] }]);
  });

  it("detects an SDK that cannot carry the edge instead of assuming it", () => {
    expect(requestHandlerProblem({} as CopilotSdk)).toContain("has no CopilotRequestHandler");
    const changed = { CopilotRequestHandler: class {} } as unknown as CopilotSdk;
    expect(requestHandlerProblem(changed)).toContain("has no sendRequest/openWebSocket hooks");
    expect(() => createCopilotByokRequestHandler({ sdk: changed })).toThrow(
      expect.objectContaining({ name: "ConfigurationError" }),
    );
    const real = new SdkClient({ useLoggedInUser: false, requestHandler: createCopilotByokRequestHandler() });
    expect(requestEdgeOf(real)).toBeDefined();
    expect(requestEdgeOf(new SdkClient({ useLoggedInUser: false }))).toBeUndefined();
  });
});

describe("registerCopilotByok and the request edge", () => {
  const module = testModule("fixed", () => ({ applicable: true, reasons: ["test"] }));

  async function defaultClient(options: Partial<Parameters<typeof registerCopilotByok>[1]> = {}) {
    const container = root.createChildContainer();
    registerCopilotByok(container, { env: {}, modules: [module], ...options });
    const client: CopilotClient = await container.resolve(CopilotSessionFactory).getClient();
    return { container, client };
  }

  it("installs the request handler on the default client, unless requestEdge is false", async () => {
    const on = await defaultClient();
    expect(requestEdgeOf(on.client)).toBeDefined();
    await on.container.dispose();
    const off = await defaultClient({ requestEdge: false });
    expect(requestEdgeOf(off.client)).toBeUndefined();
    await off.container.dispose();
  });

  it("composes the app's clientOptions.requestHandler with it", async () => {
    const mine = new (class Mine extends CopilotRequestHandler {})();
    const { container, client } = await defaultClient({ clientOptions: { requestHandler: mine } });
    expect(requestEdgeOf(client)).toBeDefined();
    await container.dispose();
    const off = await defaultClient({ requestEdge: false, clientOptions: { requestHandler: mine } });
    expect((off.client as unknown as { requestHandler: unknown }).requestHandler).toBe(mine);
    await off.container.dispose();
  });

  it("warmUp fetches the first credential at registration; a failure is logged, not thrown", async () => {
    const fetches = { count: 0 };
    const warm = {
      mode: "warm",
      detect: () => ({ applicable: true, reasons: ["test"] }),
      create: () => source("bearer", fetches),
    };
    const container = root.createChildContainer();
    registerCopilotByok(container, { env: {}, modules: [warm], warmUp: true });
    await expect.poll(() => fetches.count).toBe(1);
    await container.dispose();

    const warnings: string[] = [];
    const broken = {
      ...warm,
      create: () => {
        throw new Error("no credential here");
      },
    };
    const other = root.createChildContainer();
    const logger = { debug() {}, info() {}, error() {}, warn: (m: string) => warnings.push(m) };
    registerCopilotByok(other, { env: {}, modules: [broken], warmUp: true, logger });
    await expect.poll(() => warnings.join("\n")).toContain("copilot-byok warm-up failed");
    await other.dispose();
  });
});
