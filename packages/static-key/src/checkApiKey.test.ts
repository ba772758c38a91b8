import { fingerprint } from "@copilot-byok/core";
import { describe, expect, it } from "vitest";
import { checkApiKey, MAX_API_KEY_LENGTH } from "./checkApiKey.js";
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
