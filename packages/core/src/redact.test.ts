import { inspect } from "node:util";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { fingerprint } from "./fingerprint.js";
import { formatForLog, isSecretKey, REDACTED, redact, redactText, redactUrl } from "./redact.js";
import { withSafeInspect, withSafeRendering } from "./safeRendering.js";
import { CANARY_KEY } from "./test-support/testModules.js";

const CANARY_JWT =
  "eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.eyJhdWQiOiJjYW5hcnkiLCJleHAiOjE3MDAwMDAwMDB9.Y2FuYXJ5LXNpZ25hdHVyZS1ieXRlcw";

describe("redact", () => {
  it("masks every value of a config's headers, whatever their names: formatForLog(config) holds none", () => {
    const config = {
      baseUrl: "https://gw.example/v1/",
      headers: { "X-Auth": CANARY_KEY, "X-Api-Key-V2": CANARY_KEY },
    };
    expect(redact(config)).toEqual({
      baseUrl: "https://gw.example/v1/",
      headers: { "X-Auth": REDACTED, "X-Api-Key-V2": REDACTED },
    });
    expect(formatForLog(config)).not.toContain(CANARY_KEY);
    expect(formatForLog({ headers: new Headers({ "x-auth": CANARY_KEY }) })).toBe(
      '{"headers":{"x-auth":"[REDACTED]"}}',
    );
  });

  it("shows a URL value through redactUrl: formatForLog(config) holds no key of a base URL's query", () => {
    const config = withSafeInspect({
      baseUrl: `https://apim.example.com/v1/?subscription-key=${CANARY_KEY}`,
      apiKey: CANARY_KEY,
    });
    for (const shown of [formatForLog(config), inspect(config), JSON.stringify(redact({ ...config }))]) {
      expect(shown).not.toContain(CANARY_KEY);
      expect(shown).toContain("https://apim.example.com/v1/?subscription-key=[REDACTED]");
    }
  });

  it("masks keys, tokens and Authorization values in a provider config", () => {
    const config = {
      type: "openai",
      baseUrl: "https://r.example/openai/v1/",
      apiKey: CANARY_KEY,
      bearerToken: CANARY_JWT,
      bearerTokenProvider: async () => CANARY_JWT,
      headers: { Authorization: `Bearer ${CANARY_KEY}`, "api-key": CANARY_KEY, "x-trace": "ok" },
      modelId: "gpt-4.1",
      maxPromptTokens: 1000,
    };
    const out = redact(config);
    expect(out).toEqual({
      type: "openai",
      baseUrl: "https://r.example/openai/v1/",
      apiKey: REDACTED,
      bearerToken: REDACTED,
      bearerTokenProvider: REDACTED,
      // Every header value: a plug-in's header may carry a credential under any name (as the plaintext guard holds).
      headers: { Authorization: REDACTED, "api-key": REDACTED, "x-trace": REDACTED },
      modelId: "gpt-4.1",
      maxPromptTokens: 1000,
    });
    expect(formatForLog(config)).not.toContain(CANARY_KEY);
    expect(formatForLog(config)).not.toContain(CANARY_JWT);
  });

  it("masks JWTs and bearer credentials inside free text, errors and causes", () => {
    const error = new Error(
      `request failed with Authorization: Bearer ${CANARY_KEY} and token ${CANARY_JWT}`,
      {
        cause: Object.assign(new Error(`inner ${CANARY_JWT}`), { code: "E_INNER", accessToken: CANARY_KEY }),
      },
    );
    const text = formatForLog({
      error,
      list: [`Basic ${CANARY_KEY}`],
      headers: new Headers({ "api-key": CANARY_KEY }),
    });
    expect(text).not.toContain(CANARY_KEY);
    expect(text).not.toContain(CANARY_JWT);
    expect(text).toContain("E_INNER");
    expect(text).toContain(`${REDACTED}:jwt`);
    expect(redactText(`x Bearer ${CANARY_KEY} y`)).toBe(`x Bearer ${REDACTED} y`);
    expect(redactText("Authorization: Basic dXNlcjpwYXNz")).toBe(`Authorization: Basic ${REDACTED}`);
    expect(redactText("Bearer abcdefghijklmnopqrstuvwxyz")).toBe(`Bearer ${REDACTED}`);
  });

  it("leaves prose about bearer tokens alone", () => {
    for (const text of [
      "looks like a bearer token (JWT), not an API key",
      'the runtime sends the key in the "Authorization: Bearer" header',
      "Basic authentication is not supported",
      "send a Bearer token.",
    ]) {
      expect(redactText(text)).toBe(text);
    }
  });

  it("handles maps, cycles, depth, dates, urls and primitives", () => {
    const a: Record<string, unknown> = { name: "a" };
    a.self = a;
    const deep = { l1: { l2: { l3: { l4: { l5: { l6: { l7: { l8: { l9: "deep" } } } } } } } } };
    const out = redact({
      a,
      map: new Map([["clientSecret", CANARY_KEY]]),
      when: new Date(0),
      url: new URL(`https://u:${CANARY_KEY}@h.example/p?sig=${CANARY_KEY}&x=1`),
      n: 1n,
      deep,
    }) as Record<string, unknown>;
    expect(JSON.stringify(out)).not.toContain(CANARY_KEY);
    expect((out.a as Record<string, unknown>).self).toBe("[Circular]");
    expect(out.when).toBe("1970-01-01T00:00:00.000Z");
    expect(out.url).toBe("https://h.example/p?sig=[REDACTED]&x=[REDACTED]");
    expect(JSON.stringify(out.deep)).toContain("[Object]");
  });

  it.each([
    ["apiKey", true],
    ["api-key", true],
    ["AZURE_OPENAI_API_KEY", true],
    ["Ocp-Apim-Subscription-Key", true],
    ["access_token", true],
    ["githubToken", true],
    ["clientSecret", true],
    ["password", true],
    ["Authorization", true],
    ["Proxy-Authorization", true],
    ["X-IDENTITY-HEADER", true],
    ["set-cookie", true],
    ["publicKey", false],
    ["apiKeyFile", false],
    ["tokenScope", false],
    ["maxPromptTokens", false],
    ["baseUrl", false],
    ["model", false],
  ])("isSecretKey(%s) is %s", (name, expected) => {
    expect(isSecretKey(name)).toBe(expected);
  });

  it("redacts URLs", () => {
    expect(redactUrl("https://a:b@h.example/x?api-key=s&q=1")).toBe(
      "https://h.example/x?api-key=[REDACTED]&q=[REDACTED]",
    );
    expect(redactUrl("not a url")).toBe(REDACTED);
  });

  it.each([
    [
      "https://gw.example/openai/v1/?subscription-key=canary-1234",
      "https://gw.example/openai/v1/?subscription-key=[REDACTED]",
    ],
    ["https://f.example/api?code=canary-1234&x=", "https://f.example/api?code=[REDACTED]&x=[REDACTED]"],
    ["https://r.example/#access_token=canary-1234", "https://r.example/#[REDACTED]"],
    ["https://r.example/?canary-1234", "https://r.example/?[REDACTED]"],
    [
      "https://r.example/?canary%2D1234%2Dwith%2Dlong%2Dname%2Dover%2Dforty%2Dchars=1",
      "https://r.example/?[REDACTED]",
    ],
    ["https://user:canary-1234@r.example:8443/p", "https://r.example:8443/p"],
    ["https://canary-1234@r.example/p?", "https://r.example/p"],
    ["http://127.0.0.1:8080/openai/v1/", "http://127.0.0.1:8080/openai/v1/"],
  ])("redactUrl(%s) keeps origin and path only: %s", (input, expected) => {
    expect(redactUrl(input)).toBe(expected);
    expect(redactUrl(new URL(input))).toBe(expected);
  });

  it("gives back a string URL with nothing to hide unchanged", () => {
    expect(redactUrl("https://r.services.ai.azure.com")).toBe("https://r.services.ai.azure.com");
    expect(redactUrl(new URL("https://r.services.ai.azure.com"))).toBe("https://r.services.ai.azure.com/");
  });
});

