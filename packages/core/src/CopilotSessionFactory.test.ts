import { approveAll } from "@github/copilot-sdk";
import { describe, expect, it } from "vitest";
import { ConfigurationError } from "./ConfigurationError.js";
import { CopilotSessionFactory } from "./CopilotSessionFactory.js";
import { FakeCopilotClient } from "./test-support/FakeCopilotClient.js";
import { CANARY_KEY, TestSource } from "./test-support/testModules.js";

const provider = { type: "openai" as const, baseUrl: "https://r.example/openai/v1/", apiKey: CANARY_KEY };

function setup(env: Record<string, string> = {}, config: object = provider) {
  const client = new FakeCopilotClient();
  const source = new TestSource("static-key", config as typeof provider);
  return { client, source, factory: new CopilotSessionFactory(source, client.asClient(), env) };
}

describe("CopilotSessionFactory", () => {
  it("fills provider from the source and keeps the rest of the config", async () => {
    const { client, source, factory } = setup();
    const session = await factory.createSession({
      model: "gpt-4.1",
      onPermissionRequest: approveAll,
      streaming: true,
    });
    expect(session).toEqual({ sessionId: "s1" });
    expect(source.calls).toBe(1);
    expect(client.created[0]).toEqual({
      model: "gpt-4.1",
      onPermissionRequest: approveAll,
      streaming: true,
      provider,
    });
  });

  it("takes the model from the call, then COPILOT_PROVIDER_MODEL_ID, then the provider's modelId", async () => {
    const fromEnv = setup({ COPILOT_PROVIDER_MODEL_ID: "env-model" });
    await fromEnv.factory.createSession({ model: "call-model" });
    await fromEnv.factory.createSession({});
    expect(fromEnv.client.created.map((c) => c.model)).toEqual(["call-model", "env-model"]);

    const fromProvider = setup({}, { ...provider, modelId: "provider-model" });
    await fromProvider.factory.createSession({});
    expect(fromProvider.client.created[0]?.model).toBe("provider-model");
  });

  it("fails clearly when no model is given anywhere, before touching the client", async () => {
    const { client, factory } = setup();
    const error = await factory.createSession({}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigurationError);
    expect((error as ConfigurationError).problems[0]).toContain(
      "pass { model } to createSession or set COPILOT_PROVIDER_MODEL_ID",
    );
    expect(String(error)).not.toContain(CANARY_KEY);
    expect(client.created).toHaveLength(0);
  });

  it("refuses a provider in the call: it comes from the source", async () => {
    const { factory } = setup();
    const config = { model: "m", provider } as unknown as Parameters<typeof factory.createSession>[0];
    await expect(factory.createSession(config)).rejects.toBeInstanceOf(ConfigurationError);
  });

  it("passes the caller's AbortSignal to the source", async () => {
    const { source, factory, client } = setup();
    const controller = new AbortController();
    controller.abort(new Error("stop"));
    await expect(factory.createSession({ model: "m" }, { signal: controller.signal })).rejects.toThrow(
      "stop",
    );
    expect(source.lastSignal).toBe(controller.signal);
    expect(client.created).toHaveLength(0);
  });

  it("resumes a session with fresh provider credentials", async () => {
    const { client, factory } = setup();
    await factory.resumeSession("abc", { onPermissionRequest: approveAll });
    expect(client.resumed[0]).toEqual({
      sessionId: "abc",
      config: { onPermissionRequest: approveAll, provider },
    });
  });

  it("describes its source without secrets", () => {
    const { factory } = setup();
    expect(JSON.stringify(factory.describe())).not.toContain(CANARY_KEY);
    expect(factory.describe().mode).toBe("static-key");
  });
});
