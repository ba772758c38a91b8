import { inspect } from "node:util";
import type { ProviderConfig } from "@github/copilot-sdk";
import { describe, expect, it } from "vitest";
import { protectSource } from "./protectSource.js";
import { CANARY_KEY } from "./test-support/testModules.js";
import type { ProviderConfigSource } from "./types.js";

const BASE_URL = `https://gw.example/v1/?subscription-key=${CANARY_KEY}`;

/** A plug-in author's source that forgot every safety measure. */
function carelessSource(): ProviderConfigSource & { key: string } {
  return {
    mode: "careless",
    key: CANARY_KEY,
    async getProviderConfig(): Promise<ProviderConfig> {
      return { baseUrl: BASE_URL, apiKey: CANARY_KEY };
    },
    describe: () => ({ mode: "careless", baseUrl: BASE_URL }),
  };
}

describe("protectSource", () => {
  it("makes a careless source and its configs render without secrets, keeping what the SDK needs", async () => {
    const source = protectSource(carelessSource());
    for (const shown of [inspect(source), JSON.stringify(source)]) {
      expect(shown).not.toContain(CANARY_KEY);
      expect(shown).toContain("subscription-key=[REDACTED]");
    }
    const config = await source.getProviderConfig();
    expect(inspect(config)).not.toContain(CANARY_KEY);
    expect(config.apiKey).toBe(CANARY_KEY);
    expect(JSON.parse(JSON.stringify(config)).apiKey).toBe(CANARY_KEY);
  });

  it("is idempotent and keeps the instance (instanceof, identity)", () => {
    class MySource {
      readonly mode = "mine";
      async getProviderConfig(): Promise<ProviderConfig> {
        return { baseUrl: "https://x.example/" };
      }
      describe() {
        return { mode: this.mode };
      }
    }
    const source = new MySource();
    const once = protectSource(source);
    expect(once).toBe(source);
    expect(protectSource(once)).toBe(source);
    expect(once).toBeInstanceOf(MySource);
  });

  it("wraps a frozen source instead of changing it", async () => {
    const frozen = Object.freeze(carelessSource());
    const source = protectSource(frozen);
    expect(source).not.toBe(frozen);
    expect(source.mode).toBe("careless");
    expect(inspect(source)).not.toContain(CANARY_KEY);
    expect(inspect(await source.getProviderConfig())).not.toContain(CANARY_KEY);
  });

  it("redacts what describe() and diagnose() tell, and prints a frozen config and a credential without the secret", async () => {
    const source = protectSource({
      mode: "careless",
      async getProviderConfig(): Promise<ProviderConfig> {
        return Object.freeze({ baseUrl: BASE_URL, apiKey: CANARY_KEY });
      },
      describe: () => ({ mode: "careless", baseUrl: BASE_URL, clientSecret: CANARY_KEY }),
      async getCredential() {
        return { kind: "api-key" as const, value: CANARY_KEY };
      },
      async diagnose() {
        return { credentialKind: "api-key" as const, facts: { broker: BASE_URL, apiKey: CANARY_KEY } };
      },
    });
    expect(source.describe()).toEqual({
      mode: "careless",
      baseUrl: "https://gw.example/v1/?subscription-key=[REDACTED]",
      clientSecret: "[REDACTED]",
    });
    expect(JSON.stringify(await source.diagnose?.())).not.toContain(CANARY_KEY);
    const config = await source.getProviderConfig();
    expect(config.apiKey).toBe(CANARY_KEY);
    expect(inspect(config)).not.toContain(CANARY_KEY);
    const credential = await source.getCredential?.();
    expect(credential?.value).toBe(CANARY_KEY);
    for (const shown of [inspect(credential), JSON.stringify(credential), JSON.stringify({ ...credential })])
      expect(shown).not.toContain(CANARY_KEY);
    expect(inspect(source)).toMatch(/^ProviderConfigSource\(careless\) /);
  });

  it("wraps a frozen class instance once, running its own methods (private fields included) on it", async () => {
    class Sealed {
      readonly mode = "sealed";
      readonly #key = CANARY_KEY;
      async getProviderConfig(): Promise<ProviderConfig> {
        return { baseUrl: "https://x.example/", apiKey: this.#key };
      }
      describe() {
        return { mode: this.mode };
      }
      fingerprintLength() {
        return this.#key.length;
      }
    }
    const frozen = Object.freeze(new Sealed());
    const source = protectSource(frozen);
    expect(protectSource(frozen)).toBe(source);
    expect(protectSource(source)).toBe(source);
    expect(source).toBeInstanceOf(Sealed);
    expect(source.fingerprintLength()).toBe(CANARY_KEY.length);
    expect((await source.getProviderConfig()).apiKey).toBe(CANARY_KEY);
    expect(inspect(source)).not.toContain(CANARY_KEY);
  });
});
