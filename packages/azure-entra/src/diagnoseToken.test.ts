import { makeJwt } from "@copilot-byok/test-utils/makeJwt";
import { describe, expect, it } from "vitest";
import { diagnoseToken } from "./diagnoseToken.js";
import { scopeForEndpoint } from "./scopeForEndpoint.js";

const NOW = Date.UTC(2030, 0, 1);
const exp = NOW / 1000 + 3600;
const GOV = scopeForEndpoint("https://r.openai.azure.us/openai/v1/");
const FOUNDRY = scopeForEndpoint("https://r.services.ai.azure.com/openai/v1/");
const GATEWAY = scopeForEndpoint("http://127.0.0.1:8080/openai/v1/");

describe("diagnoseToken against the endpoint's cloud", () => {
  it("a Government token for the Government scope: no problem, no doubt", () => {
    const token = makeJwt({ aud: "https://cognitiveservices.azure.us", exp });
    const d = diagnoseToken(token, { scope: GOV.scope, endpoint: GOV, facts: {}, now: NOW });
    expect(d.token).toMatchObject({
      audience: "https://cognitiveservices.azure.us",
      audienceMatchesScope: true,
    });
    expect(d.problems).toBeUndefined();
    expect(d.warnings).toBeUndefined();
  });

  it("a mismatch names the scope the endpoint needs, in its cloud", () => {
    const token = makeJwt({ aud: "https://management.usgovcloudapi.net", exp });
    const d = diagnoseToken(token, { scope: GOV.scope, endpoint: GOV, facts: {}, now: NOW });
    expect(d.problems).toEqual([
      "the token's audience https://management.usgovcloudapi.net does not match the scope https://cognitiveservices.azure.us/.default: the provider will answer 401; set COPILOT_PROVIDER_TOKEN_SCOPE to the resource's scope (https://cognitiveservices.azure.us/.default, the default for Azure OpenAI (*.openai.azure.us) in Azure Government)",
    ]);
  });

  it("another scope a known endpoint takes is no doubt; one it does not take (an expectedAudience override) is", () => {
    const token = makeJwt({ aud: "https://ai.azure.com", exp });
    const ai = diagnoseToken(token, {
      scope: "https://ai.azure.com/.default",
      endpoint: FOUNDRY,
      facts: {},
      now: NOW,
    });
    expect(ai.warnings).toBeUndefined();
    const other = diagnoseToken(makeJwt({ aud: "api://gateway", exp }), {
      scope: "api://gateway/.default",
      endpoint: GOV,
      facts: {},
      now: NOW,
    });
    expect(other.warnings).toEqual([
      "the token scope api://gateway/.default is not https://cognitiveservices.azure.us/.default, the default for Azure OpenAI (*.openai.azure.us) in Azure Government, nor another scope this endpoint takes: keep it only if the endpoint expects this audience",
    ]);
  });

  it("an unknown host: the public default is no doubt, another scope is, naming every cloud's scope", () => {
    const token = makeJwt({ aud: "https://cognitiveservices.azure.com", exp });
    expect(
      diagnoseToken(token, { scope: GATEWAY.scope, endpoint: GATEWAY, facts: {}, now: NOW }).warnings,
    ).toBe(undefined);
    const mgmt = diagnoseToken(makeJwt({ aud: "https://management.azure.com", exp }), {
      scope: "https://management.azure.com/.default",
      endpoint: GATEWAY,
      facts: {},
      now: NOW,
    });
    expect(mgmt.warnings?.[0]).toContain(
      "accept only tokens for https://cognitiveservices.azure.com/.default",
    );
    expect(mgmt.warnings?.[0]).toContain("in Azure Government https://cognitiveservices.azure.us/.default");
    const mismatch = diagnoseToken(makeJwt({ aud: "https://management.azure.com", exp }), {
      scope: GATEWAY.scope,
      endpoint: GATEWAY,
      facts: {},
      now: NOW,
    });
    expect(mismatch.problems?.[0]).toContain(
      "(https://cognitiveservices.azure.com/.default for Azure AI Foundry / Azure OpenAI in the Azure public cloud)",
    );
  });

  it("given warnings come first, also for a token that is not a JWT", () => {
    const d = diagnoseToken("opaque", { scope: GOV.scope, endpoint: GOV, facts: {}, warnings: ["first"] });
    expect(d.warnings).toEqual(["first", "the bearer token is not a JWT: its claims cannot be shown"]);
    const jwt = makeJwt({ aud: "https://cognitiveservices.azure.us", exp });
    expect(
      diagnoseToken(jwt, { scope: GOV.scope, endpoint: GOV, facts: {}, now: NOW, warnings: ["w"] }).warnings,
    ).toEqual(["w"]);
  });
});
