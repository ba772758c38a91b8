import { type Env, fingerprint, NO_ENDPOINT_PROBLEM } from "@copilot-byok/core/plugin";
import { describe, expect, it } from "vitest";
import { detectStaticKey } from "./detectStaticKey.js";
import { CANARY_JWT, CANARY_KEY } from "./test-support/canary.js";

const FOUNDRY = { AZURE_AI_FOUNDRY_RESOURCE_URL: "https://r.services.ai.azure.com" };
const OTHER_KEY = "other-static-key-0a1b2c3d4e5f60718293a4b5";
const PRECEDENCE = "COPILOT_PROVIDER_API_KEY > COPILOT_PROVIDER_API_KEY_FILE > AZURE_OPENAI_API_KEY";

describe("detectStaticKey: precedence", () => {
  it.each<[string, Env, string, string | undefined]>([
    [
      "COPILOT_PROVIDER_API_KEY alone",
      { COPILOT_PROVIDER_API_KEY: CANARY_KEY },
      "COPILOT_PROVIDER_API_KEY",
      undefined,
    ],
    [
      "COPILOT_PROVIDER_API_KEY_FILE alone",
      { COPILOT_PROVIDER_API_KEY_FILE: "/run/secrets/byok-key" },
      "COPILOT_PROVIDER_API_KEY_FILE",
      undefined,
    ],
    ["AZURE_OPENAI_API_KEY alone", { AZURE_OPENAI_API_KEY: CANARY_KEY }, "AZURE_OPENAI_API_KEY", undefined],
    [
      "the key over the file",
      { COPILOT_PROVIDER_API_KEY: CANARY_KEY, COPILOT_PROVIDER_API_KEY_FILE: "/run/secrets/k" },
      "COPILOT_PROVIDER_API_KEY",
      "COPILOT_PROVIDER_API_KEY wins over COPILOT_PROVIDER_API_KEY_FILE",
    ],
    [
      "the key over the Azure name",
      { COPILOT_PROVIDER_API_KEY: CANARY_KEY, AZURE_OPENAI_API_KEY: OTHER_KEY },
      "COPILOT_PROVIDER_API_KEY",
      "COPILOT_PROVIDER_API_KEY wins over AZURE_OPENAI_API_KEY",
    ],
    [
      "the file over the Azure name",
      { COPILOT_PROVIDER_API_KEY_FILE: "/run/secrets/k", AZURE_OPENAI_API_KEY: CANARY_KEY },
      "COPILOT_PROVIDER_API_KEY_FILE",
      "COPILOT_PROVIDER_API_KEY_FILE wins over AZURE_OPENAI_API_KEY",
    ],
    [
      "all three",
      {
        COPILOT_PROVIDER_API_KEY: CANARY_KEY,
        COPILOT_PROVIDER_API_KEY_FILE: "/run/secrets/k",
        AZURE_OPENAI_API_KEY: OTHER_KEY,
      },
      "COPILOT_PROVIDER_API_KEY",
      "COPILOT_PROVIDER_API_KEY wins over COPILOT_PROVIDER_API_KEY_FILE and AZURE_OPENAI_API_KEY",
    ],
    [
      "an empty key variable does not count",
      { COPILOT_PROVIDER_API_KEY: "  ", AZURE_OPENAI_API_KEY: CANARY_KEY },
      "AZURE_OPENAI_API_KEY",
      undefined,
    ],
  ])("%s", (_, keys, winner, wins) => {
    const detection = detectStaticKey({ ...FOUNDRY, ...keys });
    expect(detection.applicable).toBe(true);
    expect(detection.strength).toBe("explicit");
    expect(detection.summary).toBe(`a static key (${winner})`);
    const found = winner === "COPILOT_PROVIDER_API_KEY_FILE" ? "to be read from" : "found in";
    expect(detection.reasons[0]).toMatch(new RegExp(`^static key ${found} ${winner} `));
    if (wins) expect(detection.reasons).toContain(`${wins} (precedence ${PRECEDENCE})`);
    else expect(detection.reasons.join("\n")).not.toContain("wins over");
    expect(detection.problems).toEqual([]);
    const all = JSON.stringify(detection);
    expect(all).not.toContain(CANARY_KEY);
    expect(all).not.toContain(OTHER_KEY);
  });

  it("names the key's fingerprint for a key variable, the path for a key file", () => {
    const env = detectStaticKey({ ...FOUNDRY, AZURE_OPENAI_API_KEY: CANARY_KEY });
    expect(env.reasons[0]).toBe(
      `static key found in AZURE_OPENAI_API_KEY (fingerprint ${fingerprint(CANARY_KEY)})`,
    );
    const file = detectStaticKey({ ...FOUNDRY, COPILOT_PROVIDER_API_KEY_FILE: "secrets/key" });
    expect(file.reasons[0]).toBe(
      "static key to be read from COPILOT_PROVIDER_API_KEY_FILE (a key file: secrets/key, relative to the working directory)",
    );
  });

  it("is not applicable without a key variable, and says which ones it looks for", () => {
    const detection = detectStaticKey({ ...FOUNDRY, COPILOT_PROVIDER_API_KEY_FILE: "" });
    expect(detection.applicable).toBe(false);
    expect(detection.reasons.join()).toContain(
      "COPILOT_PROVIDER_API_KEY, COPILOT_PROVIDER_API_KEY_FILE, AZURE_OPENAI_API_KEY",
    );
    expect(detection.problems).toEqual([
      "no static key: set COPILOT_PROVIDER_API_KEY, COPILOT_PROVIDER_API_KEY_FILE, AZURE_OPENAI_API_KEY (in that precedence)",
    ]);
  });

  it("reads no file (pure)", () => {
    const detection = detectStaticKey({ ...FOUNDRY, COPILOT_PROVIDER_API_KEY_FILE: "/does/not/exist" });
    expect(detection.applicable).toBe(true);
    expect(detection.problems).toEqual([]);
  });
});

