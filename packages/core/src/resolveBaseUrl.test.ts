import { describe, expect, it } from "vitest";
import {
  AZURE_AI_FOUNDRY_RESOURCE_URL,
  AZURE_OPENAI_ENDPOINT,
  COPILOT_PROVIDER_BASE_URL,
} from "./envNames.js";
import { resolveBaseUrl } from "./resolveBaseUrl.js";

describe("resolveBaseUrl", () => {
  it("uses COPILOT_PROVIDER_BASE_URL as is", () => {
    expect(resolveBaseUrl(COPILOT_PROVIDER_BASE_URL, "https://example.com/custom/path")).toEqual({
      baseUrl: "https://example.com/custom/path",
      problems: [],
    });
    expect(resolveBaseUrl(COPILOT_PROVIDER_BASE_URL, "https://h.example/v1?x=1").baseUrl).toBe(
      "https://h.example/v1?x=1",
    );
  });

  it.each([
    ["https://r.services.ai.azure.com", "https://r.services.ai.azure.com/openai/v1/"],
    ["https://r.services.ai.azure.com/", "https://r.services.ai.azure.com/openai/v1/"],
    ["https://r.services.ai.azure.com///", "https://r.services.ai.azure.com/openai/v1/"],
    ["https://r.openai.azure.com/openai/v1", "https://r.openai.azure.com/openai/v1/"],
    ["https://r.openai.azure.com/openai/v1/", "https://r.openai.azure.com/openai/v1/"],
    ["https://r.openai.azure.com/openai", "https://r.openai.azure.com/openai/v1/"],
    ["https://r.openai.azure.com/OpenAI/V1/", "https://r.openai.azure.com/OpenAI/V1/"],
    ["  https://r.openai.azure.com  ", "https://r.openai.azure.com/openai/v1/"],
    ["http://127.0.0.1:8080", "http://127.0.0.1:8080/openai/v1/"],
    ["http://localhost:3000/", "http://localhost:3000/openai/v1/"],
    ["http://[::1]:3000", "http://[::1]:3000/openai/v1/"],
    ["https://proxy.example/tenant-a", "https://proxy.example/tenant-a/openai/v1/"],
  ])("turns the resource URL %s into %s", (input, expected) => {
    for (const variable of [AZURE_AI_FOUNDRY_RESOURCE_URL, AZURE_OPENAI_ENDPOINT]) {
      expect(resolveBaseUrl(variable, input)).toEqual({ baseUrl: expected, problems: [] });
    }
  });

  it.each([
    "http://r.openai.azure.com",
    "http://10.0.0.5:8080",
    "http://192.168.1.10",
    "http://example.localhost.evil.com",
  ])("refuses plaintext http:// to the non-loopback host of %s", (url) => {
    for (const variable of [COPILOT_PROVIDER_BASE_URL, AZURE_AI_FOUNDRY_RESOURCE_URL]) {
      const r = resolveBaseUrl(variable, url);
      expect(r.baseUrl).toBeUndefined();
      expect(r.problems).toHaveLength(1);
      expect(r.problems[0]).toContain(variable);
      expect(r.problems[0]).toContain("https://");
      expect(r.problems[0]).toContain("in clear");
    }
  });

  it("refuses non-http protocols", () => {
    const r = resolveBaseUrl(AZURE_OPENAI_ENDPOINT, "ftp://r.example");
    expect(r.problems[0]).toMatch(/AZURE_OPENAI_ENDPOINT must use https:\/\/.*not ftp:/);
  });

  it("never echoes a malformed value, which could be a pasted secret", () => {
    const canary = "canary-secret-0192837465";
    const r = resolveBaseUrl(AZURE_AI_FOUNDRY_RESOURCE_URL, canary);
    expect(r.problems[0]).toContain("not a valid absolute URL");
    expect(r.problems[0]).toContain(`${canary.length} characters`);
    expect(r.problems.join()).not.toContain(canary);
  });

  it("refuses credentials in the URL without showing them", () => {
    const r = resolveBaseUrl(COPILOT_PROVIDER_BASE_URL, "https://user:canary-pass-123@r.example/openai/v1/");
    expect(r.problems[0]).toContain("user info");
    expect(r.problems.join()).not.toContain("canary-pass-123");
  });

  it("refuses a query or fragment on a resource URL, masking secret parameters", () => {
    const r = resolveBaseUrl(AZURE_AI_FOUNDRY_RESOURCE_URL, "https://r.example/?api-key=canary-q-987");
    expect(r.problems[0]).toContain("query or fragment");
    expect(r.problems.join()).not.toContain("canary-q-987");
  });

  it("refuses a query or fragment on a resource URL showing origin and path only, whatever the names", () => {
    for (const value of [
      "https://my-func.azurewebsites.net/api/openai?code=canary-code-4711",
      "https://r.openai.azure.com/#access_token=canary-code-4711",
      "https://r.openai.azure.com/?canary-code-4711",
    ]) {
      const r = resolveBaseUrl(AZURE_OPENAI_ENDPOINT, value);
      expect(r.baseUrl).toBeUndefined();
      expect(r.problems).toHaveLength(1);
      expect(r.problems[0]).toContain(
        "AZURE_OPENAI_ENDPOINT is a resource URL and must not have a query or fragment",
      );
      expect(r.problems[0]).toMatch(/\(query\/fragment of \d+ characters not shown\)/);
      expect(r.problems[0]).not.toContain("canary-code");
    }
    expect(
      resolveBaseUrl(AZURE_OPENAI_ENDPOINT, "https://f.example/api/openai?code=x").problems[0],
    ).toContain("https://f.example/api/openai (query/fragment of 7 characters not shown)");
  });

  it("gives the resource root for type azure (the runtime appends /openai/v1/ itself)", () => {
    for (const input of [
      "https://r.openai.azure.com",
      "https://r.openai.azure.com/openai/v1/",
      "https://r.openai.azure.com/openai",
    ]) {
      expect(resolveBaseUrl(AZURE_OPENAI_ENDPOINT, input, { type: "azure" }).baseUrl).toBe(
        "https://r.openai.azure.com",
      );
    }
    expect(
      resolveBaseUrl(COPILOT_PROVIDER_BASE_URL, "https://r.example/openai/v1/", { type: "azure" }).baseUrl,
    ).toBe("https://r.example/openai/v1/");
  });

  it.each([
    ["https://r.services.ai.azure.com", "https://r.services.ai.azure.com/anthropic"],
    ["https://r.services.ai.azure.com/", "https://r.services.ai.azure.com/anthropic"],
    ["https://r.services.ai.azure.com/anthropic", "https://r.services.ai.azure.com/anthropic"],
    ["https://r.services.ai.azure.com/anthropic/", "https://r.services.ai.azure.com/anthropic"],
    ["https://r.services.ai.azure.com/anthropic/v1", "https://r.services.ai.azure.com/anthropic"],
    ["https://r.services.ai.azure.com/Anthropic/V1/messages", "https://r.services.ai.azure.com/anthropic"],
    ["https://r.services.ai.azure.com/openai/v1/", "https://r.services.ai.azure.com/anthropic"],
    ["https://proxy.example/tenant-a/", "https://proxy.example/tenant-a/anthropic"],
    ["http://127.0.0.1:8080", "http://127.0.0.1:8080/anthropic"],
  ])(
    "for type anthropic turns the resource URL %s into %s (Foundry's Claude endpoint)",
    (input, expected) => {
      for (const variable of [AZURE_AI_FOUNDRY_RESOURCE_URL, AZURE_OPENAI_ENDPOINT]) {
        expect(resolveBaseUrl(variable, input, { type: "anthropic" })).toEqual({
          baseUrl: expected,
          problems: [],
        });
      }
    },
  );

  it("uses COPILOT_PROVIDER_BASE_URL as is for type anthropic too", () => {
    for (const value of ["https://r.services.ai.azure.com/anthropic/", "https://gw.example/claude"]) {
      expect(resolveBaseUrl(COPILOT_PROVIDER_BASE_URL, value, { type: "anthropic" })).toEqual({
        baseUrl: value,
        problems: [],
      });
    }
  });

  it.each(["openai", "azure", undefined])(
    "refuses a resource URL ending in /anthropic with type %s, naming the fix",
    (type) => {
      for (const value of [
        "https://r.services.ai.azure.com/anthropic",
        "https://r.services.ai.azure.com/anthropic/v1/",
      ]) {
        const r = resolveBaseUrl(AZURE_AI_FOUNDRY_RESOURCE_URL, value, type ? { type } : {});
        expect(r).toEqual({
          problems: [
            `AZURE_AI_FOUNDRY_RESOURCE_URL ends in /anthropic, Azure AI Foundry's endpoint for Claude, but the provider type is ${type ?? "openai"}: set COPILOT_PROVIDER_TYPE=anthropic (type: "anthropic") for a Claude deployment, or give the resource URL (https://<resource>.services.ai.azure.com) for an OpenAI-compatible one`,
          ],
        });
      }
      // A base URL is the caller's own: used as is, whatever its path.
      const asIs = resolveBaseUrl(COPILOT_PROVIDER_BASE_URL, "https://gw.example/anthropic", {
        type: "openai",
      });
      expect(asIs.problems).toEqual([]);
    },
  );

  it("names the option in the /anthropic problem when given a label", () => {
    const r = resolveBaseUrl(AZURE_AI_FOUNDRY_RESOURCE_URL, "https://r.services.ai.azure.com/anthropic", {
      type: "azure",
      label: "resourceUrl",
    });
    expect(r.problems[0]).toMatch(/^resourceUrl ends in \/anthropic/);
  });

  it("reports an empty value", () => {
    expect(resolveBaseUrl(AZURE_OPENAI_ENDPOINT, "   ").problems[0]).toContain("set but empty");
  });
});