// Issue 16 (4): redactText was quadratic: its JWT and Bearer regexes rescanned the same run of characters from
// every position that could start a match ("eyJ-".repeat(20000): 4.5 s). Work, not elapsed time, is
// asserted: the CPU time of this process for a 4n input against an n input (the least of a few trials each)
// is about 4 for a linear scanner and 16 for a quadratic one, on a busy machine as on an idle one.
describe("redactText is linear", () => {
  const KB = 1024;
  const shapes: [string, (size: number) => string][] = [
    ["eyJ- repeated", (size) => "eyJ-".repeat(size / 4)],
    ["-eyJaaaaa repeated", (size) => "-eyJaaaaa".repeat(size / 9)],
    ["eyJ- repeated, then a dot", (size) => `${"eyJ-".repeat(size / 4)}.`],
    ["eyJaaaaa. repeated", (size) => "eyJaaaaa.".repeat(size / 9)],
    ["a JWT head, then short segments", (size) => `eyJaaaaa.${"bbbb.".repeat(size / 5)}`],
    ["Bearer repeated", (size) => "Bearer ".repeat(size / 7)],
    ["Bearer, then a long run", (size) => `Bearer ${"a".repeat(size)}`],
    ["Bearer, then whitespace", (size) => `Bearer${" \t".repeat(size / 2)}!`],
    ["Basic x. repeated", (size) => "Basic x.".repeat(size / 8)],
    ["Bearer -Bearer repeated", (size) => "Bearer -".repeat(size / 8)],
  ];

  /** CPU time of this process in ms: unlike elapsed time, it does not count the time other processes run. */
  const cpuMs = () => {
    const { user, system } = process.cpuUsage();
    return (user + system) / 1000;
  };

  /**
   * The CPU time of one call, in ms: the least of a few trials, each repeating the call for at least 20 ms of
   * CPU time, well over the clock's resolution (a slow call, over 50 ms, is timed once: that says enough).
   */
  function callTime(text: string): number {
    let started = cpuMs();
    redactText(text);
    const once = cpuMs() - started;
    if (once > 50) return once;
    let best = Number.POSITIVE_INFINITY;
    for (let trial = 0; trial < 5; trial++) {
      started = cpuMs();
      let calls = 0;
      do {
        redactText(text);
        calls++;
      } while (cpuMs() - started < 20);
      best = Math.min(best, (cpuMs() - started) / calls);
    }
    return best;
  }

  it.each(shapes)("%s: 200 KB in about 4 times the work of 50 KB", (_, make) => {
    const small = make(50 * KB);
    const large = make(200 * KB);
    expect(large.length).toBeGreaterThan(190 * KB);
    // Warmed up first, so that both sizes are timed with the scanner's loops optimised.
    const warmUp = make(16 * KB);
    for (let i = 0; i < 10; i++) redactText(warmUp);
    const timeSmall = callTime(small);
    const ratio = callTime(large) / timeSmall;
    expect(ratio).toBeLessThan(10);
  });

  // The linear scanner masks exactly what the regexes did.
  const JWT_REFERENCE = /\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*/g;
  const C = "[A-Za-z0-9._~+/=-]";
  const BEARER_REFERENCE = new RegExp(
    String.raw`\b([Bb]earer|BEARER|[Bb]asic|BASIC)\s+(?:(?=${C}*[0-9]|${C}*[._~+/=-]${C}|${C}+[A-Z])${C}{6,}|${C}{20,})`,
    "g",
  );
  const reference = (text: string) =>
    text.replace(JWT_REFERENCE, `${REDACTED}:jwt`).replace(BEARER_REFERENCE, `$1 ${REDACTED}`);

  it("masks what the former regexes masked, on generated text", () => {
    const piece = fc.constantFrom(
      "eyJ",
      "eyJhbGciOiJIUzI1NiJ9",
      ".",
      "..",
      "-",
      "_",
      "a",
      "abcde",
      "A",
      "Z9",
      "1",
      "/",
      "+",
      "=",
      "~",
      " ",
      "  ",
      "\t",
      "\n",
      "Bearer",
      "bearer",
      "BEARER",
      "Basic",
      "basic",
      "BASIC",
      "Bearer ",
      "Basic ",
      "xBearer",
      "é",
      ":",
      '"',
      "[REDACTED]",
      "abcdefghijklmnopqrstu",
      "\u00a0",
      "\u2028",
      "\ufeff",
      "\v",
    );
    fc.assert(
      fc.property(
        fc.array(piece, { maxLength: 40 }).map((parts) => parts.join("")),
        (text) => {
          expect(redactText(text)).toBe(reference(text));
        },
      ),
      { numRuns: 20_000 },
    );
  });
});

