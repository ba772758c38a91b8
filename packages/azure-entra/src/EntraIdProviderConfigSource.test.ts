import { inspect } from "node:util";
import { TokenAcquisitionError } from "@copilot-byok/core";
import { problemsOf } from "@copilot-byok/test-utils/configurationErrorOf";
import { ScriptedCredential } from "@copilot-byok/test-utils/ScriptedCredential";
import { tokenOf } from "@copilot-byok/test-utils/tokenOf";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { EntraIdProviderConfigSource } from "./EntraIdProviderConfigSource.js";
import type { TokenCacheEvent } from "./TokenCache.js";
import { CANARY_TOKEN } from "./test-support/canary.js";

const HOUR = 3_600_000;
const FOUNDRY = "https://my-resource.services.ai.azure.com";
const PROVIDER_ARGS = { providerName: "default", sessionId: "s-1" };

beforeEach(() => {
  vi.useFakeTimers({ now: Date.UTC(2030, 0, 1) });
});
afterEach(() => {
  vi.useRealTimers();
});

describe("EntraIdProviderConfigSource", () => {
  it("returns the seed scenario's provider config: Foundry v1, responses, bearer token and callback", async () => {
    const credential = new ScriptedCredential([{ token: CANARY_TOKEN, expiresInMs: HOUR }]);
    const source = new EntraIdProviderConfigSource({ resourceUrl: FOUNDRY, credential, modelId: "gpt-4.1" });
    const config = await source.getProviderConfig();
    expect(config).toEqual({
      type: "openai",
      baseUrl: `${FOUNDRY}/openai/v1/`,
      wireApi: "responses",
      bearerTokenProvider: expect.any(Function),
      modelId: "gpt-4.1",
    });
    expect(config).not.toHaveProperty("bearerToken");
    expect(await tokenOf(config)).toBe(CANARY_TOKEN);
    expect(credential.calls[0]?.scopes).toBe("https://cognitiveservices.azure.com/.default");
    expect(source.mode).toBe("azure-entra");
  });

  it("answers the runtime's per-request callback from the cache, refreshing in the background", async () => {
    const credential = new ScriptedCredential([
      { token: "t1", expiresInMs: HOUR },
      { token: "t2", expiresInMs: HOUR },
    ]);
    const source = new EntraIdProviderConfigSource({ baseUrl: `${FOUNDRY}/openai/v1/`, credential });
    const { bearerTokenProvider } = await source.getProviderConfig();
    const provider = bearerTokenProvider as NonNullable<typeof bearerTokenProvider>;
    for (let i = 0; i < 100; i++) expect(await provider(PROVIDER_ARGS)).toBe("t1");
    expect(credential.calls).toHaveLength(1);

    await vi.advanceTimersByTimeAsync(56 * 60_000);
    expect(await provider(PROVIDER_ARGS)).toBe("t1");
    await vi.advanceTimersByTimeAsync(0);
    expect(await provider(PROVIDER_ARGS)).toBe("t2");
    expect(credential.calls).toHaveLength(2);
  });

  it("keeps a long session alive past the first token's expiry", async () => {
    const credential = new ScriptedCredential([
      { accessToken: (now) => ({ token: `t@${now}`, expiresOnTimestamp: now + HOUR }) },
    ]);
    const source = new EntraIdProviderConfigSource({ resourceUrl: FOUNDRY, credential });
    const config = await source.getProviderConfig();
    const provider = config.bearerTokenProvider as NonNullable<typeof config.bearerTokenProvider>;
    const seen = new Set<string>();
    for (let minute = 0; minute < 8 * 60; minute += 5) {
      seen.add(await provider(PROVIDER_ARGS));
      await vi.advanceTimersByTimeAsync(5 * 60_000);
    }
    expect(seen.size).toBeGreaterThanOrEqual(8);
    expect(credential.calls.length).toBeLessThanOrEqual(10);
    expect(source.describe().tokenState).toBe("valid");
  });

  it("fails at session creation, clearly, when no token can be had", async () => {
    const credential = new ScriptedCredential([
      { error: new Error("CredentialUnavailableError: no identity") },
    ]);
    const source = new EntraIdProviderConfigSource({
      resourceUrl: FOUNDRY,
      credential,
      credentialName: "MyCredential",
    });
    const error = await source.getProviderConfig().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TokenAcquisitionError);
    expect(error).toMatchObject({ credentialName: "MyCredential", reason: "credential-error" });
    expect((error as Error).message).toContain("MyCredential could not get a token");
  });

  it("passes the caller's signal to the wait", async () => {
    const credential = new ScriptedCredential([{ hang: true }]);
    const source = new EntraIdProviderConfigSource({ resourceUrl: FOUNDRY, credential });
    const error = await source.getProviderConfig({ signal: AbortSignal.abort() }).catch((e: unknown) => e);
    expect(error).toMatchObject({ reason: "aborted" });
    source.dispose();
  });

  it("carries type, wire API, model fields, scope and settings", async () => {
    const events: TokenCacheEvent[] = [];
    const credential = new ScriptedCredential([{ token: "t", expiresInMs: HOUR }]);
    const source = new EntraIdProviderConfigSource({
      resourceUrl: `${FOUNDRY}/`,
      type: "azure",
      wireApi: "completions",
      modelId: "gpt-4.1",
      wireModel: "my-deployment",
      scope: "https://ai.azure.com/.default",
      refreshWindowMs: 60_000,
      timeoutMs: 5_000,
      retry: { initialDelayMs: 100 },
      credential,
      onEvent: (e) => events.push(e),
    });
    const config = await source.getProviderConfig();
    expect(config).toMatchObject({
      type: "azure",
      baseUrl: FOUNDRY,
      wireApi: "completions",
      wireModel: "my-deployment",
    });
    expect(credential.calls[0]?.scopes).toBe("https://ai.azure.com/.default");
    expect(credential.calls[0]?.options?.requestOptions?.timeout).toBe(5_000);
    expect(events.map((e) => e.type)).toEqual(["refresh-started", "refresh-succeeded"]);
    expect(source.describe()).toEqual({
      mode: "azure-entra",
      baseUrl: FOUNDRY,
      scope: "https://ai.azure.com/.default",
      scopeFrom: "given (the scope option, or COPILOT_PROVIDER_TOKEN_SCOPE)",
      cloud: "the Azure public cloud",
      credential: "ScriptedCredential",
      type: "azure",
      wireApi: "completions",
      modelId: "gpt-4.1",
      wireModel: "my-deployment",
      refreshWindowMs: 60_000,
      timeoutMs: 5_000,
      tokenState: "valid",
      tokenExpiresOn: new Date(Date.UTC(2030, 0, 1) + HOUR).toISOString(),
    });
  });

  it("never shows the token in describe, inspect or JSON of the source, nor in inspect of the config", async () => {
    const credential = new ScriptedCredential([{ token: CANARY_TOKEN, expiresInMs: HOUR }]);
    const source = new EntraIdProviderConfigSource({ resourceUrl: FOUNDRY, credential });
    const config = await source.getProviderConfig();
    const shown = [
      JSON.stringify(source.describe()),
      inspect(source, { depth: 10 }),
      JSON.stringify(source),
      inspect(config, { depth: 10 }),
      String(source),
    ].join("\n");
    expect(shown).not.toContain(CANARY_TOKEN);
    expect(inspect(source)).toContain("EntraIdProviderConfigSource");
    expect(inspect(config)).toContain("[REDACTED]");
    expect(inspect(config)).toContain(FOUNDRY);
  });

  it("describes a base URL with a key in its query through redactUrl, and sends it unchanged", async () => {
    const queryKey = "canary-query-key-5e6f7a8b";
    const baseUrl = `https://gateway.example.com/openai/v1/?subscription-key=${queryKey}&sig=${queryKey}`;
    const credential = new ScriptedCredential([{ token: "t", expiresInMs: HOUR }]);
    const source = new EntraIdProviderConfigSource({ baseUrl, credential });
    expect(source.describe().baseUrl).toBe(
      "https://gateway.example.com/openai/v1/?subscription-key=[REDACTED]&sig=[REDACTED]",
    );
    const shown = [JSON.stringify(source.describe()), inspect(source, { depth: 10 }), JSON.stringify(source)];
    for (const text of shown) expect(text).not.toContain(queryKey);
    expect((await source.getProviderConfig()).baseUrl).toBe(baseUrl);
    source.dispose();
  });

  it("dispose stops the cache; later calls fail clearly", async () => {
    const credential = new ScriptedCredential([{ token: "t", expiresInMs: HOUR }]);
    const source = new EntraIdProviderConfigSource({ resourceUrl: FOUNDRY, credential });
    const { bearerTokenProvider } = await source.getProviderConfig();
    source.dispose();
    expect(vi.getTimerCount()).toBe(0);
    await expect(source.getProviderConfig()).rejects.toMatchObject({ code: "COPILOT_BYOK_DISPOSED" });
    await expect(bearerTokenProvider?.(PROVIDER_ARGS)).rejects.toMatchObject({
      code: "COPILOT_BYOK_DISPOSED",
    });
    expect(source.describe().tokenState).toBe("disposed");
  });

  it("lists every problem with its options at once", () => {
    const problems = problemsOf(
      () =>
        new EntraIdProviderConfigSource({
          baseUrl: "http://foundry.example.com/openai/v1/",
          type: "bedrock" as never,
          wireApi: "grpc" as never,
          scope: "not a scope",
          timeoutMs: 0,
          refreshWindowMs: 2 * HOUR,
          retry: { factor: 0 },
          modelId: " ",
          credential: { getToken: async () => null },
          defaultCredentialOptions: {},
        }),
    );
    expect(problems).toHaveLength(9);
    const text = problems.join("\n");
    expect(text).toContain('type has "bedrock", which is not accepted: use one of openai, azure, anthropic');
    expect(text).toContain('wireApi has "grpc", which is not accepted: use one of responses, completions');
    expect(text).toContain("baseUrl uses http:// with the non-loopback host foundry.example.com");
    expect(text).not.toContain("COPILOT_PROVIDER_BASE_URL");
    expect(text).toContain("scope must be a scope URI");
    expect(text).toContain("timeoutMs must be a positive number");
    expect(text).toContain("refreshWindowMs must be");
    expect(text).toContain("retry.factor must be a number ≥ 1");
    expect(text).toContain("modelId must be a non-empty string");
    expect(text).toContain("defaultCredentialOptions apply to the default DefaultAzureCredential only");
  });

  it("reports a scope the endpoint cannot accept beside other problems, and an unknown option", () => {
    const problems = problemsOf(
      () =>
        new EntraIdProviderConfigSource({
          resourceUrl: FOUNDRY,
          modelId: " ",
          scope: "https://management.azure.com/.default",
          wiremodel: "dep",
        } as never),
    );
    expect(problems).toEqual([
      expect.stringMatching(/^unknown option "wiremodel": accepted are baseUrl, resourceUrl, /),
      "modelId must be a non-empty string",
      expect.stringMatching(
        /^token scope https:\/\/management\.azure\.com\/\.default gives tokens for the audience https:\/\/management\.azure\.com, but my-resource\.services\.ai\.azure\.com accepts only /,
      ),
    ]);
  });

  it("requires exactly one endpoint, and checks it", () => {
    expect(problemsOf(() => new EntraIdProviderConfigSource({}))).toEqual([
      "no provider endpoint: give baseUrl (used as is) or resourceUrl (an Azure AI Foundry / Azure OpenAI resource URL, e.g. https://<resource>.services.ai.azure.com)",
    ]);
    expect(
      problemsOf(() => new EntraIdProviderConfigSource({ baseUrl: FOUNDRY, resourceUrl: FOUNDRY })),
    ).toEqual(["both baseUrl and resourceUrl are given: give exactly one"]);
    const withUserInfo = problemsOf(
      () =>
        new EntraIdProviderConfigSource({
          resourceUrl: `https://user:${CANARY_TOKEN}@foundry.example.com?x=1`,
        }),
    );
    expect(withUserInfo.join("\n")).toContain("resourceUrl must not carry user info");
    expect(withUserInfo.join("\n")).not.toContain(CANARY_TOKEN);
    expect(problemsOf(() => new EntraIdProviderConfigSource({ resourceUrl: "not a url" }))[0]).toContain(
      "resourceUrl is not a valid absolute URL",
    );
    expect(new EntraIdProviderConfigSource({ baseUrl: "http://127.0.0.1:8080/v1/" }).baseUrl).toBe(
      "http://127.0.0.1:8080/v1/",
    );
  });
});
