import { describe, expect, it } from "vitest";
import { explainKeyRejection, type KeyOrigin } from "./explainKeyRejection.js";

const REFUSED = "sha256:1a2b3c4d";
const OTHER = "sha256:9f8e7d6c";
const BASE_URL = "https://r.services.ai.azure.com/openai/v1/";
const ORIGINS: [string, KeyOrigin][] = [
  ["a variable", { kind: "variable", name: "COPILOT_PROVIDER_API_KEY" }],
  ["the option", { kind: "option" }],
  ["a key file", { kind: "file", label: "the key file /run/secrets/key (X)", reread: false }],
  ["a key file, re-read", { kind: "file", label: "the key file /run/secrets/key (X)", reread: true }],
  [
    "a key file with a problem",
    {
      kind: "file",
      label: "the key file /run/secrets/key (X)",
      reread: true,
      problem: "the key file … does not exist",
    },
  ],
];

describe("explainKeyRejection", () => {
  it.each(ORIGINS)("401 of the current key from %s: names the key and the endpoint", (_, origin) => {
    const lines = explainKeyRejection({
      status: 401,
      refused: REFUSED,
      current: REFUSED,
      origin,
      baseUrl: BASE_URL,
    });
    expect(lines).toHaveLength(2);
    expect(lines[0]).toContain(`fingerprint ${REFUSED}`);
    expect(lines[1]).toContain(BASE_URL);
  });

  it.each(ORIGINS)("401 of a key that is not the current one (%s): both fingerprints", (_, origin) => {
    const [line, ...rest] = explainKeyRejection({
      status: 401,
      refused: REFUSED,
      current: OTHER,
      origin,
      baseUrl: BASE_URL,
    });
    expect(line).toMatch(new RegExp(`fingerprint ${REFUSED}.*fingerprint ${OTHER}`));
    expect(rest).toEqual([]);
  });

  it.each(ORIGINS)(
    "403 from %s: the resource's network rules or disabled key authentication",
    (_, origin) => {
      const lines = explainKeyRejection({
        status: 403,
        refused: REFUSED,
        current: REFUSED,
        origin,
        baseUrl: BASE_URL,
      });
      expect(lines.join("\n")).toMatch(/403 Forbidden[\s\S]*firewall[\s\S]*disableLocalAuth/);
    },
  );

  it("nothing for another status", () => {
    const origin: KeyOrigin = { kind: "option" };
    for (const status of [200, 400, 407, 429, 500]) {
      expect(
        explainKeyRejection({ status, refused: REFUSED, current: REFUSED, origin, baseUrl: BASE_URL }),
      ).toEqual([]);
    }
  });
});
