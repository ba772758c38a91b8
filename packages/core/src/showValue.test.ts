import { describe, expect, it } from "vitest";
import { readProviderEnv } from "./readProviderEnv.js";
import { showValue } from "./showValue.js";

describe("showValue", () => {
  const MODES = ["auto", "static-key", "azure-entra"];

  it.each([
    ["Static_Key", MODES],
    [" STATIC-KEY ", MODES],
    ["statickey", MODES],
    ["azure-entr", MODES],
    ["azure-enrta", MODES],
    ["azure", MODES],
    ["Responses", ["responses", "completions"]],
    ["open-ai", ["openai", "azure", "anthropic"]],
  ])("shows the near miss %j of an accepted value", (value, accepted) => {
    expect(showValue(value, accepted)).toBe(`"${value.trim()}"`);
  });

  it.each(["gemini", "managed", "bedrock", "CHAT", "foo-bar"])("shows the plain word %j", (value) => {
    expect(showValue(value)).toBe(`"${value}"`);
  });

  it.each([
    "sk-test-51d0c9a4e27b83f6",
    "a1b2c3d4",
    "xKqPzRtBmWvN",
    "sk-51d0c9",
    "ghp_abc123DEF456",
    "static-key-51d0c9a4e2",
    "0123456789abcdef",
    "value with spaces",
    "sk-test-51d0c9a4e27b83f6-and-longer-than-24",
  ])("does not show %j, only its length", (value) => {
    const shown = showValue(value, MODES);
    expect(shown).toBe(`a value of ${value.length} characters (not shown)`);
    expect(shown).not.toContain(value);
  });

  it("reports a short key in a choice variable by its length, with the accepted values", () => {
    const key = "sk-test-51d0c9a4e27b83f6";
    const r = readProviderEnv({ COPILOT_PROVIDER_TYPE: key, COPILOT_PROVIDER_WIRE_API: ` ${key} ` });
    expect(r.problems).toEqual([
      `COPILOT_PROVIDER_TYPE has a value of ${key.length} characters (not shown), which is not accepted: use one of openai, azure, anthropic`,
      `COPILOT_PROVIDER_WIRE_API has a value of ${key.length + 2} characters (not shown), which is not accepted: use one of responses, completions`,
    ]);
    expect(readProviderEnv({ COPILOT_PROVIDER_WIRE_API: "Completion" }).problems[0]).toContain(
      'has "Completion", which is not accepted',
    );
  });
});
