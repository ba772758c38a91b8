import { describe, expect, it } from "vitest";
import { ConfigurationError } from "./ConfigurationError.js";
import { DEFAULT_TOKEN_SCOPE } from "./envNames.js";
import { readProviderEnv } from "./readProviderEnv.js";
import { selectProviderConfigSource } from "./selectProviderConfigSource.js";
import { CANARY_KEY, keyLikeModule } from "./test-support/testModules.js";

describe("readProviderEnv", () => {
  it("applies the defaults of the environment contract", () => {
    const r = readProviderEnv({ AZURE_AI_FOUNDRY_RESOURCE_URL: "https://r.services.ai.azure.com" });
    expect(r.problems).toEqual([]);
    expect(r.settings).toEqual({
      baseUrl: "https://r.services.ai.azure.com/openai/v1/",
      baseUrlVariable: "AZURE_AI_FOUNDRY_RESOURCE_URL",
      type: "openai",
      wireApi: "responses",
      tokenScope: DEFAULT_TOKEN_SCOPE,
    });
    expect(r.notes).toEqual(["base URL from AZURE_AI_FOUNDRY_RESOURCE_URL"]);
  });

  it("reads every shared variable", () => {
    const r = readProviderEnv({
      COPILOT_PROVIDER_BASE_URL: "https://gw.example/v1/",
      COPILOT_PROVIDER_TYPE: "azure",
      COPILOT_PROVIDER_WIRE_API: "completions",
      COPILOT_PROVIDER_MODEL_ID: "gpt-4.1",
      COPILOT_PROVIDER_WIRE_MODEL: "my-deployment",
      COPILOT_PROVIDER_TOKEN_SCOPE: "api://my-app/.default",
    });
    expect(r.problems).toEqual([]);
    expect(r.settings).toEqual({
      baseUrl: "https://gw.example/v1/",
      baseUrlVariable: "COPILOT_PROVIDER_BASE_URL",
      type: "azure",
      wireApi: "completions",
      modelId: "gpt-4.1",
      wireModel: "my-deployment",
      tokenScope: "api://my-app/.default",
    });
  });

  it.each([
    [
      ["COPILOT_PROVIDER_BASE_URL", "AZURE_AI_FOUNDRY_RESOURCE_URL", "AZURE_OPENAI_ENDPOINT"],
      "COPILOT_PROVIDER_BASE_URL",
    ],
    [["AZURE_AI_FOUNDRY_RESOURCE_URL", "AZURE_OPENAI_ENDPOINT"], "AZURE_AI_FOUNDRY_RESOURCE_URL"],
    [["AZURE_OPENAI_ENDPOINT"], "AZURE_OPENAI_ENDPOINT"],
  ])("gives the base URL precedence in the documented order (%j → %s)", (vars, winner) => {
    const env = Object.fromEntries(vars.map((v, i) => [v, `https://r${i}.example`]));
    const r = readProviderEnv(env);
    expect(r.settings.baseUrlVariable).toBe(winner);
    if (vars.length > 1) {
      expect(r.notes[0]).toContain(`base URL from ${winner}`);
      expect(r.notes[0]).toContain("also set and ignored");
    }
  });

  it("needs no endpoint (modules that do say so)", () => {
    const r = readProviderEnv({});
    expect(r.problems).toEqual([]);
    expect(r.settings.baseUrl).toBeUndefined();
  });

  it("lists every problem at once, with the accepted values", () => {
    const r = readProviderEnv({
      COPILOT_PROVIDER_TYPE: "gemini",
      COPILOT_PROVIDER_WIRE_API: "chat",
      COPILOT_PROVIDER_MODEL_ID: "  ",
      AZURE_OPENAI_ENDPOINT: "http://r.openai.azure.com",
      COPILOT_PROVIDER_API_KEY: "",
      COPILOT_PROVIDER_TOKEN_SCOPE: "cognitiveservices",
    });
    expect(r.problems).toHaveLength(6);
    const text = r.problems.join("\n");
    expect(text).toContain(
      'COPILOT_PROVIDER_TYPE has "gemini", which is not accepted: use one of openai, azure, anthropic',
    );
    expect(text).toContain(
      'COPILOT_PROVIDER_WIRE_API has "chat", which is not accepted: use one of responses, completions',
    );
    expect(text).toContain("COPILOT_PROVIDER_MODEL_ID is set but empty");
    expect(text).toContain("COPILOT_PROVIDER_API_KEY is set but empty");
    expect(text).toContain("AZURE_OPENAI_ENDPOINT uses http://");
    expect(text).toContain("COPILOT_PROVIDER_TOKEN_SCOPE must be a scope URI");
  });

  it("never echoes a secret pasted into the wrong variable", () => {
    const r = readProviderEnv({
      COPILOT_PROVIDER_TYPE: CANARY_KEY,
      COPILOT_PROVIDER_WIRE_API: CANARY_KEY,
      COPILOT_PROVIDER_TOKEN_SCOPE: CANARY_KEY,
      COPILOT_PROVIDER_BASE_URL: CANARY_KEY,
    });
    expect(r.problems).toHaveLength(4);
    expect(r.problems.join("\n")).not.toContain(CANARY_KEY);
    expect(r.problems.join("\n")).toContain(`${CANARY_KEY.length} characters (not shown)`);
  });

  it("rejects control characters in names", () => {
    const r = readProviderEnv({ COPILOT_PROVIDER_WIRE_MODEL: "dep\u0007loy" });
    expect(r.problems).toEqual(["COPILOT_PROVIDER_WIRE_MODEL contains control characters: remove them"]);
  });

  const FOUNDRY = "https://r.services.ai.azure.com";
  it.each([
    ["anthropic", "AZURE_AI_FOUNDRY_RESOURCE_URL", FOUNDRY, `${FOUNDRY}/anthropic`],
    ["anthropic", "AZURE_OPENAI_ENDPOINT", `${FOUNDRY}/`, `${FOUNDRY}/anthropic`],
    ["anthropic", "COPILOT_PROVIDER_BASE_URL", `${FOUNDRY}/anthropic/`, `${FOUNDRY}/anthropic/`],
    ["anthropic", "COPILOT_PROVIDER_BASE_URL", `${FOUNDRY}/openai/v1/`, `${FOUNDRY}/openai/v1/`],
    ["openai", "AZURE_AI_FOUNDRY_RESOURCE_URL", FOUNDRY, `${FOUNDRY}/openai/v1/`],
    ["openai", "AZURE_OPENAI_ENDPOINT", FOUNDRY, `${FOUNDRY}/openai/v1/`],
    ["azure", "AZURE_AI_FOUNDRY_RESOURCE_URL", `${FOUNDRY}/openai/v1/`, FOUNDRY],
    ["azure", "AZURE_OPENAI_ENDPOINT", FOUNDRY, FOUNDRY],
  ])("with COPILOT_PROVIDER_TYPE=%s and %s=%s, the base URL is %s", (type, variable, value, baseUrl) => {
    const r = readProviderEnv({ COPILOT_PROVIDER_TYPE: type, [variable]: value });
    expect(r.problems).toEqual([]);
    expect(r.settings).toMatchObject({ type, baseUrl, baseUrlVariable: variable });
  });

  it("derives the Claude endpoint from the winning variable only", () => {
    const r = readProviderEnv({
      COPILOT_PROVIDER_TYPE: "anthropic",
      AZURE_AI_FOUNDRY_RESOURCE_URL: FOUNDRY,
      AZURE_OPENAI_ENDPOINT: "https://other.openai.azure.com",
    });
    expect(r.settings.baseUrl).toBe(`${FOUNDRY}/anthropic`);
  });

  it("a Claude endpoint with another type is a ConfigurationError listing it with every other problem", () => {
    const env = {
      AZURE_AI_FOUNDRY_RESOURCE_URL: `${FOUNDRY}/anthropic`,
      COPILOT_PROVIDER_WIRE_API: "chat",
      COPILOT_PROVIDER_API_KEY: CANARY_KEY,
    };
    let thrown: unknown;
    try {
      selectProviderConfigSource(env, [keyLikeModule()]);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ConfigurationError);
    const { problems } = thrown as ConfigurationError;
    expect(problems).toEqual([
      expect.stringMatching(
        /^AZURE_AI_FOUNDRY_RESOURCE_URL ends in \/anthropic, Azure AI Foundry's endpoint for Claude, but the provider type is openai: set COPILOT_PROVIDER_TYPE=anthropic/,
      ),
      'COPILOT_PROVIDER_WIRE_API has "chat", which is not accepted: use one of responses, completions',
      "no provider endpoint: set COPILOT_PROVIDER_BASE_URL, AZURE_AI_FOUNDRY_RESOURCE_URL, AZURE_OPENAI_ENDPOINT (in that precedence)",
    ]);
    expect(String((thrown as Error).message)).not.toContain(CANARY_KEY);
  });

  it("notes that the wire API does not apply to anthropic", () => {
    const r = readProviderEnv({
      COPILOT_PROVIDER_TYPE: "anthropic",
      COPILOT_PROVIDER_WIRE_API: "completions",
    });
    expect(r.problems).toEqual([]);
    expect(r.notes.join()).toContain("ignored for anthropic");
  });
});
