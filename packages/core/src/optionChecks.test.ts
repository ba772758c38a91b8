import { describe, expect, it } from "vitest";
import {
  checkChoice,
  checkName,
  checkScope,
  hasControlCharacters,
  isGuid,
  isScopeUri,
  unknownOptionProblems,
} from "./optionChecks.js";
import { CANARY_KEY } from "./test-support/testModules.js";

describe("option checks", () => {
  it("checkChoice: the value, the fallback when undefined, else a problem listing every accepted value", () => {
    const problems: string[] = [];
    expect(checkChoice("type", " azure ", ["openai", "azure"], "openai", problems)).toBe("azure");
    expect(checkChoice("type", undefined, ["openai", "azure"], "openai", problems)).toBe("openai");
    expect(checkChoice("type", "gpt", ["openai", "azure"], "openai", problems)).toBe("openai");
    expect(checkChoice("type", CANARY_KEY, ["openai", "azure"], "openai", problems)).toBe("openai");
    expect(problems).toEqual([
      'type has "gpt", which is not accepted: use one of openai, azure',
      `type has a value of ${CANARY_KEY.length} characters (not shown), which is not accepted: use one of openai, azure`,
    ]);
  });

  it("checkName: trimmed; empty, non-string or control characters are problems", () => {
    const problems: string[] = [];
    expect(checkName("modelId", " gpt-4.1 ", problems)).toBe("gpt-4.1");
    expect(checkName("modelId", undefined, problems)).toBeUndefined();
    expect(checkName("modelId", " ", problems)).toBeUndefined();
    expect(checkName("modelId", 4 as unknown, problems)).toBeUndefined();
    expect(checkName("wireModel", "a\u0007b", problems)).toBeUndefined();
    expect(problems).toEqual([
      "modelId must be a non-empty string",
      "modelId must be a non-empty string",
      "wireModel contains control characters: remove them",
    ]);
  });

  it("checkScope: keeps the value, and never echoes one that is not a scope URI", () => {
    const problems: string[] = [];
    expect(checkScope("scope", "api://app/.default", "https://x/.default", problems)).toBe(
      "api://app/.default",
    );
    expect(checkScope("scope", CANARY_KEY, "https://x/.default", problems)).toBe(CANARY_KEY);
    expect(problems).toEqual([
      `scope must be a scope URI such as https://x/.default (got a value of ${CANARY_KEY.length} characters (not shown))`,
    ]);
  });

  it("recognises control characters, GUIDs and scope URIs", () => {
    expect(hasControlCharacters("a\nb")).toBe(true);
    expect(hasControlCharacters("plain")).toBe(false);
    expect(isGuid(" 7d312290-28c8-473c-a0ed-8e53749b6d6d ")).toBe(true);
    expect(isGuid("7d312290-28c8-473c-a0ed")).toBe(false);
    expect(isScopeUri("https://cognitiveservices.azure.com/.default")).toBe(true);
    expect(isScopeUri("cognitiveservices")).toBe(false);
  });

  it("unknownOptionProblems: a typo is named (near misses only), with the accepted names", () => {
    expect(unknownOptionProblems({ apikey: CANARY_KEY, baseUrl: "x" }, ["baseUrl", "apiKey"])).toEqual([
      'unknown option "apikey": accepted are baseUrl, apiKey',
    ]);
    expect(unknownOptionProblems({ [CANARY_KEY]: 1 }, ["baseUrl"])).toEqual([
      `unknown option a value of ${CANARY_KEY.length} characters (not shown): accepted are baseUrl`,
    ]);
  });
});
