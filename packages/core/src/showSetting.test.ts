import { describe, expect, it } from "vitest";
import { showModelName, showScope } from "./showSetting.js";

const HEX = "0f3c9a7e5b1d4c2a8e6f0b9d1a2b3c4d";

describe("showModelName", () => {
  it.each([
    "gpt-4.1",
    "o3",
    "claude-sonnet-4",
    "gpt-4o-2024-08-06",
    "my-deployment",
    "Meta-Llama-3.1-405B-Instruct",
    "anthropic.claude-3-5-sonnet-20240620-v1:0",
    "openai/gpt-4o",
  ])("shows %s", (name) => {
    expect(showModelName(name)).toBe(name);
  });

  it.each([
    [HEX, 32],
    [`sk-${HEX}`, 35],
    ["sk-test-51d0c9a4e27b83f6", 24],
    ["a".repeat(65), 65],
    ["gpt 4.1", 7],
    [`/run/secrets/${HEX}`, 45],
    ["eyJhbGciOiJIUzI1NiJ9.e30.sig", 28],
  ])("shows %s by its length only", (value, length) => {
    expect(showModelName(value)).toBe(`a value of ${length} characters (not shown)`);
    expect(showModelName(showModelName(value))).toBe(showModelName(value));
  });
});

describe("showScope", () => {
  it.each([
    "https://cognitiveservices.azure.com/.default",
    "api://5d1c7a3e-0000-4000-8000-0000000000aa/.default",
  ])("shows %s", (scope) => {
    expect(showScope(scope)).toBe(scope);
  });

  it("masks query values and the fragment, drops user info, and is idempotent", () => {
    expect(showScope(`api://app/.default?code=${HEX}`)).toBe("api://app/.default?code=[REDACTED]");
    expect(showScope(`https://cognitiveservices.azure.com/.default#${HEX}`)).toBe(
      "https://cognitiveservices.azure.com/.default#[REDACTED]",
    );
    expect(showScope(`https://u:${HEX}@cognitiveservices.azure.com/.default`)).toBe(
      "https://cognitiveservices.azure.com/.default",
    );
    const shown = showScope(`api://app/.default?code=${HEX}`);
    expect(showScope(shown)).toBe(shown);
  });

  it.each([HEX, `sk-${HEX}`, `Bearer ${HEX}`, `api://${HEX}/.default`, "x".repeat(201)])(
    "shows %s by its length only",
    (value) => {
      expect(showScope(value)).toBe(`a value of ${value.length} characters (not shown)`);
    },
  );
});