describe("detectStaticKey: problems", () => {
  it("reports a missing endpoint", () => {
    expect(detectStaticKey({ COPILOT_PROVIDER_API_KEY: CANARY_KEY }).problems).toEqual([NO_ENDPOINT_PROBLEM]);
  });

  it("leaves an invalid endpoint to the shared checks (no second problem)", () => {
    const detection = detectStaticKey({
      COPILOT_PROVIDER_BASE_URL: "not a url",
      COPILOT_PROVIDER_API_KEY: CANARY_KEY,
    });
    expect(detection.problems).toEqual([]);
  });

  it("rejects a JWT in a key variable, with the fingerprint only", () => {
    const detection = detectStaticKey({ ...FOUNDRY, COPILOT_PROVIDER_API_KEY: CANARY_JWT });
    expect(detection.problems).toEqual([
      `COPILOT_PROVIDER_API_KEY (fingerprint ${fingerprint(CANARY_JWT)}) looks like a bearer token (JWT), not an API key: use COPILOT_PROVIDER_AUTH=azure-entra for Entra tokens`,
    ]);
    expect(JSON.stringify(detection)).not.toContain(CANARY_JWT.slice(0, 20));
  });

  it("reports every problem of the winning key at once", () => {
    const detection = detectStaticKey({
      ...FOUNDRY,
      AZURE_OPENAI_API_KEY: `${CANARY_KEY} \u0001`,
    });
    expect(detection.problems).toHaveLength(2);
    expect(JSON.stringify(detection)).not.toContain(CANARY_KEY);
  });

  it("rejects control characters in the key file path", () => {
    const detection = detectStaticKey({ ...FOUNDRY, COPILOT_PROVIDER_API_KEY_FILE: "/run/\u0001key" });
    expect(detection.problems?.join()).toMatch(/COPILOT_PROVIDER_API_KEY_FILE contains control characters/);
  });
});

