// TokenCache.renewToken against scripted credentials on a manual clock: which credential is asked, with which
// claims, and how often. The real @azure/identity credentials are in EntraIdProviderConfigSource.renewal.test.ts.
import type { AccessToken, GetTokenOptions, TokenCredential } from "@azure/core-auth";
import { AzureLogger, createClientLogger } from "@azure/logger";
import { TokenAcquisitionError } from "@copilot-byok/core";
import { ManualClock } from "@copilot-byok/test-utils/ManualClock";
import { makeJwt } from "@copilot-byok/test-utils/makeJwt";
import { ScriptedCredential } from "@copilot-byok/test-utils/ScriptedCredential";
import { describe, expect, it } from "vitest";
import { TokenCache, type TokenCacheEvent } from "./TokenCache.js";

const SCOPE = "https://cognitiveservices.azure.com/.default";
const HOUR = 3_600_000;
const NOW = Date.UTC(2030, 0, 1, 12);
const identityLog = createClientLogger("identity");

const tokenNamed = (n: number) => makeJwt({ aud: "https://cognitiveservices.azure.com", n });
const A = tokenNamed(1);
const B = tokenNamed(2);
const C = tokenNamed(3);
const steps = (...tokens: string[]) => tokens.map((token) => ({ token, expiresInMs: HOUR }));
/** Tokens of an hour by the tests' clock. */
const scripted = (...tokens: string[]) => new ScriptedCredential(steps(...tokens), () => NOW);
const claimsOf = (call: { options: GetTokenOptions | undefined } | undefined) => call?.options?.claims;

/** A scripted credential that names itself (as `credentialNameOf` reads it), e.g. as an @azure/identity class. */
function named(credentialName: string, credential: TokenCredential): TokenCredential {
  return { credentialName, getToken: (s, o) => credential.getToken(s, o) } as TokenCredential;
}

function setup(credential: TokenCredential) {
  const clock = new ManualClock(NOW);
  const events: TokenCacheEvent[] = [];
  const cache = new TokenCache({ credential, clock, onEvent: (e) => events.push(e) });
  return { clock, cache, events };
}

describe("TokenCache.renewToken", () => {
  it("asks a plug-in credential again with a claims challenge (nbf: now by the clock), and caches the new token", async () => {
    const credential = scripted(A, B);
    const { clock, cache, events } = setup(credential);
    expect(await cache.getToken(SCOPE)).toBe(A);
    expect(await cache.renewToken(SCOPE, A)).toBe(B);
    expect(credential.calls).toHaveLength(2);
    expect(claimsOf(credential.calls[0])).toBeUndefined();
    expect(JSON.parse(claimsOf(credential.calls[1]) ?? "")).toEqual({
      access_token: { nbf: { essential: true, value: String(clock.now() / 1000) } },
    });
    expect(await cache.getToken(SCOPE)).toBe(B);
    expect(credential.calls).toHaveLength(2);
    expect(events.filter((e) => e.type === "refresh-started").map((e) => e.renewal)).toEqual([
      undefined,
      true,
    ]);
    expect(cache.renewalPlan(SCOPE).method).toBe("claims-then-plain");
    cache.dispose();
  });

  it("asks a plug-in credential once more without claims when it refuses them", async () => {
    const calls: (string | undefined)[] = [];
    let n = 0;
    const credential: TokenCredential = {
      getToken: async (_scope, options) => {
        calls.push(options?.claims);
        if (options?.claims) throw new Error("this credential does not take claims");
        n += 1;
        return { token: tokenNamed(n), expiresOnTimestamp: NOW + HOUR };
      },
    };
    const { cache } = setup(credential);
    expect(await cache.getToken(SCOPE)).toBe(A);
    expect(await cache.renewToken(SCOPE, A)).toBe(B);
    expect(calls.map((c) => c !== undefined)).toEqual([false, true, false]);
    cache.dispose();
  });

  it("makes one credential call for 50 concurrent renewals of the same token; all get the new one", async () => {
    const credential = scripted(A, B, C);
    const { cache } = setup(credential);
    await cache.getToken(SCOPE);
    const renewed = await Promise.all(Array.from({ length: 50 }, () => cache.renewToken(SCOPE, A)));
    expect(new Set(renewed)).toEqual(new Set([B]));
    expect(credential.calls).toHaveLength(2);
    // A later 401 of the old token (a request sent before the renewal) renews nothing.
    expect(await cache.renewToken(SCOPE, A)).toBe(B);
    expect(credential.calls).toHaveLength(2);
    cache.dispose();
  });

  it("answers the current token, without asking the credential, for a token that is not the current one", async () => {
    const credential = scripted(A, B);
    const { cache } = setup(credential);
    await cache.getToken(SCOPE);
    expect(await cache.renewToken(SCOPE, makeJwt({ other: true }))).toBe(A);
    expect(credential.calls).toHaveLength(1);
    cache.dispose();
  });

  it("renews with nothing cached yet: asks with claims", async () => {
    const credential = scripted(B);
    const { cache } = setup(credential);
    expect(await cache.renewToken(SCOPE, A)).toBe(B);
    expect(claimsOf(credential.calls[0])).toBeDefined();
    cache.dispose();
  });

  it("never sends claims to ManagedIdentityCredential or AzureCliCredential: asks as usual", async () => {
    for (const name of ["ManagedIdentityCredential", "AzureCliCredential"]) {
      const credential = scripted(A, A);
      const { cache } = setup(named(name, credential));
      await cache.getToken(SCOPE);
      // The credential's own cache hands back the same token: the renewal answers it.
      expect(await cache.renewToken(SCOPE, A)).toBe(A);
      expect(credential.calls.map(claimsOf)).toEqual([undefined, undefined]);
      expect(cache.renewalPlan(SCOPE).method).toBe("plain");
      cache.dispose();
    }
  });

  it("sends claims to a service principal once, and reports its failure (no second try without)", async () => {
    const failing = new ScriptedCredential(
      [
        { token: A, expiresInMs: HOUR },
        {
          error: Object.assign(new Error("AADSTS7000215: Invalid client secret"), {
            name: "AuthenticationError",
          }),
        },
      ],
      () => NOW,
    );
    const { cache } = setup(named("ClientSecretCredential", failing));
    await cache.getToken(SCOPE);
    const error = await cache.renewToken(SCOPE, A).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TokenAcquisitionError);
    expect((error as Error).message).toContain("AADSTS7000215");
    expect(failing.calls.map((c) => claimsOf(c) !== undefined)).toEqual([false, true]);
    cache.dispose();
  });
});

