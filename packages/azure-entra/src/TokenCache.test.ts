import { inspect } from "node:util";
import { ConfigurationError, DisposedError, type Logger, TokenAcquisitionError } from "@copilot-byok/core";
import { ManualClock } from "@copilot-byok/test-utils/ManualClock";
import { makeJwt } from "@copilot-byok/test-utils/makeJwt";
import { deferred, ScriptedCredential, type Step } from "@copilot-byok/test-utils/ScriptedCredential";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { TokenCache, type TokenCacheEvent, type TokenCacheOptions } from "./TokenCache.js";
import { CANARY_TOKEN } from "./test-support/canary.js";

const SCOPE = "https://cognitiveservices.azure.com/.default";
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const START = Date.UTC(2030, 0, 1);

let unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => unhandled.push(reason);

beforeEach(() => {
  unhandled = [];
  process.on("unhandledRejection", onUnhandled);
  vi.useFakeTimers({ now: START });
});

afterEach(async () => {
  vi.useRealTimers();
  // Give Node a turn to report rejections nobody handled.
  await new Promise((resolve) => setImmediate(resolve));
  process.off("unhandledRejection", onUnhandled);
  expect(unhandled).toEqual([]);
});

function setup(steps: Step[], options: Partial<TokenCacheOptions> = {}) {
  const credential = new ScriptedCredential(steps);
  const events: TokenCacheEvent[] = [];
  const logs: string[] = [];
  const logger: Logger = {
    debug: (m, d) => logs.push(`debug ${m} ${JSON.stringify(d)}`),
    info: (m, d) => logs.push(`info ${m} ${JSON.stringify(d)}`),
    warn: (m, d) => logs.push(`warn ${m} ${JSON.stringify(d)}`),
    error: (m, d) => logs.push(`error ${m} ${JSON.stringify(d)}`),
  };
  const cache = new TokenCache({
    credential,
    onEvent: (event) => events.push(event),
    logger,
    random: () => 0.5, // no jitter spread: delays are exact
    ...options,
  });
  const types = () => events.map((e) => e.type);
  return { credential, cache, events, logs, types };
}

/** Whether a promise settles within a few microtask turns (i.e. without waiting for timers or I/O). */
async function settlesNow<T>(promise: Promise<T>): Promise<boolean> {
  let done = false;
  promise.then(
    () => {
      done = true;
    },
    () => {
      done = true;
    },
  );
  for (let i = 0; i < 50 && !done; i++) await Promise.resolve();
  return done;
}

async function rejectionOf(promise: Promise<unknown>): Promise<TokenAcquisitionError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(TokenAcquisitionError);
    return error as TokenAcquisitionError;
  }
  throw new Error("expected a rejection");
}

/** A disposed cache rejects with core's DisposedError. */
async function disposedRejectionOf(promise: Promise<unknown>): Promise<DisposedError> {
  const error = await promise.then(
    () => new Error("expected a rejection"),
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DisposedError);
  expect(error).toMatchObject({ code: "COPILOT_BYOK_DISPOSED" });
  return error as DisposedError;
}

