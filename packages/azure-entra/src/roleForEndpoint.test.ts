import { describe, expect, it } from "vitest";
import { roleForEndpoint } from "./roleForEndpoint.js";

describe("roleForEndpoint", () => {
  it("names the role of each kind of endpoint", () => {
    expect(roleForEndpoint("https://r.openai.azure.com/openai/v1/")).toEqual({
      role: "Cognitive Services OpenAI User",
      on: "the resource",
    });
    expect(roleForEndpoint("https://r.services.ai.azure.com/openai/v1/", "openai").role).toBe(
      "Cognitive Services OpenAI User",
    );
    expect(roleForEndpoint("https://r.services.ai.azure.com/api/projects/p")).toEqual({
      role: "Azure AI User",
      on: "the Foundry resource or project",
    });
    expect(roleForEndpoint("https://r.services.ai.azure.us/api/projects/p").role).toBe("Azure AI User");
    expect(roleForEndpoint("https://r.services.ai.azure.com/anthropic", "anthropic").role).toBe(
      "Cognitive Services User",
    );
    expect(roleForEndpoint("http://127.0.0.1:8080/v1/")).toEqual({
      role: "Cognitive Services OpenAI User",
      on: "the Azure resource behind the endpoint",
    });
  });
});
