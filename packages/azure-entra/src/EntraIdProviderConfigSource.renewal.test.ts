// renewCredential, getCredential's expiry and explainRejection of the source, with scripted credentials on a
// manual clock. The real @azure/identity credentials: EntraIdProviderConfigSource.renewal.emulator.test.ts.
import type { AccessToken, GetTokenOptions, TokenCredential } from "@azure/core-auth";
import { DisposedError } from "@copilot-byok/core";
import { ManualClock } from "@copilot-byok/test-utils/ManualClock";
import { makeJwt } from "@copilot-byok/test-utils/makeJwt";
import { ScriptedCredential } from "@copilot-byok/test-utils/ScriptedCredential";
import { describe, expect, it } from "vitest";
import { EntraIdProviderConfigSource } from "./EntraIdProviderConfigSource.js";

const BASE_URL = "https://r.openai.azure.com/openai/v1/";
const NOW = Date.UTC(2030, 0, 1, 12);
const HOUR = 3_600_000;
const jwt = (n: number, claims: Record<string, unknown> = {}) =>
  makeJwt({
    aud: "https://cognitiveservices.azure.com",
    oid: "22222222-0000-4000-8000-00000000001d",
    exp: (NOW + HOUR) / 1000,
    n,
    ...claims,
  });
const A = jwt(1);
const B = jwt(2);

/** A plug-in credential (a class @azure/identity does not have) that records the claims it is asked with. */
class TokenBrokerCredential implements TokenCredential {
  readonly claims: (string | undefined)[] = [];
  async getToken(_scope: string | string[], options?: GetTokenOptions): Promise<AccessToken> {
    this.claims.push(options?.claims);
    return { token: jwt(this.claims.length), expiresOnTimestamp: NOW + HOUR };
  }
}

function sourceWith(credential: TokenCredential) {
  const clock = new ManualClock(NOW);
  return { clock, source: new EntraIdProviderConfigSource({ baseUrl: BASE_URL, credential, clock }) };
}

describe("EntraIdProviderConfigSource.renewCredential", () => {
  it("asks a plug-in credential again with claims, and answers the new token with its expiry", async () => {
    const credential = new TokenBrokerCredential();
    const { source } = sourceWith(credential);
    const first = await source.getCredential();
    expect(first).toEqual({ kind: "bearer", value: A, expiresOn: NOW + HOUR });
    const renewed = await source.renewCredential({ credential: first, status: 401 });
    expect(renewed).toEqual({ kind: "bearer", value: B, expiresOn: NOW + HOUR });
    expect(credential.claims.map((c) => c !== undefined)).toEqual([false, true]);
    expect((await source.getCredential()).value).toBe(B);
    source.dispose();
  });

  it("makes one credential call for 50 concurrent 401s of one token", async () => {
    const credential = new ScriptedCredential(
      [A, B, jwt(3)].map((token) => ({ token, expiresInMs: HOUR })),
      () => NOW,
    );
    const { source } = sourceWith(credential);
    const first = await source.getCredential();
    const renewed = await Promise.all(
      Array.from({ length: 50 }, () => source.renewCredential({ credential: first, status: 401 })),
    );
    expect(new Set(renewed.map((c) => c.value))).toEqual(new Set([B]));
    expect(credential.calls).toHaveLength(2);
    source.dispose();
  });

  it("answers the current token, without a credential call, for a token that is not current", async () => {
    const credential = new ScriptedCredential([{ token: A, expiresInMs: HOUR }], () => NOW);
    const { source } = sourceWith(credential);
    await source.getCredential();
    const stale = { kind: "bearer" as const, value: jwt(0) };
    expect((await source.renewCredential({ credential: stale, status: 401 })).value).toBe(A);
    expect(credential.calls).toHaveLength(1);
    source.dispose();
  });

  it("rejects with a DisposedError once disposed", async () => {
    const { source } = sourceWith(new TokenBrokerCredential());
    source.dispose();
    await expect(
      source.renewCredential({ credential: { kind: "bearer", value: A }, status: 401 }),
    ).rejects.toBeInstanceOf(DisposedError);
  });
});

describe("EntraIdProviderConfigSource.explainRejection", () => {
  it("checks the token against the endpoint's audience and the injected clock", async () => {
    const { clock, source } = sourceWith(new TokenBrokerCredential());
    const credential = await source.getCredential();
    await clock.advance(19 * 60_000);
    expect(source.explainRejection(credential, 401)[0]).toContain(
      "the provider rejected a token that expires in 41 min by this machine's clock",
    );
    const other = { kind: "bearer" as const, value: jwt(9, { aud: "https://management.azure.com" }) };
    expect(source.explainRejection(other, 401)[0]).toContain(
      "the token's audience https://management.azure.com is neither the one the endpoint expects (https://cognitiveservices.azure.com)",
    );
    expect(source.explainRejection(credential, 403)[0]).toContain(
      'assign the role "Cognitive Services OpenAI User" on the resource to the principal with object id 22222222-0000-4000-8000-00000000001d',
    );
    source.dispose();
  });

  it("takes the expectedAudience option as what the endpoint expects", () => {
    const source = new EntraIdProviderConfigSource({
      baseUrl: "https://gateway.example.com/v1/",
      scope: "api://gateway/.default",
      expectedAudience: "api://gateway",
      credential: new TokenBrokerCredential(),
      clock: new ManualClock(NOW),
    });
    const [line] = source.explainRejection({ kind: "bearer", value: A }, 401);
    expect(line).toContain("is neither the one the endpoint expects (api://gateway)");
    source.dispose();
  });
});