describe("TokenCache.renewToken with a chain (DefaultAzureCredential)", () => {
  /** A DefaultAzureCredential stand-in that logs, as ChainedTokenCredential does, which credential answered. */
  function chain(answeredBy: string | undefined, tokens: string[]) {
    const calls: GetTokenOptions[] = [];
    const credential = {
      credentialName: "DefaultAzureCredential",
      async getToken(scope: string | string[], options?: GetTokenOptions): Promise<AccessToken> {
        calls.push(options ?? {});
        if (answeredBy)
          identityLog.info(
            `ChainedTokenCredential => getToken() => Result for ${answeredBy}: SUCCESS. Scopes: ${scope}.`,
          );
        return { token: tokens[calls.length - 1] ?? "", expiresOnTimestamp: NOW + HOUR };
      },
    };
    return { credential, calls };
  }

  it("sends claims when a confidential client of the chain answered", async () => {
    const { credential, calls } = chain("EnvironmentCredential", [A, B]);
    const { cache } = setup(credential);
    await cache.getToken(SCOPE);
    expect(cache.status(SCOPE).answeredBy).toBe("EnvironmentCredential");
    expect(await cache.renewToken(SCOPE, A)).toBe(B);
    expect(calls.map((c) => c.claims !== undefined)).toEqual([false, true]);
    cache.dispose();
  });

  it("sends no claims when the Azure CLI, a managed identity, or an unknown credential of the chain answered", async () => {
    for (const answeredBy of ["AzureCliCredential", "ManagedIdentityCredential", undefined]) {
      const { credential, calls } = chain(answeredBy, [A, B]);
      const { cache } = setup(credential);
      await cache.getToken(SCOPE);
      expect(cache.status(SCOPE).answeredBy).toBe(answeredBy);
      expect(await cache.renewToken(SCOPE, A)).toBe(B);
      expect(calls.map((c) => c.claims)).toEqual([undefined, undefined]);
      cache.dispose();
    }
  });

  it("stops listening to @azure/logger when a token request of the chain is abandoned (a hanging endpoint)", async () => {
    const appLog = AzureLogger.log;
    const clock = new ManualClock(NOW);
    const hanging = {
      credentialName: "DefaultAzureCredential",
      getToken: () => new Promise<never>(() => {}),
    };
    const cache = new TokenCache({ credential: hanging as TokenCredential, clock, timeoutMs: 1_000 });
    const outcome = cache.getToken(SCOPE).catch((e: unknown) => e);
    await clock.advance(0);
    expect(AzureLogger.log).not.toBe(appLog);
    await clock.advance(1_000);
    expect(await outcome).toMatchObject({ reason: "timeout" });
    expect(AzureLogger.log).toBe(appLog);
    cache.dispose();
  });

  it("does not take another scope's answer for its own", async () => {
    const { credential } = chain(undefined, [A]);
    const { cache } = setup({
      credentialName: "DefaultAzureCredential",
      getToken: async (scope: string | string[], options?: GetTokenOptions) => {
        identityLog.info(
          "ChainedTokenCredential => Result for ClientSecretCredential: SUCCESS. Scopes: https://other.example/.default.",
        );
        return credential.getToken(scope, options);
      },
    } as TokenCredential);
    await cache.getToken(SCOPE);
    expect(cache.status(SCOPE).answeredBy).toBeUndefined();
    expect(cache.renewalPlan(SCOPE).method).toBe("plain");
    cache.dispose();
  });
});
