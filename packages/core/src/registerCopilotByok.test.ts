import "reflect-metadata";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { inspect } from "node:util";
import { CopilotClient } from "@github/copilot-sdk";
import { inject, injectable, instanceCachingFactory, container as rootContainer } from "tsyringe";
import { afterEach, describe, expect, it, vi } from "vitest";
import { ConfigurationError } from "./ConfigurationError.js";
import { CopilotSessionFactory } from "./CopilotSessionFactory.js";
import { registerCopilotByok } from "./registerCopilotByok.js";
import { FakeCopilotClient } from "./test-support/FakeCopilotClient.js";
import { CANARY_KEY, identityLikeModule, keyLikeModule } from "./test-support/testModules.js";
import {
  COPILOT_BYOK_ENV,
  COPILOT_BYOK_SELECTION,
  COPILOT_CLIENT,
  PROVIDER_CONFIG_SOURCE,
} from "./tokens.js";
import type { ProviderConfigSource } from "./types.js";

const FOUNDRY = {
  AZURE_AI_FOUNDRY_RESOURCE_URL: "https://r.services.ai.azure.com",
  COPILOT_PROVIDER_MODEL_ID: "gpt-4.1",
};
const KEY_ENV = { ...FOUNDRY, COPILOT_PROVIDER_API_KEY: CANARY_KEY };

/** An app service written with decorators and explicit tokens (no decorator metadata needed). */
@injectable()
class ChatService {
  constructor(
    @inject(PROVIDER_CONFIG_SOURCE) readonly source: ProviderConfigSource,
    @inject(CopilotSessionFactory) readonly sessions: CopilotSessionFactory,
  ) {}
  async ask() {
    return this.sessions.createSession({});
  }
}

/** The same service without decorators. */
class PlainChatService {
  constructor(readonly sessions: CopilotSessionFactory) {}
}

afterEach(() => {
  vi.restoreAllMocks();
  rootContainer.clearInstances();
  rootContainer.reset();
});

