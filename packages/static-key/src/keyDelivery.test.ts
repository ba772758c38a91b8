import { describe, expect, it } from "vitest";
import { credentialHeader, defaultKeyPerRequest } from "./keyDelivery.js";

describe("keyDelivery", () => {
  it.each([
    ["openai", true, "Authorization: Bearer", "Authorization: Bearer"],
    ["azure", true, "Authorization: Bearer", "api-key"],
    ["anthropic", false, "Authorization: Bearer", "x-api-key"],
  ] as const)("%s: key per request by default: %s", (type, perRequest, withCallback, withoutCallback) => {
    expect(defaultKeyPerRequest(type)).toBe(perRequest);
    expect(credentialHeader(type, true)).toBe(withCallback);
    expect(credentialHeader(type, false)).toBe(withoutCallback);
  });
});
