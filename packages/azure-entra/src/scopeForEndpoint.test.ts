import { describe, expect, it } from "vitest";
import { AZURE_CHINA_CLOUD, AZURE_PUBLIC_CLOUD, AZURE_US_GOVERNMENT } from "./clouds.js";
import { scopeForEndpoint } from "./scopeForEndpoint.js";

const PUBLIC_COGNITIVE = "https://cognitiveservices.azure.com";
const GOV_COGNITIVE = "https://cognitiveservices.azure.us";
const CHINA_COGNITIVE = "https://cognitiveservices.azure.cn";

describe("scopeForEndpoint", () => {
  it.each([
    // Azure public cloud
    [
      "https://r.openai.azure.com/openai/v1/",
      `${PUBLIC_COGNITIVE}/.default`,
      [PUBLIC_COGNITIVE],
      AZURE_PUBLIC_CLOUD,
    ],
    [
      "https://r.cognitiveservices.azure.com/openai/v1/",
      `${PUBLIC_COGNITIVE}/.default`,
      [PUBLIC_COGNITIVE],
      AZURE_PUBLIC_CLOUD,
    ],
    [
      "https://r.services.ai.azure.com/openai/v1/",
      `${PUBLIC_COGNITIVE}/.default`,
      [PUBLIC_COGNITIVE, "https://ai.azure.com"],
      AZURE_PUBLIC_CLOUD,
    ],
    [
      "https://r.services.ai.azure.com/api/projects/p",
      "https://ai.azure.com/.default",
      ["https://ai.azure.com"],
      AZURE_PUBLIC_CLOUD,
    ],
    [
      "https://r.services.ai.azure.com/api/projects/p/openai/v1/",
      "https://ai.azure.com/.default",
      ["https://ai.azure.com"],
      AZURE_PUBLIC_CLOUD,
    ],
    [
      "https://r.services.ai.azure.com/anthropic",
      `${PUBLIC_COGNITIVE}/.default`,
      [PUBLIC_COGNITIVE, "https://ai.azure.com"],
      AZURE_PUBLIC_CLOUD,
    ],
    [
      "https://r.services.ai.azure.com/anthropic/",
      `${PUBLIC_COGNITIVE}/.default`,
      [PUBLIC_COGNITIVE, "https://ai.azure.com"],
      AZURE_PUBLIC_CLOUD,
    ],
    // Azure Government
    [
      "https://r.openai.azure.us/openai/v1/",
      `${GOV_COGNITIVE}/.default`,
      [GOV_COGNITIVE],
      AZURE_US_GOVERNMENT,
    ],
    [
      "https://r.cognitiveservices.azure.us/",
      `${GOV_COGNITIVE}/.default`,
      [GOV_COGNITIVE],
      AZURE_US_GOVERNMENT,
    ],
    [
      "https://r.services.ai.azure.us/openai/v1/",
      `${GOV_COGNITIVE}/.default`,
      [GOV_COGNITIVE, "https://ai.azure.us"],
      AZURE_US_GOVERNMENT,
    ],
    [
      "https://r.services.ai.azure.us/api/projects/p",
      "https://ai.azure.us/.default",
      ["https://ai.azure.us"],
      AZURE_US_GOVERNMENT,
    ],
    [
      "https://r.services.ai.azure.us/anthropic",
      `${GOV_COGNITIVE}/.default`,
      [GOV_COGNITIVE, "https://ai.azure.us"],
      AZURE_US_GOVERNMENT,
    ],
    // Azure China
    [
      "https://r.openai.azure.cn/openai/v1/",
      `${CHINA_COGNITIVE}/.default`,
      [CHINA_COGNITIVE],
      AZURE_CHINA_CLOUD,
    ],
    [
      "https://r.cognitiveservices.azure.cn/",
      `${CHINA_COGNITIVE}/.default`,
      [CHINA_COGNITIVE],
      AZURE_CHINA_CLOUD,
    ],
  ])("%s → %s", (url, scope, audiences, cloud) => {
    const found = scopeForEndpoint(url);
    expect(found).toMatchObject({ scope, audiences, cloud, guessed: false });
    expect(found.origin.startsWith("the default for ")).toBe(true);
    expect(found.origin.endsWith(` in ${cloud.label}`)).toBe(true);
  });

  it("names the kind of endpoint and its cloud", () => {
    expect(scopeForEndpoint("https://r.openai.azure.us/openai/v1/").origin).toBe(
      "the default for Azure OpenAI (*.openai.azure.us) in Azure Government",
    );
    expect(scopeForEndpoint("https://r.services.ai.azure.com/api/projects/p").origin).toBe(
      "the default for a Foundry project endpoint (*.services.ai.azure.com/api/projects/…) in the Azure public cloud",
    );
    expect(scopeForEndpoint("https://r.services.ai.azure.com/anthropic").origin).toBe(
      "the default for Claude on Azure AI Foundry (*.services.ai.azure.com/anthropic) in the Azure public cloud",
    );
  });

  it("matches hosts case-insensitively, with a port, a trailing dot or a private-link label", () => {
    expect(scopeForEndpoint("https://R.OpenAI.Azure.US:443/openai/v1/").cloud).toBe(AZURE_US_GOVERNMENT);
    expect(scopeForEndpoint("https://r.openai.azure.cn./").cloud).toBe(AZURE_CHINA_CLOUD);
    expect(scopeForEndpoint("https://r.privatelink.openai.azure.com/").cloud).toBe(AZURE_PUBLIC_CLOUD);
  });

  it.each([
    "https://gateway.example.com/v1/",
    "http://127.0.0.1:8080/openai/v1/",
    "https://openai.azure.us/", // no resource label: not a resource host
    "https://r.openai.azure.us.example.com/", // a look-alike
    "https://r.services.ai.azure.cn/openai/v1/", // no Foundry in Azure China documented
    "https://r.azure-api.net/openai/", // API Management: a gateway
    "not a url",
    "",
  ])("%s: the public default, guessed, nothing checked", (url) => {
    const found = scopeForEndpoint(url);
    expect(found).toMatchObject({
      scope: "https://cognitiveservices.azure.com/.default",
      audiences: undefined,
      cloud: undefined,
      guessed: true,
    });
    expect(found.origin).toContain("guessed: ");
    expect(found.origin).toContain("set COPILOT_PROVIDER_TOKEN_SCOPE to the scope the endpoint expects");
  });

  it("says which host it did not know", () => {
    expect(scopeForEndpoint("http://127.0.0.1:8080/openai/v1/").origin).toBe(
      "guessed: 127.0.0.1:8080 is not a known Azure AI host, so the Azure public cloud's default; set COPILOT_PROVIDER_TOKEN_SCOPE to the scope the endpoint expects",
    );
    expect(scopeForEndpoint("not a url").origin).toMatch(
      /^guessed: the endpoint is not a known Azure AI host/,
    );
  });
});
