import { inspect } from "node:util";
import { describe, expect, it } from "vitest";
import { createProviderConfigSource } from "./createProviderConfigSource.js";
import { fingerprint } from "./fingerprint.js";
import { CANARY_KEY } from "./test-support/testModules.js";

const PROVIDER = { baseUrl: "https://r.example/openai/v1/", type: "openai", wireApi: "responses" } as const;
const ARGS = { providerName: "default", sessionId: "s" };

function supplier(values: string[]) {
  let calls = 0;
  let disposed = 0;
  return {
    get calls() {
      return calls;
    },
    get disposed() {
      return disposed;
    },
    async get() {
      calls++;
      return values[Math.min(calls, values.length) - 1] as string;
    },
    status: () => ({ state: "valid", expiresOn: "2026-12-02T02:00:00.000Z" }),
    dispose() {
      disposed++;
    },
  };
}

describe("createProviderConfigSource", () => {
  it("a bearer credential: waits for one, then hands the runtime a per-request callback, never the token", async () => {
    const credential = supplier(["t1", "t2"]);
    const source = createProviderConfigSource({
      mode: "broker",
      provider: PROVIDER,
      credentialKind: "bearer",
      credential,
    });
    const config = await source.getProviderConfig();
    expect(credential.calls).toBe(1);
    expect(config).toEqual({ ...PROVIDER, bearerTokenProvider: expect.any(Function) });
    expect(await config.bearerTokenProvider?.(ARGS)).toBe("t2");
    const current = await source.getCredential?.();
    expect([current?.kind, current?.value]).toEqual(["bearer", "t2"]);
  });

  it("an api-key credential: apiKey plus the per-request callback, except for anthropic", async () => {
    const key = createProviderConfigSource({
      mode: "vault",
      provider: PROVIDER,
      credentialKind: "api-key",
      credential: supplier([CANARY_KEY]),
    });
    expect(await key.getProviderConfig()).toEqual({
      ...PROVIDER,
      apiKey: CANARY_KEY,
      bearerTokenProvider: expect.any(Function),
    });
    const anthropic = createProviderConfigSource({
      mode: "vault",
      provider: { ...PROVIDER, type: "anthropic" },
      credentialKind: "api-key",
      credential: supplier([CANARY_KEY]),
    });
    expect(await anthropic.getProviderConfig()).toEqual({
      type: "anthropic",
      baseUrl: PROVIDER.baseUrl,
      apiKey: CANARY_KEY,
    });
  });

  it("describes and diagnoses itself with the author's facts, never the secret", async () => {
    const credential = supplier([CANARY_KEY]);
    const source = createProviderConfigSource({
      mode: "vault",
      provider: { ...PROVIDER, baseUrl: `https://r.example/v1/?sig=${CANARY_KEY}` },
      credentialKind: "api-key",
      credential,
      facts: () => ({ store: "test vault" }),
    });
    expect(source.describe()).toEqual({
      mode: "vault",
      baseUrl: "https://r.example/v1/?sig=[REDACTED]",
      type: "openai",
      wireApi: "responses",
      credentialKind: "api-key",
      store: "test vault",
      credentialState: "valid",
      expiresOn: "2026-12-02T02:00:00.000Z",
    });
    const diagnostics = await source.diagnose?.();
    expect(diagnostics).toMatchObject({
      credentialKind: "api-key",
      facts: { store: "test vault", fingerprint: fingerprint(CANARY_KEY) },
    });
    for (const shown of [inspect(source), JSON.stringify(source), JSON.stringify(diagnostics)])
      expect(shown).not.toContain(CANARY_KEY);
  });

  it("disposes the credential supplier and the author's resources", async () => {
    const credential = supplier(["t"]);
    let released = 0;
    const source = createProviderConfigSource({
      mode: "broker",
      provider: PROVIDER,
      credentialKind: "bearer",
      credential,
      dispose: () => {
        released++;
      },
    });
    await source.dispose?.();
    expect([credential.disposed, released]).toEqual([1, 1]);
    expect(source.describe().credentialState).toBe("disposed");
  });
});