describe("TokenCache: single flight and answers from memory", () => {
  it("serves 1,000 concurrent callers on a cold cache with one getToken", async () => {
    const { cache, credential, types } = setup([{ token: "t1", expiresInMs: HOUR, delayMs: 100 }]);
    const callers = Array.from({ length: 1_000 }, () => cache.getToken(SCOPE));
    await vi.advanceTimersByTimeAsync(100);
    const tokens = await Promise.all(callers);
    expect(new Set(tokens)).toEqual(new Set(["t1"]));
    expect(credential.calls).toHaveLength(1);
    expect(credential.calls[0]?.scopes).toBe(SCOPE);
    expect(types()).toEqual(["refresh-started", "refresh-succeeded"]);

    await vi.advanceTimersByTimeAsync(30 * MINUTE);
    expect(await cache.getToken(SCOPE)).toBe("t1");
    expect(credential.calls).toHaveLength(1);
    expect(cache.status(SCOPE)).toMatchObject({ state: "valid", refreshing: false, consecutiveFailures: 0 });
  });

  it("keys tokens by scope", async () => {
    const { cache, credential } = setup([{ token: "t", expiresInMs: HOUR }]);
    await Promise.all([
      cache.getToken(SCOPE),
      cache.getToken("https://ai.azure.com/.default"),
      cache.getToken(SCOPE),
    ]);
    expect(credential.calls.map((c) => c.scopes)).toEqual([SCOPE, "https://ai.azure.com/.default"]);
  });

  it("refreshes once in the background inside the refresh window, and no caller waits", async () => {
    const next = deferred<{ token: string; expiresOnTimestamp: number } | null>();
    const { cache, credential, events } = setup([{ token: "t1", expiresInMs: HOUR }, { deferred: next }]);
    expect(await cache.getToken(SCOPE)).toBe("t1");

    await vi.advanceTimersByTimeAsync(56 * MINUTE); // 4 minutes left: inside the 5-minute window
    const callers = Array.from({ length: 100 }, () => cache.getToken(SCOPE));
    for (const caller of callers) expect(await settlesNow(caller)).toBe(true);
    expect(await Promise.all(callers)).toEqual(Array(100).fill("t1"));
    expect(credential.calls).toHaveLength(2);
    expect(events.at(-1)).toMatchObject({ type: "refresh-started", background: true, attempt: 1 });
    expect(cache.status(SCOPE).refreshing).toBe(true);

    next.resolve({ token: "t2", expiresOnTimestamp: Date.now() + HOUR });
    await vi.advanceTimersByTimeAsync(0);
    expect(await cache.getToken(SCOPE)).toBe("t2");
    expect(credential.calls).toHaveLength(2);
    expect(events.at(-1)).toMatchObject({ type: "refresh-succeeded", background: true });
  });

  it("honours refreshAfterTimestamp when it comes before the window", async () => {
    const { cache, credential } = setup([
      { token: "t1", expiresInMs: 24 * HOUR, refreshAfterInMs: 12 * HOUR },
      { token: "t2", expiresInMs: 24 * HOUR },
    ]);
    await cache.getToken(SCOPE);
    await vi.advanceTimersByTimeAsync(11 * HOUR);
    expect(await cache.getToken(SCOPE)).toBe("t1");
    expect(credential.calls).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(HOUR + 1);
    expect(await cache.getToken(SCOPE)).toBe("t1"); // served while the refresh runs
    await vi.advanceTimersByTimeAsync(0);
    expect(await cache.getToken(SCOPE)).toBe("t2");
    expect(credential.calls).toHaveLength(2);
  });

  it("refreshes a token shorter-lived than the window at half its life, not on every call", async () => {
    const { cache, credential } = setup([{ token: "short", expiresInMs: 2 * MINUTE }]);
    await cache.getToken(SCOPE);
    for (let i = 0; i < 50; i++) {
      await vi.advanceTimersByTimeAsync(1_000);
      await cache.getToken(SCOPE);
    }
    expect(credential.calls).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(10_000); // past half of (120 s - 5 s margin)
    await cache.getToken(SCOPE);
    expect(credential.calls).toHaveLength(2);
  });

  it("works with an injected clock", async () => {
    vi.useRealTimers();
    const clock = new ManualClock(START);
    const credential = new ScriptedCredential([{ hang: true }, { token: "t", expiresInMs: HOUR }], () =>
      clock.now(),
    );
    const cache = new TokenCache({ credential, clock, timeoutMs: 1_000 });
    const first = cache.getToken(SCOPE);
    first.catch(() => {});
    await clock.advance(1_000);
    expect((await rejectionOf(first)).reason).toBe("timeout");
    expect(await cache.getToken(SCOPE)).toBe("t");
    expect(cache.status(SCOPE).expiresOn).toBe(new Date(START + 1_000 + HOUR).toISOString());
    expect(clock.pending).toBe(0);
  });
});

