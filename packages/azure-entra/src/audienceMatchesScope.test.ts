import { describe, expect, it } from "vitest";
import { audienceMatchesScope, resourceOfScope } from "./audienceMatchesScope.js";

const COGNITIVE = "https://cognitiveservices.azure.com/.default";

describe("audienceMatchesScope", () => {
  it("accepts the resource URI, with or without a trailing slash, and Cognitive Services' app id", () => {
    expect(audienceMatchesScope("https://cognitiveservices.azure.com", COGNITIVE)).toBe(true);
    expect(audienceMatchesScope("https://cognitiveservices.azure.com/", COGNITIVE)).toBe(true);
    expect(audienceMatchesScope("HTTPS://CognitiveServices.Azure.com", COGNITIVE)).toBe(true);
    expect(audienceMatchesScope("7d312290-28c8-473c-a0ed-8e53749b6d6d", COGNITIVE)).toBe(true);
    expect(audienceMatchesScope(["other", "https://cognitiveservices.azure.com"], COGNITIVE)).toBe(true);
  });

  it("rejects a management token sent to Foundry (the classic 401), and a missing audience", () => {
    expect(audienceMatchesScope("https://management.azure.com", COGNITIVE)).toBe(false);
    expect(audienceMatchesScope("https://management.azure.com/", COGNITIVE)).toBe(false);
    expect(audienceMatchesScope("797f4846-ba00-4fd7-ba43-dac1f8f63013", COGNITIVE)).toBe(false);
    expect(audienceMatchesScope(undefined, COGNITIVE)).toBe(false);
    expect(audienceMatchesScope([], COGNITIVE)).toBe(false);
  });

  it("knows the resource URIs and app ids of every cloud", () => {
    for (const cloud of ["us", "cn"]) {
      const scope = `https://cognitiveservices.azure.${cloud}/.default`;
      expect(audienceMatchesScope(`https://cognitiveservices.azure.${cloud}`, scope)).toBe(true);
      expect(audienceMatchesScope(`https://cognitiveservices.azure.${cloud}/`, scope)).toBe(true);
      expect(audienceMatchesScope("7d312290-28c8-473c-a0ed-8e53749b6d6d", scope)).toBe(true);
      expect(audienceMatchesScope("https://cognitiveservices.azure.com", scope)).toBe(false);
      expect(audienceMatchesScope(`https://cognitiveservices.azure.${cloud}`, COGNITIVE)).toBe(false);
    }
    expect(audienceMatchesScope("https://ai.azure.us", "https://ai.azure.us/.default")).toBe(true);
    const govManagement = "https://management.usgovcloudapi.net/.default";
    expect(audienceMatchesScope("797f4846-ba00-4fd7-ba43-dac1f8f63013", govManagement)).toBe(true);
    expect(
      audienceMatchesScope(
        "797f4846-ba00-4fd7-ba43-dac1f8f63013",
        "https://cognitiveservices.azure.us/.default",
      ),
    ).toBe(false);
  });

  it("pairs api://<app-id> scopes with the bare app id", () => {
    const appId = "0b2c6f0e-5a3d-4c1b-9e8f-7a6b5c4d3e2f";
    expect(audienceMatchesScope(appId, `api://${appId}/.default`)).toBe(true);
    expect(audienceMatchesScope(`api://${appId}`, `api://${appId}/.default`)).toBe(true);
    expect(audienceMatchesScope(`api://${appId}`, `${appId}/.default`)).toBe(true);
    expect(audienceMatchesScope("api://other", `api://${appId}/.default`)).toBe(false);
  });

  it("derives the resource of a scope", () => {
    expect(resourceOfScope(COGNITIVE)).toBe("https://cognitiveservices.azure.com");
    expect(resourceOfScope("https://ai.azure.com/.default")).toBe("https://ai.azure.com");
    expect(resourceOfScope("https://cognitiveservices.azure.com/user_impersonation")).toBe(
      "https://cognitiveservices.azure.com",
    );
    expect(resourceOfScope("https://example.test")).toBe("https://example.test");
  });
});
