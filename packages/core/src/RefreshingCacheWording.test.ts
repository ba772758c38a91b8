import { describe, expect, it } from "vitest";
import { DisposedError } from "./DisposedError.js";
import { describeErrorBriefly } from "./describeErrorBriefly.js";
import { RefreshingCacheWording } from "./RefreshingCacheWording.js";

const SCOPE = "https://cognitiveservices.azure.com/.default";

describe("RefreshingCacheWording", () => {
  it("speaks of the noun, the credential and the subject (the token cache's words)", () => {
    const words = new RefreshingCacheWording("ManagedIdentityCredential", SCOPE, "token");
    expect(words.started(true, 2)).toBe(
      `background token refresh started for ${SCOPE} (ManagedIdentityCredential, attempt 2)`,
    );
    expect(words.succeeded(12, Date.UTC(2030, 0, 1))).toBe(
      `token for ${SCOPE} obtained from ManagedIdentityCredential in 12 ms, expires 2030-01-01T00:00:00.000Z`,
    );
    expect(words.failed(1, "timeout")).toBe(
      `token refresh for ${SCOPE} failed (ManagedIdentityCredential, attempt 1, timeout)`,
    );
    expect(words.timeoutError(30_000)).toMatchObject({
      reason: "timeout",
      scope: SCOPE,
      credentialName: "ManagedIdentityCredential",
      message: `ManagedIdentityCredential did not return a token for ${SCOPE} within 30000 ms: the attempt was abandoned (the next call tries again)`,
    });
    expect(words.noValueError().message).toBe(`ManagedIdentityCredential returned no token for ${SCOPE}`);
  });

  it("leaves the subject out when there is none, and takes `an` before a vowel", () => {
    const words = new RefreshingCacheWording("Vault", undefined, "API key");
    expect(words.started(false, 1)).toBe("API key refresh started (Vault, attempt 1)");
    expect(words.abortedError(AbortSignal.abort()).message).toBe(
      "waiting for an API key was aborted by the caller",
    );
    const disposed = words.disposedError();
    expect(disposed).toBeInstanceOf(DisposedError);
    expect(disposed.message).toMatch(/^the API key cache of Vault is disposed \(no API key\)/);
  });

  it("describes a fetch failure with the describer given, falling back to the brief one when it throws", () => {
    const words = new RefreshingCacheWording("Vault", "k", "key");
    const cause = Object.assign(new Error("refused\nat line 2"), { name: "NetError" });
    expect(words.fetchError(cause).message).toBe("Vault could not get a key for k: NetError: refused");
    expect(words.fetchError(cause).cause).toBe(cause);
    const throwing = () => {
      throw new Error("describer broke");
    };
    expect(words.fetchError(cause, throwing).message).toBe(
      "Vault could not get a key for k: NetError: refused",
    );
    expect(describeErrorBriefly("boom")).toBe("a thrown string");
    expect(describeErrorBriefly(new Error("Bearer abc.def-123456"))).toBe("Error: Bearer [REDACTED]");
  });
});