it("answers a warm cache with one stored promise; a new token, a signal or an error take the slow path", async () => {
  const { cache, credential } = setup([
    { token: "t1", expiresInMs: HOUR },
    { token: "t2", expiresInMs: HOUR },
  ]);
  expect(await cache.getToken(SCOPE)).toBe("t1");
  const first = cache.getToken(SCOPE);
  expect(cache.getToken(SCOPE)).toBe(first); // no allocation per call on the hot path
  expect(await first).toBe("t1");
  // A caller's signal is honoured: its own promise, same token.
  const withSignal = cache.getToken(SCOPE, { signal: new AbortController().signal });
  expect(withSignal).not.toBe(first);
  expect(await withSignal).toBe("t1");
  // Inside the refresh window the background refresh replaces the stored promise with the new token's.
  vi.setSystemTime(START + HOUR - 4 * MINUTE);
  expect(await cache.getToken(SCOPE)).toBe("t1");
  await vi.advanceTimersByTimeAsync(0);
  expect(credential.calls.length).toBe(2);
  const second = cache.getToken(SCOPE);
  expect(second).not.toBe(first);
  expect(await second).toBe("t2");
  // Disposed: a rejected promise, never a synchronous throw.
  cache.dispose();
  await disposedRejectionOf(cache.getToken(SCOPE));
});

it("turns a throwing injected clock into a rejection, never a synchronous throw", async () => {
  vi.useRealTimers();
  const clock = new ManualClock(START);
  const credential = new ScriptedCredential([{ token: "t", expiresInMs: HOUR }], () => clock.now());
  const cache = new TokenCache({ credential, clock });
  expect(await cache.getToken(SCOPE)).toBe("t");
  clock.now = () => {
    throw new Error("clock broke");
  };
  let result: Promise<string> | undefined;
  expect(() => {
    result = cache.getToken(SCOPE);
  }).not.toThrow();
  await expect(result).rejects.toThrow("clock broke");
});