describe("detectStaticKey: header", () => {
  it.each<[string | undefined, boolean | undefined, string]>([
    [undefined, undefined, '"Authorization: Bearer" header (provider type openai, read before each request)'],
    ["azure", undefined, '"Authorization: Bearer" header (provider type azure, read before each request)'],
    ["azure", false, '"api-key" header (provider type azure)'],
    ["anthropic", undefined, '"x-api-key" header (provider type anthropic)'],
  ])("type %s, keyPerRequest %s", (type, keyPerRequest, expected) => {
    const env: Env = {
      ...FOUNDRY,
      COPILOT_PROVIDER_API_KEY: CANARY_KEY,
      ...(type ? { COPILOT_PROVIDER_TYPE: type } : {}),
    };
    const detection = detectStaticKey(env, keyPerRequest === undefined ? {} : { keyPerRequest });
    expect(detection.reasons.at(-1)).toBe(`the runtime sends the key in the ${expected}`);
  });
});

describe("detectStaticKey: the reasons the README quotes", () => {
  it("names the winner and the precedence", () => {
    const { reasons } = detectStaticKey({
      ...FOUNDRY,
      COPILOT_PROVIDER_API_KEY: CANARY_KEY,
      AZURE_OPENAI_API_KEY: OTHER_KEY,
    });
    expect(reasons).toContain(
      "COPILOT_PROVIDER_API_KEY wins over AZURE_OPENAI_API_KEY (precedence COPILOT_PROVIDER_API_KEY > COPILOT_PROVIDER_API_KEY_FILE > AZURE_OPENAI_API_KEY)",
    );
  });
});

describe("detectStaticKey: warnings about values that are not used", () => {
  const warnings = (env: Env) =>
    detectStaticKey({ ...FOUNDRY, ...env }).reasons.filter((r) => r.startsWith("warning: "));

  // Was silent: a bad key in a losing variable surfaced only once the winner was removed.
  it("warns when a key variable that loses holds a value that would be refused", () => {
    const detection = detectStaticKey({
      ...FOUNDRY,
      COPILOT_PROVIDER_API_KEY: CANARY_KEY,
      AZURE_OPENAI_API_KEY: `Bearer ${OTHER_KEY}`,
    });
    expect(detection.applicable).toBe(true);
    expect(detection.problems).toEqual([]);
    expect(detection.reasons.filter((r) => r.startsWith("warning: "))).toEqual([
      `warning: AZURE_OPENAI_API_KEY is not used (COPILOT_PROVIDER_API_KEY wins), but its value would be refused as a key: AZURE_OPENAI_API_KEY (fingerprint ${fingerprint(`Bearer ${OTHER_KEY}`)}) starts with an Authorization scheme ("Bearer" or "Basic"): give the key alone, the runtime adds the header`,
    ]);
    expect(detection.reasons.join("\n")).not.toContain(OTHER_KEY);
  });

  it("says nothing about a losing variable with a good key", () => {
    expect(warnings({ COPILOT_PROVIDER_API_KEY: CANARY_KEY, AZURE_OPENAI_API_KEY: OTHER_KEY })).toEqual([]);
  });

  // Was silent: accepted in static-key mode, refused by azure-entra mode once the key is removed.
  it("warns about an AZURE_TOKEN_CREDENTIALS value DefaultAzureCredential does not accept", () => {
    expect(warnings({ COPILOT_PROVIDER_API_KEY: CANARY_KEY, AZURE_TOKEN_CREDENTIALS: "production" })).toEqual(
      [
        'warning: AZURE_TOKEN_CREDENTIALS has "production", which DefaultAzureCredential does not accept (use one of dev, prod, EnvironmentCredential, WorkloadIdentityCredential, ManagedIdentityCredential, VisualStudioCodeCredential, AzureCliCredential, AzurePowerShellCredential, AzureDeveloperCliCredential): not used in static-key mode, but azure-entra mode would refuse it',
      ],
    );
  });

  it.each(["prod", "Dev", " ManagedIdentityCredential ", ""])(
    "accepts AZURE_TOKEN_CREDENTIALS=%j silently",
    (value) => {
      expect(warnings({ COPILOT_PROVIDER_API_KEY: CANARY_KEY, AZURE_TOKEN_CREDENTIALS: value })).toEqual([]);
    },
  );
});
