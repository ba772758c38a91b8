import { describe, expect, it } from "vitest";
import { azureEntraModule, createAzureEntraModule } from "./azureEntraModule.js";
import { EntraIdProviderConfigSource } from "./EntraIdProviderConfigSource.js";
import { expectedAudienceFor, scopeAudienceProblem } from "./expectedAudienceFor.js";
import { ScriptedCredential } from "./test-support/ScriptedCredential.js";

const MGMT = "https://management.azure.com/.default";

describe("expectedAudienceFor", () => {
  it.each([
    ["https://r.openai.azure.com/openai/v1/", ["https://cognitiveservices.azure.com"]],
    ["https://r.cognitiveservices.azure.com", ["https://cognitiveservices.azure.com"]],
    [
      "https://r.services.ai.azure.com/openai/v1/",
      ["https://cognitiveservices.azure.com", "https://ai.azure.com"],
    ],
    ["https://gateway.example.com/v1/", undefined],
    ["http://127.0.0.1:8080/openai/v1/", undefined],
    ["not a url", undefined],
  ])("%s → %j", (url, expected) => {
    expect(expectedAudienceFor(url)).toEqual(expected);
  });

  it("names both audiences and the fix when a scope cannot work", () => {
    expect(scopeAudienceProblem(MGMT, ["https://cognitiveservices.azure.com"], "r.openai.azure.com")).toBe(
      "token scope https://management.azure.com/.default gives tokens for the audience https://management.azure.com, but r.openai.azure.com accepts only https://cognitiveservices.azure.com: the provider would answer 401; set COPILOT_PROVIDER_TOKEN_SCOPE=https://cognitiveservices.azure.com/.default (or unset it)",
    );
    expect(
      scopeAudienceProblem(
        "https://cognitiveservices.azure.com/.default",
        ["https://cognitiveservices.azure.com"],
        "h",
      ),
    ).toBeUndefined();
    expect(scopeAudienceProblem(MGMT, undefined, "h")).toBeUndefined();
  });
});

describe("scope and audience checked before any token is asked for", () => {
  const credential = () => new ScriptedCredential([]);

  it("the module reports a scope an Azure host would refuse", () => {
    const d = azureEntraModule.detect({
      AZURE_OPENAI_ENDPOINT: "https://r.openai.azure.com",
      COPILOT_PROVIDER_TOKEN_SCOPE: MGMT,
    });
    expect(d.problems?.join("\n")).toContain("accepts only https://cognitiveservices.azure.com");
  });

  it("a gateway or emulator host is not checked, unless the expected audience is given", () => {
    const env = {
      COPILOT_PROVIDER_BASE_URL: "http://127.0.0.1:9/openai/v1/",
      COPILOT_PROVIDER_TOKEN_SCOPE: MGMT,
    };
    expect(azureEntraModule.detect(env).problems).toEqual([]);
    const strict = createAzureEntraModule({ expectedAudience: "https://cognitiveservices.azure.com" });
    expect(strict.detect(env).problems?.join()).toContain("the audience https://management.azure.com");
    const off = createAzureEntraModule({ expectedAudience: null });
    expect(
      off.detect({ AZURE_OPENAI_ENDPOINT: "https://r.openai.azure.com", COPILOT_PROVIDER_TOKEN_SCOPE: MGMT })
        .problems,
    ).toEqual([]);
  });

  it("the source refuses such a scope at construction", () => {
    expect(
      () =>
        new EntraIdProviderConfigSource({
          resourceUrl: "https://r.openai.azure.com",
          scope: MGMT,
          credential: credential(),
        }),
    ).toThrow(/accepts only https:\/\/cognitiveservices.azure.com/);
    expect(
      () =>
        new EntraIdProviderConfigSource({
          resourceUrl: "https://r.services.ai.azure.com",
          scope: "https://ai.azure.com/.default",
          credential: credential(),
        }),
    ).not.toThrow();
  });
});