describe("TokenCache: failures, timeouts and aborts", () => {
  it("serves the old token while a failing refresh is retried with backoff", async () => {
    const { cache, credential, events } = setup([
      { token: "t1", expiresInMs: HOUR },
      { error: new Error("endpoint unavailable") },
      { error: new Error("endpoint unavailable") },
      { token: "t2", expiresInMs: HOUR },
    ]);
    await cache.getToken(SCOPE);
    await vi.advanceTimersByTimeAsync(56 * MINUTE);

    expect(await cache.getToken(SCOPE)).toBe("t1");
    await vi.advanceTimersByTimeAsync(0);
    expect(credential.calls).toHaveLength(2);
    expect(events.at(-1)).toMatchObject({
      type: "refresh-failed",
      attempt: 1,
      retryInMs: 1_000,
      background: true,
    });

    // Callers during the backoff do not start attempts of their own.
    for (let i = 0; i < 10; i++) expect(await cache.getToken(SCOPE)).toBe("t1");
    expect(credential.calls).toHaveLength(2);

    await vi.advanceTimersByTimeAsync(1_000); // first retry, fails again
    expect(credential.calls).toHaveLength(3);
    expect(events.at(-1)).toMatchObject({ type: "refresh-failed", attempt: 2, retryInMs: 2_000 });

    await vi.advanceTimersByTimeAsync(2_000); // second retry succeeds
    expect(credential.calls).toHaveLength(4);
    expect(events.at(-1)).toMatchObject({ type: "refresh-succeeded", attempt: 3 });
    expect(await cache.getToken(SCOPE)).toBe("t2");
    expect(cache.status(SCOPE).consecutiveFailures).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
  });

  it("spreads retry delays by the jitter and caps them", async () => {
    const low = setup([{ token: "t1", expiresInMs: HOUR }, { error: new Error("down") }], {
      random: () => 0,
      retry: { initialDelayMs: 1_000, jitter: 0.5 },
    });
    await low.cache.getToken(SCOPE);
    await vi.advanceTimersByTimeAsync(56 * MINUTE);
    await low.cache.getToken(SCOPE);
    await vi.advanceTimersByTimeAsync(0);
    expect(low.events.at(-1)?.retryInMs).toBe(500);
    low.cache.dispose();

    const high = setup([{ token: "t1", expiresInMs: HOUR }, { error: new Error("down") }], {
      random: () => 0.999_999,
      retry: { initialDelayMs: 1_000, maxDelayMs: 1_100, jitter: 0.5 },
    });
    await high.cache.getToken(SCOPE);
    await vi.advanceTimersByTimeAsync(56 * MINUTE);
    await high.cache.getToken(SCOPE);
    await vi.advanceTimersByTimeAsync(0);
    expect(high.events.at(-1)?.retryInMs).toBe(1_100);
    high.cache.dispose();
  });

  it("times out a hanging getToken, releases the shared refresh, and the next call retries", async () => {
    const { cache, credential, events } = setup([{ hang: true }, { token: "t2", expiresInMs: HOUR }]);
    const callers = Array.from({ length: 10 }, () => cache.getToken(SCOPE));
    for (const caller of callers) caller.catch(() => {});
    await vi.advanceTimersByTimeAsync(29_999);
    expect(await settlesNow(callers[0] as Promise<string>)).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    for (const caller of callers) {
      const error = await rejectionOf(caller);
      expect(error.reason).toBe("timeout");
      expect(error.credentialName).toBe("ScriptedCredential");
      expect(error.scope).toBe(SCOPE);
      expect(error.message).toContain("within 30000 ms");
    }
    expect(credential.calls[0]?.options?.abortSignal?.aborted).toBe(true);
    expect(events.at(-1)).toMatchObject({ type: "refresh-failed", error: { reason: "timeout" } });
    expect(cache.status(SCOPE).refreshing).toBe(false);

    expect(await cache.getToken(SCOPE)).toBe("t2");
    expect(credential.calls).toHaveLength(2);
  });

  it("times out a hanging background refresh and keeps serving the old token", async () => {
    const { cache, credential, events } = setup([
      { token: "t1", expiresInMs: HOUR },
      { hang: true },
      { token: "t2", expiresInMs: HOUR },
    ]);
    await cache.getToken(SCOPE);
    await vi.advanceTimersByTimeAsync(56 * MINUTE);
    expect(await cache.getToken(SCOPE)).toBe("t1");
    await vi.advanceTimersByTimeAsync(30_000);
    expect(events.at(-1)).toMatchObject({ type: "refresh-failed", retryInMs: 1_000 });
    expect(await cache.getToken(SCOPE)).toBe("t1");
    await vi.advanceTimersByTimeAsync(1_000);
    expect(await cache.getToken(SCOPE)).toBe("t2");
    expect(credential.calls).toHaveLength(3);
  });

  it("ends only the aborting caller's wait; the shared refresh goes on", async () => {
    const pending = deferred<{ token: string; expiresOnTimestamp: number } | null>();
    const { cache, credential } = setup([{ deferred: pending }]);
    const controller = new AbortController();
    const aborted = cache.getToken(SCOPE, { signal: controller.signal });
    const other = cache.getToken(SCOPE);
    controller.abort(new Error("user went away"));
    const error = await rejectionOf(aborted);
    expect(error.reason).toBe("aborted");
    expect((error.cause as Error).message).toBe("user went away");
    expect(credential.calls[0]?.options?.abortSignal?.aborted).toBe(false);

    pending.resolve({ token: "t1", expiresOnTimestamp: Date.now() + HOUR });
    expect(await other).toBe("t1");
    expect(credential.calls).toHaveLength(1);
  });

  it("rejects an already aborted signal without calling the credential", async () => {
    const { cache, credential } = setup([{ token: "t1", expiresInMs: HOUR }]);
    const error = await rejectionOf(cache.getToken(SCOPE, { signal: AbortSignal.abort() }));
    expect(error.reason).toBe("aborted");
    expect(credential.calls).toHaveLength(0);
  });

  it("reports an outage past expiry with a typed error, then recovers", async () => {
    const outage = new Error("ManagedIdentityCredential: Network unreachable.");
    const { cache, credential, events } = setup([
      { token: CANARY_TOKEN, expiresInMs: HOUR },
      { error: outage },
    ]);
    expect(await cache.getToken(SCOPE)).toBe(CANARY_TOKEN);

    await vi.advanceTimersByTimeAsync(56 * MINUTE);
    expect(await cache.getToken(SCOPE)).toBe(CANARY_TOKEN);
    await vi.advanceTimersByTimeAsync(5 * MINUTE); // retries run, all fail, the token expires
    const retries = credential.calls.length;
    expect(retries).toBeGreaterThan(3);
    expect(retries).toBeLessThan(20);
    expect(cache.status(SCOPE).state).toBe("expired");
    expect(vi.getTimerCount()).toBe(0); // no retry timers once there is nothing valid to protect

    const error = await rejectionOf(cache.getToken(SCOPE));
    expect(error).toMatchObject({
      name: "TokenAcquisitionError",
      code: "COPILOT_BYOK_TOKEN_ACQUISITION",
      reason: "credential-error",
      credentialName: "ScriptedCredential",
      scope: SCOPE,
    });
    expect(error.cause).toBe(outage);
    expect(error.message).toContain("ManagedIdentityCredential: Network unreachable.");
    expect(
      events.filter((e) => e.type === "refresh-failed").every((e) => e.error?.reason === "credential-error"),
    ).toBe(true);

    credential.script({ token: "t2", expiresInMs: HOUR });
    expect(await cache.getToken(SCOPE)).toBe("t2");
    expect(cache.status(SCOPE).consecutiveFailures).toBe(0);
  });

  it("puts a chain's failures in the error: each credential's first line, redacted, with a hint", async () => {
    const jwt = makeJwt({ aud: "x" });
    const inner = [
      Object.assign(
        new Error(
          "EnvironmentCredential is unavailable. No underlying credential could be used.\nTo troubleshoot, visit https://aka.ms/x",
        ),
        { name: "CredentialUnavailableError" },
      ),
      Object.assign(new Error(`ManagedIdentityCredential: Network unreachable. Message ${jwt}\nmore`), {
        name: "CredentialUnavailableError",
      }),
    ];
    const chain = Object.assign(
      new Error(`ChainedTokenCredential authentication failed.\n${inner.join("\n")}`),
      {
        name: "AggregateAuthenticationError",
        errors: inner,
      },
    );
    const { cache } = setup([{ error: chain }], { credentialName: "DefaultAzureCredential" });
    const error = await rejectionOf(cache.getToken(SCOPE));
    expect(error.message).toContain(
      "DefaultAzureCredential could not get a token for https://cognitiveservices.azure.com/.default",
    );
    expect(error.message).toContain("- CredentialUnavailableError: EnvironmentCredential is unavailable.");
    expect(error.message).toContain(
      "- CredentialUnavailableError: ManagedIdentityCredential: Network unreachable.",
    );
    expect(error.message).toContain("az login");
    expect(error.message).not.toContain(jwt);
    expect(error.cause).toBe(chain);
  });

  it("treats a null token or an empty one as a failure", async () => {
    const { cache } = setup([
      { accessToken: () => null },
      { accessToken: (now) => ({ token: "", expiresOnTimestamp: now + HOUR }) },
    ]);
    expect((await rejectionOf(cache.getToken(SCOPE))).message).toContain("returned no token");
    expect((await rejectionOf(cache.getToken(SCOPE))).message).toContain("returned no token");
  });

  it("turns a synchronous throw of the credential into a typed error", async () => {
    const cache = new TokenCache({
      credential: {
        getToken() {
          throw new TypeError("bad credential");
        },
      },
    });
    const error = await rejectionOf(cache.getToken(SCOPE));
    expect(error.message).toContain("TypeError: bad credential");
    expect(error.credentialName).toBe("TokenCredential");
  });

  it("ignores a late answer of an abandoned attempt and a late rejection alike", async () => {
    const late = deferred<{ token: string; expiresOnTimestamp: number } | null>();
    const lateFailure = deferred<{ token: string; expiresOnTimestamp: number } | null>();
    const { cache } = setup([
      { deferred: late },
      { deferred: lateFailure },
      { token: "t3", expiresInMs: HOUR },
    ]);
    const first = cache.getToken(SCOPE);
    first.catch(() => {});
    await vi.advanceTimersByTimeAsync(30_000);
    const second = cache.getToken(SCOPE);
    second.catch(() => {});
    await vi.advanceTimersByTimeAsync(30_000);
    late.resolve({ token: "late", expiresOnTimestamp: Date.now() + HOUR });
    lateFailure.reject(new Error("late failure"));
    await vi.advanceTimersByTimeAsync(0);
    expect((await rejectionOf(first)).reason).toBe("timeout");
    expect((await rejectionOf(second)).reason).toBe("timeout");
    expect(await cache.getToken(SCOPE)).toBe("t3");
  });
});