describe("registerCopilotByok", () => {
  it("registers the selected source in the root container, created once and lazily", () => {
    const modules = [keyLikeModule(), identityLikeModule()];
    const selection = registerCopilotByok(rootContainer, {
      env: KEY_ENV,
      modules,
      client: new FakeCopilotClient().asClient(),
    });
    expect(selection.mode).toBe("static-key");
    expect(modules[0]?.created).toHaveLength(0);
    const a = rootContainer.resolve(PROVIDER_CONFIG_SOURCE);
    const b = rootContainer.resolve(PROVIDER_CONFIG_SOURCE);
    expect(a).toBe(b);
    expect(modules[0]?.created).toEqual([a]);
    expect(rootContainer.resolve(COPILOT_BYOK_SELECTION)).toBe(selection);
    expect(rootContainer.resolve(COPILOT_BYOK_ENV)).toEqual(KEY_ENV);
    const context = modules[0]?.contexts[0];
    expect(context?.selection).toBe(selection);
    expect(context?.env).toEqual(KEY_ENV);
  });

  it("switches mode by the environment alone, in separate child containers", async () => {
    const client = new FakeCopilotClient();
    const keyApp = rootContainer.createChildContainer();
    const identityApp = rootContainer.createChildContainer();
    const modules = [keyLikeModule(), identityLikeModule()];
    expect(registerCopilotByok(keyApp, { env: KEY_ENV, modules, client: client.asClient() }).mode).toBe(
      "static-key",
    );
    expect(registerCopilotByok(identityApp, { env: FOUNDRY, modules, client: client.asClient() }).mode).toBe(
      "azure-entra",
    );
    const k = keyApp.resolve(ChatService);
    const i = identityApp.resolve(ChatService);
    expect(k.source.mode).toBe("static-key");
    expect(i.source.mode).toBe("azure-entra");
    await k.ask();
    await i.ask();
    expect(client.created.map((c) => c.model)).toEqual(["gpt-4.1", "gpt-4.1"]);
    expect(rootContainer.isRegistered(PROVIDER_CONFIG_SOURCE)).toBe(false);
    // A grandchild container sees its parent's registrations.
    expect(keyApp.createChildContainer().resolve(PROVIDER_CONFIG_SOURCE)).toBe(k.source);
  });

  it("works without decorators, through factory registration", async () => {
    const client = new FakeCopilotClient();
    const app = rootContainer.createChildContainer();
    registerCopilotByok(app, { env: KEY_ENV, modules: [keyLikeModule()], client: client.asClient() });
    app.register(PlainChatService, {
      useFactory: instanceCachingFactory((c) => new PlainChatService(c.resolve(CopilotSessionFactory))),
    });
    const service = app.resolve(PlainChatService);
    await service.sessions.createSession({ model: "m" });
    expect(client.created[0]?.provider).toMatchObject({
      baseUrl: "https://r.services.ai.azure.com/openai/v1/",
    });
  });

  it("disposes the source and stops the default client with the container, and nothing else", async () => {
    const stop = vi.spyOn(CopilotClient.prototype, "stop").mockResolvedValue([]);
    const modules = [keyLikeModule()];
    const app = rootContainer.createChildContainer();
    registerCopilotByok(app, { env: KEY_ENV, modules });
    const client = await app.resolve(CopilotSessionFactory).getClient();
    expect(client).toBeInstanceOf(CopilotClient);
    expect(app.resolve(COPILOT_CLIENT)).toBe(client);
    expect(await app.resolve(CopilotSessionFactory).getClient()).toBe(client);
    app.resolve(PROVIDER_CONFIG_SOURCE);
    expect(stop).not.toHaveBeenCalled();
    await app.dispose();
    expect(stop).toHaveBeenCalledTimes(1);
    expect(modules[0]?.created[0]?.disposed).toBe(1);

    const own = new FakeCopilotClient();
    const other = rootContainer.createChildContainer();
    registerCopilotByok(other, { env: KEY_ENV, modules, client: own.asClient() });
    expect(await other.resolve(CopilotSessionFactory).getClient()).toBe(own);
    other.resolve(COPILOT_CLIENT);
    await other.dispose();
    expect(own.stops).toBe(0); // a client you pass in stays yours
  });

  it("creates the default client with the first session, once, and COPILOT_CLIENT resolves to it", async () => {
    vi.spyOn(CopilotClient.prototype, "stop").mockResolvedValue([]);
    const createSession = vi
      .spyOn(CopilotClient.prototype, "createSession")
      .mockResolvedValue({ sessionId: "s" } as never);
    const app = rootContainer.createChildContainer();
    registerCopilotByok(app, { env: KEY_ENV, modules: [keyLikeModule()] });
    const sessions = app.resolve(CopilotSessionFactory);
    await Promise.all([sessions.createSession({ model: "m" }), sessions.createSession({ model: "m" })]);
    const client = app.resolve(COPILOT_CLIENT);
    expect(createSession.mock.contexts).toEqual([client, client]);
    await app.dispose();
  });

  it("a synchronous resolve of COPILOT_CLIENT before any session creates the client then; sessions use it", async () => {
    const app = rootContainer.createChildContainer();
    registerCopilotByok(app, { env: KEY_ENV, modules: [keyLikeModule()] });
    const early = app.resolve(COPILOT_CLIENT) as { stop(): Promise<unknown>; createSession: unknown };
    expect(typeof early.createSession).toBe("function");
    expect(app.resolve(COPILOT_CLIENT)).toBe(early);
    expect(await app.resolve(CopilotSessionFactory).getClient()).toBe(early);
    await app.dispose(); // stops it: it was never started
  });

  it("creates no default client after the container is disposed", async () => {
    const app = rootContainer.createChildContainer();
    registerCopilotByok(app, { env: KEY_ENV, modules: [keyLikeModule()] });
    const sessions = app.resolve(CopilotSessionFactory);
    await app.dispose();
    await expect(sessions.getClient()).rejects.toMatchObject({ code: "COPILOT_BYOK_DISPOSED" });
  });

  it("creates no client and no source until something asks", async () => {
    const ctor = vi.spyOn(CopilotClient.prototype, "stop");
    const modules = [keyLikeModule()];
    const app = rootContainer.createChildContainer();
    registerCopilotByok(app, { env: KEY_ENV, modules });
    await app.dispose();
    expect(ctor).not.toHaveBeenCalled();
    expect(modules[0]?.created).toHaveLength(0);
  });

  it("starts the real default client on first session use and stops its runtime on dispose", async () => {
    const baseDirectory = await mkdtemp(join(tmpdir(), "copilot-byok-core-"));
    try {
      const app = rootContainer.createChildContainer();
      registerCopilotByok(app, {
        env: KEY_ENV,
        modules: [keyLikeModule()],
        clientOptions: { logLevel: "none", baseDirectory },
      });
      const client = await app.resolve(CopilotSessionFactory).getClient();
      await client.start();
      expect(await client.getStatus()).toBeTruthy();
      await app.dispose();
      await expect(client.getStatus()).rejects.toThrow();
    } finally {
      await rm(baseDirectory, { recursive: true, force: true });
    }
  }, 60_000);

  it("throws a ConfigurationError listing every problem, registering nothing", () => {
    const app = rootContainer.createChildContainer();
    let error: unknown;
    try {
      registerCopilotByok(app, {
        env: {
          COPILOT_PROVIDER_AUTH: "entra",
          COPILOT_PROVIDER_TYPE: "x",
          COPILOT_PROVIDER_API_KEY: CANARY_KEY,
        },
        modules: [keyLikeModule(), identityLikeModule()],
      });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigurationError);
    expect((error as ConfigurationError).problems).toHaveLength(3); // mode, type, and the endpoint every mode needs
    expect(String((error as Error).message)).not.toContain(CANARY_KEY);
    expect(app.isRegistered(PROVIDER_CONFIG_SOURCE)).toBe(false);
  });

  it("registers an environment that renders without its values, while reads are unchanged", () => {
    const app = rootContainer.createChildContainer();
    const queryKey = "canary-query-key-0a1b2c3d";
    registerCopilotByok(app, {
      env: { ...KEY_ENV, AZURE_CLIENT_SECRET: CANARY_KEY, DATABASE_URL: `https://db.example/?k=${queryKey}` },
      modules: [keyLikeModule(), identityLikeModule()],
      client: new FakeCopilotClient().asClient(),
    });
    const env = app.resolve(COPILOT_BYOK_ENV);
    expect(env.COPILOT_PROVIDER_API_KEY).toBe(CANARY_KEY);
    expect({ ...env }).toEqual({
      ...KEY_ENV,
      AZURE_CLIENT_SECRET: CANARY_KEY,
      DATABASE_URL: `https://db.example/?k=${queryKey}`,
    });
    expect(Object.isFrozen(env)).toBe(true);
    const texts = [
      inspect(env),
      JSON.stringify(env),
      inspect(app, { depth: 10 }),
      `${JSON.stringify({ env })}`,
    ];
    for (const text of texts) {
      expect(text).not.toContain(CANARY_KEY);
      expect(text).not.toContain(queryKey);
    }
    expect(JSON.parse(JSON.stringify(env))).toEqual({
      variables: [
        "AZURE_AI_FOUNDRY_RESOURCE_URL",
        "AZURE_CLIENT_SECRET",
        "COPILOT_PROVIDER_API_KEY",
        "COPILOT_PROVIDER_MODEL_ID",
        "DATABASE_URL",
      ],
      values: "not shown",
    });
    expect(inspect(env)).toMatch(/^CopilotByokEnv /);
  });

  it("snapshots process.env by default", () => {
    const app = rootContainer.createChildContainer();
    vi.stubEnv("COPILOT_PROVIDER_API_KEY", CANARY_KEY);
    vi.stubEnv("AZURE_AI_FOUNDRY_RESOURCE_URL", "https://r.example");
    try {
      const selection = registerCopilotByok(app, { modules: [keyLikeModule(), identityLikeModule()] });
      expect(selection.mode).toBe("static-key");
      process.env.COPILOT_PROVIDER_API_KEY = "changed";
      expect(app.resolve(COPILOT_BYOK_ENV).COPILOT_PROVIDER_API_KEY).toBe(CANARY_KEY);
    } finally {
      vi.unstubAllEnvs();
    }
  });
});
