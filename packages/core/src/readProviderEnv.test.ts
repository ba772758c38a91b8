import { describe, expect, it } from "vitest";
import { DEFAULT_TOKEN_SCOPE } from "./envNames.js";
import { readProviderEnv } from "./readProviderEnv.js";
import { CANARY_KEY } from "./test-support/testModules.js";

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

  it("notes that the wire API does not apply to anthropic", () => {
    const r = readProviderEnv({
      COPILOT_PROVIDER_TYPE: "anthropic",
      COPILOT_PROVIDER_WIRE_API: "completions",
    });
    expect(r.problems).toEqual([]);
    expect(r.notes.join()).toContain("ignored for anthropic");
  });
});