describe("TokenCache: implausible expiries and audience", () => {
  it("uses a token whose expiry is already past once, without caching it", async () => {
    const { cache, credential, events } = setup([
      { accessToken: (now) => ({ token: "t1", expiresOnTimestamp: Math.floor(now / 1000) }) }, // seconds, not ms
    ]);
    expect(await cache.getToken(SCOPE)).toBe("t1");
    const event = events.find((e) => e.type === "implausible-expiry");
    expect(event?.message).toContain("seconds where milliseconds belong?");
    expect(event?.message).toContain("used once and not cached");
    expect(await cache.getToken(SCOPE)).toBe("t1");
    expect(credential.calls).toHaveLength(2);
    expect(cache.status(SCOPE).state).toBe("empty");
  });

  it("falls back to the JWT's exp claim when the expiry is implausible", async () => {
    const jwt = makeJwt({ aud: "https://cognitiveservices.azure.com", exp: (START + HOUR) / 1000 });
    const { cache, credential, events } = setup([
      { accessToken: (now) => ({ token: jwt, expiresOnTimestamp: Math.floor(now / 1000) }) },
    ]);
    expect(await cache.getToken(SCOPE)).toBe(jwt);
    expect(await cache.getToken(SCOPE)).toBe(jwt);
    expect(credential.calls).toHaveLength(1);
    expect(cache.status(SCOPE).expiresOn).toBe(new Date(START + HOUR).toISOString());
    expect(events.find((e) => e.type === "implausible-expiry")?.message).toContain(
      "using the token's exp claim",
    );
    expect(JSON.stringify(events)).not.toContain(jwt);
  });

  it("caps an expiry more than 10 years ahead (milliseconds counted as seconds) to one hour", async () => {
    const { cache, credential, events } = setup([
      { accessToken: (now) => ({ token: "t1", expiresOnTimestamp: (now + HOUR) * 1000 }) },
    ]);
    expect(await cache.getToken(SCOPE)).toBe("t1");
    expect(events.find((e) => e.type === "implausible-expiry")?.message).toContain(
      "milliseconds counted as seconds?",
    );
    expect(cache.status(SCOPE).expiresOn).toBe(new Date(START + HOUR).toISOString());
    await vi.advanceTimersByTimeAsync(HOUR);
    await cache.getToken(SCOPE);
    expect(credential.calls).toHaveLength(2);
  });

  it("keeps the old token when a background refresh brings an expired one", async () => {
    const { cache, events } = setup([
      { token: "t1", expiresInMs: HOUR },
      { accessToken: (now) => ({ token: "stale", expiresOnTimestamp: now - 1 }) },
    ]);
    await cache.getToken(SCOPE);
    await vi.advanceTimersByTimeAsync(56 * MINUTE);
    await cache.getToken(SCOPE);
    await vi.advanceTimersByTimeAsync(0);
    expect(await cache.getToken(SCOPE)).toBe("t1");
    expect(events.at(-1)).toMatchObject({ type: "refresh-failed", error: { reason: "implausible-expiry" } });
    cache.dispose();
  });

  it("warns when the token's audience does not match the scope (a management token sent to Foundry)", async () => {
    const jwt = makeJwt({ aud: "https://management.azure.com", exp: (START + HOUR) / 1000 });
    const { cache, events, logs } = setup([{ token: jwt, expiresInMs: HOUR }]);
    expect(await cache.getToken(SCOPE)).toBe(jwt); // still served: the provider decides
    const mismatch = events.find((e) => e.type === "audience-mismatch");
    expect(mismatch).toMatchObject({
      audience: "https://management.azure.com",
      expectedAudience: "https://cognitiveservices.azure.com",
      credentialName: "ScriptedCredential",
    });
    expect(mismatch?.message).toContain("401");
    expect(logs.some((l) => l.startsWith("warn") && l.includes("audience"))).toBe(true);
    expect(JSON.stringify(events) + logs.join("\n")).not.toContain(jwt);
    expect(cache.status(SCOPE).claims?.aud).toBe("https://management.azure.com");
  });

  it("stays quiet when the audience matches", async () => {
    const jwt = makeJwt({ aud: "https://cognitiveservices.azure.com/" });
    const { cache, types } = setup([{ token: jwt, expiresInMs: HOUR }]);
    await cache.getToken(SCOPE);
    expect(types()).toEqual(["refresh-started", "refresh-succeeded"]);
  });
});

