import { ConfigurationError, selectProviderConfigSource } from "@copilot-byok/core";
import { isScopeUri } from "@copilot-byok/core/plugin";
import { ScriptedCredential } from "@copilot-byok/test-utils/ScriptedCredential";
import { describe, expect, it } from "vitest";
import { azureEntraModule, createAzureEntraModule } from "./azureEntraModule.js";
import { EntraIdProviderConfigSource } from "./EntraIdProviderConfigSource.js";
import { expectedAudienceFor, scopeAudienceProblem } from "./expectedAudienceFor.js";

const MGMT = "https://management.azure.com/.default";

describe("expectedAudienceFor", () => {
  it.each([
    ["https://r.openai.azure.com/openai/v1/", ["https://cognitiveservices.azure.com"]],
    ["https://r.cognitiveservices.azure.com", ["https://cognitiveservices.azure.com"]],
    [
      "https://r.services.ai.azure.com/openai/v1/",
      ["https://cognitiveservices.azure.com", "https://ai.azure.com"],
    ],
    ["https://r.openai.azure.us/openai/v1/", ["https://cognitiveservices.azure.us"]],
    ["https://r.services.ai.azure.us/", ["https://cognitiveservices.azure.us", "https://ai.azure.us"]],
    ["https://r.openai.azure.cn/openai/v1/", ["https://cognitiveservices.azure.cn"]],
    ["https://r.cognitiveservices.azure.cn", ["https://cognitiveservices.azure.cn"]],
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

describe("scopeAudienceProblem names the scope the endpoint needs", () => {
  const PUBLIC = "https://cognitiveservices.azure.com/.default";
  const GOV = "https://cognitiveservices.azure.us/.default";

  it("the public scope on a Government endpoint: the Government scope is the fix", () => {
    expect(
      scopeAudienceProblem(PUBLIC, ["https://cognitiveservices.azure.us"], "r.openai.azure.us", GOV),
    ).toBe(
      "token scope https://cognitiveservices.azure.com/.default gives tokens for the audience https://cognitiveservices.azure.com, but r.openai.azure.us accepts only https://cognitiveservices.azure.us: the provider would answer 401; set COPILOT_PROVIDER_TOKEN_SCOPE=https://cognitiveservices.azure.us/.default (or unset it)",
    );
  });

  it("without a fitting default: the first expected audience's /.default, and no 'unset it'", () => {
    expect(scopeAudienceProblem(MGMT, ["https://cognitiveservices.azure.cn"], "h", PUBLIC)).toMatch(
      /; set COPILOT_PROVIDER_TOKEN_SCOPE=https:\/\/cognitiveservices\.azure\.cn\/\.default$/,
    );
    expect(scopeAudienceProblem(MGMT, ["api://gateway/"], "h")).toMatch(
      /; set COPILOT_PROVIDER_TOKEN_SCOPE=api:\/\/gateway\/\.default$/,
    );
  });

  it("an app id audience is shown as is; a value that is no URI never is", () => {
    const appId = "0b2c6f0e-5a3d-4c1b-9e8f-7a6b5c4d3e2f";
    expect(scopeAudienceProblem(MGMT, [appId], "h")).toContain(
      `accepts only ${appId}: the provider would answer 401; set COPILOT_PROVIDER_TOKEN_SCOPE to a scope of one of these audiences`,
    );
    const pasted = "sk-f4a0aca02ae7fd78ab9c59b6dd724b91";
    const text = scopeAudienceProblem(MGMT, [pasted], "h", pasted) ?? "";
    expect(text).toContain("accepts only a value of 35 characters (not shown)");
    expect(text).not.toContain(pasted.slice(3, 15));
  });
});

describe("the audience check knows every cloud", () => {
  const credential = () => new ScriptedCredential([]);
  const PUBLIC = "https://cognitiveservices.azure.com/.default";

  it.each([
    ["https://r.openai.azure.us", "https://cognitiveservices.azure.us/.default"],
    ["https://r.services.ai.azure.us", "https://cognitiveservices.azure.us/.default"],
    ["https://r.openai.azure.cn", "https://cognitiveservices.azure.cn/.default"],
  ])("%s with the public scope: a ConfigurationError naming %s", (resourceUrl, needed) => {
    const error = (() => {
      try {
        new EntraIdProviderConfigSource({ resourceUrl, scope: PUBLIC, credential: credential() });
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(ConfigurationError);
    expect((error as ConfigurationError).problems).toEqual([
      expect.stringContaining(`set COPILOT_PROVIDER_TOKEN_SCOPE=${needed} (or unset it)`),
    ]);
    const module = azureEntraModule.detect({
      AZURE_OPENAI_ENDPOINT: resourceUrl,
      COPILOT_PROVIDER_TOKEN_SCOPE: PUBLIC,
    });
    expect(module.problems?.join("\n")).toContain(`set COPILOT_PROVIDER_TOKEN_SCOPE=${needed} (or unset it)`);
  });

  it("a Government scope on a public endpoint, and the Foundry audiences of each cloud", () => {
    expect(
      () =>
        new EntraIdProviderConfigSource({
          resourceUrl: "https://r.openai.azure.com",
          scope: "https://cognitiveservices.azure.us/.default",
          credential: credential(),
        }),
    ).toThrow(
      /set COPILOT_PROVIDER_TOKEN_SCOPE=https:\/\/cognitiveservices\.azure\.com\/\.default \(or unset it\)/,
    );
    for (const [resourceUrl, scope] of [
      ["https://r.services.ai.azure.us", "https://ai.azure.us/.default"],
      ["https://r.services.ai.azure.com", "https://ai.azure.com/.default"],
    ]) {
      expect(
        () => new EntraIdProviderConfigSource({ resourceUrl, scope, credential: credential() }),
      ).not.toThrow();
    }
    expect(
      () =>
        new EntraIdProviderConfigSource({
          resourceUrl: "https://r.services.ai.azure.us",
          scope: "https://ai.azure.com/.default",
          credential: credential(),
        }),
    ).toThrow(/accepts only https:\/\/cognitiveservices\.azure\.us or https:\/\/ai\.azure\.us/);
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

describe("a scope that is not a scope URI (a key pasted into the scope variable)", () => {
  const KEY = "sk-f4a0aca02ae7fd78ab9c59b6dd724b91";
  const FOUNDRY_URL = "https://res.services.ai.azure.com";
  const credential = () => new ScriptedCredential([]);

  it("is not checked against the audience, so it is never echoed there", () => {
    expect(isScopeUri(KEY)).toBe(false);
    expect(isScopeUri(` ${MGMT} `)).toBe(true);
    expect(scopeAudienceProblem(KEY, ["https://cognitiveservices.azure.com"], "r.openai.azure.com")).toBe(
      undefined,
    );
  });

  it("the module reports the scope problem once, by length only, and no reason shows it", () => {
    const env = { AZURE_AI_FOUNDRY_RESOURCE_URL: FOUNDRY_URL, COPILOT_PROVIDER_TOKEN_SCOPE: KEY };
    const detection = azureEntraModule.detect(env);
    expect(detection.problems).toEqual([]);
    expect(detection.reasons.join("\n")).toContain(
      "token scope a value of 35 characters (not shown), not a scope URI (from COPILOT_PROVIDER_TOKEN_SCOPE)",
    );
    const error = (() => {
      try {
        selectProviderConfigSource(env, [azureEntraModule]);
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(ConfigurationError);
    const problems = (error as ConfigurationError).problems;
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain("COPILOT_PROVIDER_TOKEN_SCOPE must be a scope URI");
    expect(JSON.stringify(error) + (error as Error).message + detection.reasons.join()).not.toContain(
      KEY.slice(3, 15),
    );
  });

  it("the source refuses it with its own problem only", () => {
    const error = (() => {
      try {
        new EntraIdProviderConfigSource({
          resourceUrl: "https://r.openai.azure.com",
          scope: KEY,
          credential: credential(),
        });
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(ConfigurationError);
    expect((error as ConfigurationError).problems).toEqual([
      "scope must be a scope URI such as https://cognitiveservices.azure.com/.default (got a value of 35 characters (not shown))",
    ]);
  });
});
