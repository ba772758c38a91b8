import { describe, expect, it } from "vitest";
import { parseProviderOptions } from "./parseProviderOptions.js";
import { providerSettingsFromEnv } from "./readProviderEnv.js";
import { CANARY_KEY } from "./test-support/testModules.js";

const RESOURCE = "https://r.services.ai.azure.com";

describe("parseProviderOptions", () => {
  it("gives the settings every source emits: defaults, resource URL → /openai/v1/, names trimmed", () => {
    expect(parseProviderOptions({ resourceUrl: RESOURCE, modelId: " gpt-4.1 " })).toEqual({
      settings: {
        baseUrl: `${RESOURCE}/openai/v1/`,
        type: "openai",
        wireApi: "responses",
        modelId: "gpt-4.1",
      },
      problems: [],
    });
    expect(
      parseProviderOptions({
        baseUrl: `${RESOURCE}/`,
        type: "azure",
        wireApi: "completions",
        wireModel: "dep",
        headers: { "X-Tenant": "t1" },
        azure: { apiVersion: "2025-04-01-preview" },
      }).settings,
    ).toEqual({
      baseUrl: `${RESOURCE}/`,
      type: "azure",
      wireApi: "completions",
      wireModel: "dep",
      headers: { "X-Tenant": "t1" },
      azure: { apiVersion: "2025-04-01-preview" },
    });
  });

  it("lists every problem at once, in order, never a value that could be a secret", () => {
    const { settings, problems } = parseProviderOptions({
      baseUrl: `http://models.example.com/v1?key=${CANARY_KEY}`,
      type: "gpt" as never,
      wireApi: CANARY_KEY as never,
      modelId: " ",
      headers: { "bad name": CANARY_KEY, "X-Auth": `${CANARY_KEY}\n` },
      azure: { apiVersion: "" },
    });
    expect(settings).toBeUndefined();
    expect(problems).toEqual([
      'type has "gpt", which is not accepted: use one of openai, azure, anthropic',
      `wireApi has a value of ${CANARY_KEY.length} characters (not shown), which is not accepted: use one of responses, completions`,
      expect.stringMatching(/^baseUrl uses http:\/\/ with the non-loopback host models\.example\.com/),
      "modelId must be a non-empty string",
      "headers: a name of 8 characters is not a valid HTTP header name",
      'headers: the value of "X-Auth" must be a string without control characters (not shown)',
      "azure.apiVersion must be a non-empty string",
    ]);
    expect(problems.join("\n")).not.toContain(CANARY_KEY);
  });

  it("derives Foundry's Claude endpoint from a resource URL for type anthropic, and keeps a base URL as is", () => {
    expect(parseProviderOptions({ resourceUrl: `${RESOURCE}/`, type: "anthropic" }).settings?.baseUrl).toBe(
      `${RESOURCE}/anthropic`,
    );
    expect(parseProviderOptions({ resourceUrl: RESOURCE, type: "azure" }).settings?.baseUrl).toBe(RESOURCE);
    expect(
      parseProviderOptions({ baseUrl: `${RESOURCE}/anthropic/`, type: "anthropic" }).settings?.baseUrl,
    ).toBe(`${RESOURCE}/anthropic/`);
  });

  it("lists a Claude endpoint given with another type among the other problems", () => {
    expect(
      parseProviderOptions({ resourceUrl: `${RESOURCE}/anthropic`, type: "openai", modelId: " " }).problems,
    ).toEqual([
      expect.stringMatching(
        /^resourceUrl ends in \/anthropic, Azure AI Foundry's endpoint for Claude, but the provider type is openai: set COPILOT_PROVIDER_TYPE=anthropic/,
      ),
      "modelId must be a non-empty string",
    ]);
  });

  it("needs exactly one endpoint", () => {
    expect(parseProviderOptions({}).problems).toEqual([
      "no provider endpoint: give baseUrl (used as is) or resourceUrl (an Azure AI Foundry / Azure OpenAI resource URL, e.g. https://<resource>.services.ai.azure.com)",
    ]);
    expect(parseProviderOptions({ baseUrl: RESOURCE, resourceUrl: RESOURCE }).problems).toEqual([
      "both baseUrl and resourceUrl are given: give exactly one",
    ]);
  });
});

describe("providerSettingsFromEnv", () => {
  it("reads the environment contract into the same settings, and requires an endpoint", () => {
    expect(
      providerSettingsFromEnv({
        AZURE_AI_FOUNDRY_RESOURCE_URL: RESOURCE,
        COPILOT_PROVIDER_TYPE: "anthropic",
      }),
    ).toEqual({
      settings: { baseUrl: `${RESOURCE}/anthropic`, type: "anthropic", wireApi: "responses" },
      problems: [],
    });
    expect(providerSettingsFromEnv({ COPILOT_PROVIDER_WIRE_API: "chat" }).problems).toEqual([
      'COPILOT_PROVIDER_WIRE_API has "chat", which is not accepted: use one of responses, completions',
      "no provider endpoint: set COPILOT_PROVIDER_BASE_URL, AZURE_AI_FOUNDRY_RESOURCE_URL, AZURE_OPENAI_ENDPOINT (in that precedence)",
    ]);
  });
});