describe("safe rendering", () => {
  class Holder {
    constructor(readonly key: string) {
      withSafeRendering(this, () => ({ kind: "holder", fingerprint: fingerprint(this.key) }));
    }
  }

  it("keeps a holder's secret out of util.inspect, console formatting and JSON.stringify", () => {
    const h = new Holder(CANARY_KEY);
    expect(inspect(h)).not.toContain(CANARY_KEY);
    expect(inspect(h, { showHidden: true, depth: 10 })).not.toContain(CANARY_KEY);
    expect(JSON.stringify(h)).not.toContain(CANARY_KEY);
    expect(JSON.stringify({ nested: [h] })).not.toContain(CANARY_KEY);
    expect(inspect(h)).toContain("Holder");
    expect(JSON.parse(JSON.stringify(h))).toEqual({ kind: "holder", fingerprint: fingerprint(CANARY_KEY) });
    expect(h.key).toBe(CANARY_KEY);
  });

  it("keeps a provider config's secrets out of util.inspect but serializable for the SDK", () => {
    const config = withSafeInspect({ baseUrl: "https://r.example", apiKey: CANARY_KEY });
    expect(inspect(config)).not.toContain(CANARY_KEY);
    expect(inspect({ provider: config })).not.toContain(CANARY_KEY);
    expect(JSON.parse(JSON.stringify(config)).apiKey).toBe(CANARY_KEY);
    expect(Object.keys(config)).toEqual(["baseUrl", "apiKey"]);
  });

  it("fingerprints are short, stable and do not reveal the secret", () => {
    expect(fingerprint(CANARY_KEY)).toMatch(/^sha256:[0-9a-f]{8}$/);
    expect(fingerprint(CANARY_KEY)).toBe(fingerprint(CANARY_KEY));
    expect(fingerprint(CANARY_KEY)).not.toBe(fingerprint(`${CANARY_KEY}x`));
  });
});
