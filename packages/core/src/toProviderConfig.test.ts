import { inspect } from "node:util";
import { describe, expect, it } from "vitest";
import { CANARY_KEY } from "./test-support/testModules.js";
import { toProviderConfig } from "./toProviderConfig.js";

const BASE = { baseUrl: "https://r.example/openai/v1/", type: "openai", wireApi: "responses" } as const;

describe("toProviderConfig", () => {
  it("one shape for every source: wireApi for openai and azure only, the credential as given", async () => {
    const provider = async () => "t";
    expect(toProviderConfig({ ...BASE, modelId: "m" }, { bearerTokenProvider: provider })).toEqual({
      ...BASE,
      bearerTokenProvider: provider,
      modelId: "m",
    });
    expect(toProviderConfig({ ...BASE, type: "anthropic" }, { apiKey: CANARY_KEY })).toEqual({
      type: "anthropic",
      baseUrl: BASE.baseUrl,
      apiKey: CANARY_KEY,
    });
  });

  it("prints without the key, the header values or the base URL's query; JSON keeps what the SDK sends", () => {
    const config = toProviderConfig(
      {
        ...BASE,
        baseUrl: `https://gw.example/v1/?subscription-key=${CANARY_KEY}`,
        headers: { "X-Auth": CANARY_KEY },
      },
      { apiKey: CANARY_KEY },
    );
    const shown = inspect(config, { depth: 5 });
    expect(shown).not.toContain(CANARY_KEY);
    expect(shown).toContain("subscription-key=[REDACTED]");
    expect(shown).toContain("'X-Auth': '[REDACTED]'");
    expect(JSON.parse(JSON.stringify(config)).apiKey).toBe(CANARY_KEY);
  });
});
