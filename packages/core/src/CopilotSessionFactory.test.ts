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

  it.each([
    [{ apiKey: CANARY_KEY }],
    [{ bearerToken: CANARY_KEY }],
    [{ bearerTokenProvider: async () => CANARY_KEY }],
    [{ headers: { "Ocp-Apim-Subscription-Key": CANARY_KEY } }],
  ])("refuses a plug-in config that sends %o over http:// to a non-loopback host", async (credential) => {
    for (const baseUrl of [
      "http://gateway.internal/openai/v1/?code=canary-query",
      "http://10.0.0.5:8080/v1",
      "http://127.0.0.1.nip.io/v1",
    ]) {
      const { client, factory } = setup({}, { type: "openai", baseUrl, ...credential });
      const created = await factory.createSession({ model: "m" }).catch((e: unknown) => e);
      const resumed = await factory.resumeSession("abc", {}).catch((e: unknown) => e);
      for (const error of [created, resumed]) {
        expect(error).toBeInstanceOf(ConfigurationError);
        expect((error as ConfigurationError).code).toBe("COPILOT_BYOK_CONFIGURATION");
        const message = (error as ConfigurationError).message;
        expect(message).toContain('the provider config of source "static-key" carries');
        expect(message).toContain("would cross the network in clear");
        expect(message).toContain("https://");
        expect(message).not.toContain(CANARY_KEY);
        expect(message).not.toContain("canary-query");
      }
      expect(client.created).toHaveLength(0);
      expect(client.resumed).toHaveLength(0);
    }
  });

  it.each([
    [
      "a key in the query",
      { baseUrl: `http://gateway.example/v1/?api-key=${CANARY_KEY}` },
      "a query in its baseUrl",
    ],
    [
      "a key in user info",
      { baseUrl: `http://user:${CANARY_KEY}@gateway.example/v1/` },
      "user info in its baseUrl",
    ],
    [
      "an unusually named header",
      { baseUrl: "http://gateway.example/v1/", headers: { "X-Auth": CANARY_KEY } },
      "the X-Auth header",
    ],
    [
      "another one",
      { baseUrl: "http://gateway.example/v1/", headers: { "X-Api-Key-V2": CANARY_KEY } },
      "the X-Api-Key-V2 header",
    ],
    [
      "any header at all",
      { baseUrl: "http://ollama.internal:11434/v1", headers: { "x-trace": "1" } },
      "the x-trace header",
    ],
  ])(
    "refuses a plug-in config with %s over http:// to a non-loopback host",
    async (_what, config, carried) => {
      const { client, factory } = setup({}, { type: "openai", ...config });
      for (const attempt of [factory.createSession({ model: "m" }), factory.resumeSession("abc", {})]) {
        const error = (await attempt.catch((e: unknown) => e)) as ConfigurationError;
        expect(error).toBeInstanceOf(ConfigurationError);
        expect(error.problems[0]).toContain(`carries ${carried} for http://`);
        expect(`${error.message}${error.stack}`).not.toContain(CANARY_KEY);
      }
      expect(client.created).toHaveLength(0);
      expect(client.resumed).toHaveLength(0);
    },
  );

  it("lists the plaintext problem and the missing model together", async () => {
    const { factory } = setup({}, { baseUrl: "http://gateway.internal/", apiKey: CANARY_KEY });
    const error = (await factory.createSession({}).catch((e: unknown) => e)) as ConfigurationError;
    expect(error.problems).toHaveLength(2);
    expect(error.problems[0]).toContain("http://gateway.internal/: keys and bearer tokens");
    expect(error.problems[1]).toContain("no model for the session");
  });

  it("refuses a credential for a base URL that is not a URL or not http(s), without showing it", async () => {
    for (const baseUrl of ["not a url canary-value", "ftp://r.example/", ""]) {
      const { client, factory } = setup({}, { baseUrl, apiKey: CANARY_KEY });
      const error = await factory.createSession({ model: "m" }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ConfigurationError);
      expect(String(error)).not.toContain("canary-value");
      expect(String(error)).not.toContain(CANARY_KEY);
      expect(client.created).toHaveLength(0);
    }
  });

  it("accepts https://, http:// on loopback hosts, and http:// without a credential", async () => {
    for (const config of [
      { baseUrl: "https://r.example/openai/v1/", apiKey: CANARY_KEY },
      { baseUrl: "http://127.0.0.1:8080/v1", apiKey: CANARY_KEY },
      { baseUrl: "http://localhost:11434/v1", bearerToken: CANARY_KEY },
      { baseUrl: "http://[::1]:8080/v1", bearerTokenProvider: async () => CANARY_KEY },
      { baseUrl: "http://ollama.internal:11434/v1" },
      { baseUrl: "http://127.0.0.1:8080/v1?api-key=local", headers: { "x-trace": "1" } },
    ]) {
      const { client, factory } = setup({}, config);
      await factory.createSession({ model: "m" });
      await factory.resumeSession("abc", {});
      expect(client.created).toHaveLength(1);
      expect(client.resumed).toHaveLength(1);
    }
  });

  it("describes its source without secrets", () => {
    const { factory } = setup();
    expect(JSON.stringify(factory.describe())).not.toContain(CANARY_KEY);
    expect(factory.describe().mode).toBe("static-key");
  });
});
