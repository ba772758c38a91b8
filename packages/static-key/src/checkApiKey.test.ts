import { fingerprint } from "@copilot-byok/core";
import { describe, expect, it } from "vitest";
import { checkApiKey, MAX_API_KEY_LENGTH, MIN_API_KEY_LENGTH } from "./checkApiKey.js";
import { CANARY_JWT, CANARY_KEY } from "./test-support/canary.js";

describe("checkApiKey", () => {
  it.each([
    ["a plain key", CANARY_KEY],
    ["a trailing newline", `${CANARY_KEY}\n`],
    ["a trailing CRLF", `${CANARY_KEY}\r\n`],
    ["several trailing newlines", `${CANARY_KEY}\n\n`],
  ])("accepts %s and trims trailing line breaks only", (_, raw) => {
    const check = checkApiKey(raw, "COPILOT_PROVIDER_API_KEY");
    expect(check.problems).toEqual([]);
    expect(check.warnings).toEqual([]);
    expect(check.key).toBe(CANARY_KEY);
    expect(check.fingerprint).toBe(fingerprint(CANARY_KEY));
    expect(check.fingerprint).toMatch(/^sha256:[0-9a-f]{8}$/);
  });

  it.each<[string, string, RegExp]>([
    ["empty", "", /is empty/],
    ["only a newline", "\n", /is empty/],
    [
      "a JWT",
      CANARY_JWT,
      /looks like a bearer token \(JWT\), not an API key: use COPILOT_PROVIDER_AUTH=azure-entra/,
    ],
    ["a Bearer prefix", `Bearer ${CANARY_KEY}`, /starts with an Authorization scheme/],
    ["quotes", `"${CANARY_KEY}"`, /wrapped in quotes/],
    ["a space inside", `${CANARY_KEY.slice(0, 10)} ${CANARY_KEY.slice(10)}`, /contains spaces or tabs/],
    ["a leading space", ` ${CANARY_KEY}`, /contains spaces or tabs/],
    ["a trailing tab", `${CANARY_KEY}\t`, /contains spaces or tabs/],
    ["two lines", `${CANARY_KEY}\nsecond`, /spans several lines/],
    ["a control character", `${CANARY_KEY}\u0007`, /control characters/],
    ["a byte-order mark", `\ufeff${CANARY_KEY}`, /non-ASCII/],
    ["a typographic quote", `${CANARY_KEY}\u2019`, /non-ASCII/],
    ["an absurd length", "k".repeat(MAX_API_KEY_LENGTH + 1), /more than any API key/],
  ])("rejects %s, naming the fingerprint, never the value", (_, raw, expected) => {
    const check = checkApiKey(raw, "COPILOT_PROVIDER_API_KEY");
    expect(check.problems.length).toBeGreaterThan(0);
    expect(check.problems.join("\n")).toMatch(expected);
    for (const problem of check.problems) {
      expect(problem).toMatch(/^COPILOT_PROVIDER_API_KEY /);
      expect(problem).not.toContain(CANARY_KEY.slice(10));
      expect(problem).not.toContain(CANARY_JWT.slice(0, 20));
    }
  });

  // Was a bug: any non-empty value passed, so a 1-character key (or the first bytes of a key written in place) was
  // accepted. The shortest real formats are Azure OpenAI / Foundry keys (32 hex digits; the newer ones 84
  // characters) and Mistral's (32); OpenAI (`sk-…`, `sk-proj-…`), Anthropic (`sk-ant-…`), Gemini (`AIza…`, 39)
  // and GitHub tokens are longer.
  it.each([
    ["1 character", "Q", "is 1 character long"],
    ["19 characters", "k".repeat(19), "is 19 characters long"],
    ["the first half of an Azure key", "ed8737da362e826b", "is 16 characters long"],
  ])("refuses a key of %s, saying why, never the value", (_, raw, length) => {
    const check = checkApiKey(`${raw}\n`, "COPILOT_PROVIDER_API_KEY");
    expect(check.problems).toEqual([
      `COPILOT_PROVIDER_API_KEY (fingerprint ${fingerprint(raw)}) ${length}: no provider issues keys shorter than ${MIN_API_KEY_LENGTH} characters; is it the right value?`,
    ]);
    expect(check.problems.join()).not.toContain(raw);
  });

  it.each([
    ["20 characters", "k".repeat(20)],
    ["an Azure OpenAI key (32 hex digits)", "ed8737da362e826b0a5193734c67ef59"],
    ["a Gemini-shaped key (39 characters)", `AIza${"x".repeat(35)}`],
  ])("accepts a key of %s", (_, raw) => {
    expect(MIN_API_KEY_LENGTH).toBe(20);
    expect(checkApiKey(raw, "COPILOT_PROVIDER_API_KEY").problems).toEqual([]);
  });

  // Review finding: the minimum broke local servers (vLLM's documented `token-abc123`, LiteLLM's `sk-1234`,
  // `ollama`, `lm-studio`, `sk-no-key-required`), which take any key: for them it is a warning.
  it.each(["token-abc123", "sk-1234", "ollama", "lm-studio", "sk-no-key-required"])(
    "accepts the short key %s of a local server, with a warning that never shows it",
    (raw) => {
      const check = checkApiKey(raw, "COPILOT_PROVIDER_API_KEY", { localProvider: true });
      expect(check.problems).toEqual([]);
      expect(check.warnings).toEqual([
        `COPILOT_PROVIDER_API_KEY (fingerprint ${fingerprint(raw)}) is ${raw.length} characters long: fine for a local server, but no hosted provider issues keys shorter than ${MIN_API_KEY_LENGTH} characters`,
      ]);
      expect(checkApiKey(raw, "COPILOT_PROVIDER_API_KEY").problems).toHaveLength(1);
    },
  );

  it("reports every problem of one value at once", () => {
    const check = checkApiKey(`${CANARY_KEY} \u0001\u00e9\nx`, "apiKey");
    expect(check.problems).toHaveLength(4);
    expect(check.problems.join("\n")).toContain(`fingerprint ${check.fingerprint}`);
  });

  it("warns (does not fail) when a key variable holds a file path", () => {
    const check = checkApiKey("/run/secrets/byok-key", "COPILOT_PROVIDER_API_KEY");
    expect(check.problems).toEqual([]);
    expect(check.warnings.join()).toMatch(/looks like a file path.*COPILOT_PROVIDER_API_KEY_FILE/);
    expect(check.warnings.join()).not.toContain("/run/secrets");
  });
});