describe("TokenCache: safety and lifecycle", () => {
  it("never shows the token in errors, events, logs, status, describe, inspect or JSON", async () => {
    const { cache, credential, events, logs } = setup([
      { token: CANARY_TOKEN, expiresInMs: HOUR },
      { error: new Error("refresh failed") },
    ]);
    await cache.getToken(SCOPE);
    await vi.advanceTimersByTimeAsync(56 * MINUTE);
    await cache.getToken(SCOPE);
    await vi.advanceTimersByTimeAsync(5 * MINUTE);
    const error = await rejectionOf(cache.getToken(SCOPE));
    expect(credential.calls.length).toBeGreaterThan(2);
    const everything = [
      error.message,
      String(error.stack),
      inspect(error),
      JSON.stringify(events),
      logs.join("\n"),
      JSON.stringify(cache.status(SCOPE)),
      JSON.stringify(cache.describe()),
      inspect(cache, { depth: 10 }),
      JSON.stringify(cache),
    ].join("\n");
    expect(everything).not.toContain(CANARY_TOKEN);
    expect(inspect(cache)).toContain("TokenCache");
    expect(logs.some((l) => l.startsWith("info") && l.includes("obtained"))).toBe(true);
  });

  it("survives a throwing listener and a throwing logger", async () => {
    const throwing = () => {
      throw new Error("listener broke");
    };
    const cache = new TokenCache({
      credential: new ScriptedCredential([{ token: "t", expiresInMs: HOUR }]),
      onEvent: throwing,
      logger: { debug: throwing, info: throwing, warn: throwing, error: throwing },
    });
    expect(await cache.getToken(SCOPE)).toBe("t");
  });

  it("dispose stops timers and in-flight attempts; later calls fail clearly", async () => {
    const { cache } = setup([{ token: "t1", expiresInMs: HOUR }, { error: new Error("down") }]);
    await cache.getToken(SCOPE);
    await vi.advanceTimersByTimeAsync(56 * MINUTE);
    await cache.getToken(SCOPE);
    await vi.advanceTimersByTimeAsync(0);
    expect(vi.getTimerCount()).toBe(1); // the retry

    const hanging = setup([{ hang: true }]);
    const waiting = hanging.cache.getToken(SCOPE);
    waiting.catch(() => {});
    hanging.cache.dispose();
    await disposedRejectionOf(waiting);

    cache.dispose();
    cache.dispose(); // idempotent
    expect(vi.getTimerCount()).toBe(0);
    const error = await disposedRejectionOf(cache.getToken(SCOPE));
    expect(error.message).toContain("disposed");
    expect(cache.status(SCOPE).state).toBe("empty");
  });

  it("validates its options and lists every problem", () => {
    let error: unknown;
    try {
      new TokenCache({
        credential: {} as never,
        refreshWindowMs: 2 * HOUR,
        timeoutMs: 0,
        retry: { initialDelayMs: 10, maxDelayMs: 5, factor: 0.5, jitter: 2 },
        clock: { now: () => 0 } as never,
      });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigurationError);
    const problems = (error as ConfigurationError).problems;
    expect(problems).toHaveLength(7);
    expect(problems.join("\n")).toMatch(/credential must be a TokenCredential/);
    expect(problems.join("\n")).toMatch(/refreshWindowMs must be .* below 3600000/);
    expect(problems.join("\n")).toMatch(/timeoutMs must be a positive number/);
    expect(problems.join("\n")).toMatch(
      /retry.maxDelayMs \(5\) must not be below retry.initialDelayMs \(10\)/,
    );
    expect(problems.join("\n")).toMatch(/retry.factor must be a number ≥ 1/);
    expect(problems.join("\n")).toMatch(/retry.jitter must be a number from 0 to 1/);
    expect(problems.join("\n")).toMatch(/clock must have now\(\), setTimeout/);
  });
});
