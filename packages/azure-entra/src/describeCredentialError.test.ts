import { makeJwt } from "@copilot-byok/test-utils/makeJwt";
import { describe, expect, it } from "vitest";
import { describeCredentialError } from "./describeCredentialError.js";

class CredentialUnavailableError extends Error {
  override name = "CredentialUnavailableError";
}
class AggregateAuthenticationError extends Error {
  override name = "AggregateAuthenticationError";
  constructor(
    readonly errors: unknown[],
    message: string,
  ) {
    super(`${message}\n${errors.join("\n")}`);
  }
}

describe("describeCredentialError", () => {
  it("lists each credential of a chain with its first line", () => {
    const longLine = `ManagedIdentityCredential: Authentication failed. ${"x".repeat(1_000)}`;
    const error = new AggregateAuthenticationError(
      [
        new CredentialUnavailableError(
          "EnvironmentCredential is unavailable. No underlying credential could be used.\nTo troubleshoot, visit https://aka.ms/azsdk/js/identity/environmentcredential/troubleshoot.",
        ),
        new CredentialUnavailableError(`${longLine}\nmore details`),
        new CredentialUnavailableError(
          "Azure CLI could not be found. Please visit https://aka.ms/azure-cli for installation instructions and then, once installed, authenticate to your Azure account using 'az login'.",
        ),
      ],
      "ChainedTokenCredential authentication failed.",
    );
    const text = describeCredentialError(error);
    expect(text).toMatch(/^AggregateAuthenticationError: ChainedTokenCredential authentication failed\. …\n/);
    expect(text).toContain(
      "  - CredentialUnavailableError: EnvironmentCredential is unavailable. No underlying credential could be used. …",
    );
    expect(text).toContain("  - CredentialUnavailableError: Azure CLI could not be found.");
    expect(text).not.toContain("x".repeat(400));
    expect(text.split("\n")).toHaveLength(4);
  });

  it("keeps the first lines of a plain error and masks tokens", () => {
    const jwt = makeJwt({ aud: "a" });
    const error = new Error(`line one with ${jwt}\nline two Bearer abc.def\nline three\nline four`);
    const text = describeCredentialError(error);
    expect(text).toBe("Error: line one with [REDACTED]:jwt line two Bearer [REDACTED] line three …");
    expect(text).not.toContain(jwt);
  });

  it("describes non-errors", () => {
    expect(describeCredentialError("boom")).toBe("a thrown string (boom)");
    expect(describeCredentialError(undefined)).toBe("a thrown undefined (undefined)");
    expect(describeCredentialError({ name: "X", message: "y" })).toBe("X: y");
  });
});
