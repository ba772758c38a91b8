import { inspect } from "node:util";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ConfigurationError } from "./ConfigurationError.js";
import { DisposedError } from "./DisposedError.js";
import { RefreshingCache } from "./RefreshingCache.js";
import type { RefreshingCacheOptions } from "./RefreshingCacheOptions.js";
import { TokenAcquisitionError } from "./TokenAcquisitionError.js";
import { HOUR, MINUTE, rejectionOf, START, setup } from "./test-support/refreshingCacheKit.js";

// Behaviour on an injected clock (never wall-clock bounds); implausible expiries: RefreshingCache.expiry.test.ts.

let unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => unhandled.push(reason);
beforeEach(() => {
  unhandled = [];
  process.on("unhandledRejection", onUnhandled);
});
afterEach(async () => {
  await new Promise((resolve) => setImmediate(resolve)); // let Node report rejections nobody handled
  process.off("unhandledRejection", onUnhandled);
  expect(unhandled).toEqual([]);
});

describe("RefreshingCache: answers from memory, one fetch at a time", () => {
  it("serves 500 concurrent callers on a cold cache with one fetch", async () => {
    const { cache, fetcher, types } = setup();
    const answer = fetcher.next();
    const callers = Array.from({ length: 500 }, () => cache.get());
    expect(fetcher.calls).toHaveLength(1);
    answer.resolve({ value: "v1", expiresOnTimestamp: START + HOUR });
    expect(new Set(await Promise.all(callers))).toEqual(new Set(["v1"]));
    expect(fetcher.calls).toHaveLength(1);
    expect(types()).toEqual(["refresh-started", "refresh-succeeded"]);
    expect(cache.status()).toMatchObject({ state: "valid", refreshing: false, consecutiveFailures: 0 });
  });

  it("hot path: a valid value with no signal is the identical stored promise, every time", async () => {
    const { cache, fetcher } = setup();
    fetcher.script({ value: "v1", lifeMs: HOUR });
    expect(await cache.get()).toBe("v1");
    const first = cache.get();
    expect(cache.get()).toBe(first);
    expect(cache.get({})).toBe(first);
    const withSignal = cache.get({ signal: new AbortController().signal });
    expect(withSignal).not.toBe(first);
    expect(await withSignal).toBe("v1");
  });

  it("refreshes once in the background inside the window; callers keep the cached value meanwhile", async () => {
    const { cache, clock, fetcher, events } = setup();
    fetcher.script({ value: "v1", lifeMs: HOUR });
    await cache.get();
    const stored = cache.get();
    await clock.advance(56 * MINUTE); // 4 minutes left: inside the 5-minute window
    const next = fetcher.next();
    for (let i = 0; i < 20; i++) expect(cache.get()).toBe(stored);
    expect(fetcher.calls).toHaveLength(2);
    expect(cache.status().refreshing).toBe(true);
    expect(events.at(-1)).toMatchObject({ type: "refresh-started", background: true, attempt: 1 });
    next.resolve({ value: "v2", expiresOnTimestamp: clock.now() + HOUR });
    await clock.advance(0);
    expect(cache.get()).not.toBe(stored);
    expect(await cache.get()).toBe("v2");
    expect(fetcher.calls).toHaveLength(2);
  });

  it("honours refreshAfterTimestamp before the window, and refreshes a short-lived value at half its life", async () => {
    const { cache, clock, fetcher } = setup();
    fetcher.script({ value: "v1", lifeMs: 24 * HOUR, refreshAfterMs: 12 * HOUR });
    await cache.get();
    await clock.advance(12 * HOUR - 1);
    await cache.get();
    expect(fetcher.calls).toHaveLength(1);
    fetcher.script({ value: "short", lifeMs: 2 * MINUTE });
    await clock.advance(1);
    await cache.get();
    await clock.advance(0);
    expect(fetcher.calls).toHaveLength(2);
    await clock.advance(57_000); // half of (120 s - 5 s margin) is 57.5 s
    await cache.get();
    expect(fetcher.calls).toHaveLength(2);
    await clock.advance(1_000);
    await cache.get();
    expect(fetcher.calls).toHaveLength(3);
  });

  it("serves a value only while more than the 5 s margin is left", async () => {
    const { cache, clock, fetcher } = setup();
    fetcher.script({ value: "v1", lifeMs: HOUR });
    await cache.get();
    await clock.advance(HOUR - 5_000);
    expect(cache.status().state).toBe("expired");
  });
});

describe("RefreshingCache: timeouts, aborts, backoff", () => {
  it("abandons an attempt at the timeout, fires its signal, and the next call tries again", async () => {
    const { cache, clock, fetcher, events } = setup({ timeoutMs: 1_000 });
    fetcher.script("hang");
    const callers = Array.from({ length: 5 }, () => cache.get());
    for (const caller of callers) caller.catch(() => {});
    await clock.advance(999);
    expect(fetcher.calls[0]?.aborted).toBe(false);
    await clock.advance(1);
    for (const caller of callers) {
      const error = await rejectionOf(caller);
      expect(error).toMatchObject({ reason: "timeout", credentialName: "KeyService", scope: "key-1" });
      expect(error.message).toBe(
        "KeyService did not return a key for key-1 within 1000 ms: the attempt was abandoned (the next call tries again)",
      );
    }
    expect(fetcher.calls[0]?.aborted).toBe(true);
    expect(fetcher.calls[0]?.reason).toBeInstanceOf(TokenAcquisitionError);
    expect(events.at(-1)).toMatchObject({ type: "refresh-failed", error: { reason: "timeout" } });
    expect(clock.pending).toBe(0);
    fetcher.script({ value: "v2", lifeMs: HOUR });
    expect(await cache.get()).toBe("v2");
  });

  it("lets the process go again once the only waiting caller gives up", async () => {
    const { cache, clock, fetcher } = setup({ timeoutMs: 5_000 });
    fetcher.script("hang");
    const controller = new AbortController();
    const waiting = rejectionOf(cache.get({ signal: controller.signal }));
    await clock.advance(0);
    expect(clock.keepingAlive).toBe(1);
    controller.abort();
    expect((await waiting).reason).toBe("aborted");
    await clock.advance(0);
    expect(clock.keepingAlive).toBe(0); // the abandoned wait no longer holds the process for the 5 s timeout
  });

  it("stays one flight when an event listener asks for the value", async () => {
    let cache: RefreshingCache<{ length: number }> | undefined;
    const kit = setup({ onEvent: (event) => void (event.type === "refresh-started" && cache?.get()) });
    cache = kit.cache;
    kit.fetcher.script({ value: "v1", lifeMs: HOUR });
    expect(await cache.get()).toBe("v1");
    expect(kit.fetcher.calls).toHaveLength(1);
  });

  it("ends only the aborting caller's wait; the shared fetch goes on", async () => {
    const { cache, fetcher } = setup();
    const answer = fetcher.next();
    const controller = new AbortController();
    const aborted = cache.get({ signal: controller.signal });
    const other = cache.get();
    controller.abort(new Error("went away"));
    const error = await rejectionOf(aborted);
    expect(error.reason).toBe("aborted");
    expect(error.message).toBe("waiting for a key for key-1 was aborted by the caller");
    expect((error.cause as Error).message).toBe("went away");
    expect(fetcher.calls[0]?.aborted).toBe(false);
    answer.resolve({ value: "v1", expiresOnTimestamp: START + HOUR });
    expect(await other).toBe("v1");
    expect((await rejectionOf(cache.get({ signal: AbortSignal.abort() }))).reason).toBe("aborted");
    expect(fetcher.calls).toHaveLength(1);
  });

  it("retries a failed background refresh with exponential backoff (fixed random) while the value is valid", async () => {
    const { cache, clock, fetcher, events } = setup();
    fetcher.script({ value: "v1", lifeMs: HOUR });
    await cache.get();
    fetcher.script({ error: new Error("down") }, { error: new Error("down") }, { error: new Error("down") });
    await clock.advance(56 * MINUTE);
    expect(await cache.get()).toBe("v1");
    await clock.advance(0);
    for (let i = 0; i < 10; i++) expect(await cache.get()).toBe("v1"); // no attempts during the backoff
    expect(clock.pendingIn()).toEqual([1_000]);
    await clock.advance(1_000);
    await clock.advance(2_000);
    const failed = events.filter((e) => e.type === "refresh-failed");
    expect(failed.map((e) => e.retryInMs)).toEqual([1_000, 2_000, 4_000]);
    expect(failed.map((e) => e.attempt)).toEqual([1, 2, 3]);
    expect(failed[0]?.message).toBe(
      `key refresh for key-1 failed (KeyService, attempt 1, credential-error); the current key stays in use until ${new Date(START + HOUR).toISOString()}; retry in 1000 ms`,
    );
    expect(fetcher.calls).toHaveLength(4);
    fetcher.script({ value: "v2", lifeMs: HOUR });
    await clock.advance(4_000);
    expect(await cache.get()).toBe("v2");
    expect(cache.status().consecutiveFailures).toBe(0);
    expect(clock.pending).toBe(0);
  });

  it("spreads delays by the jitter, caps them, and never retries past the value's validity", async () => {
    const low = setup({ random: () => 0, retry: { jitter: 0.5 } });
    low.fetcher.script({ value: "v1", lifeMs: HOUR }, { error: new Error("down") });
    await low.cache.get();
    await low.clock.advance(56 * MINUTE);
    await low.cache.get();
    await low.clock.advance(0);
    expect(low.events.at(-1)?.retryInMs).toBe(500);

    const high = setup({ random: () => 0.999_999, retry: { initialDelayMs: 1_000, maxDelayMs: 1_100 } });
    high.fetcher.script({ value: "v1", lifeMs: HOUR }, { error: new Error("down") });
    await high.cache.get();
    await high.clock.advance(56 * MINUTE);
    await high.cache.get();
    await high.clock.advance(0);
    expect(high.events.at(-1)?.retryInMs).toBe(1_100);

    const late = setup({ retry: { initialDelayMs: 60_000 } });
    late.fetcher.script({ value: "v1", lifeMs: HOUR }, { error: new Error("down") });
    await late.cache.get();
    await late.clock.advance(HOUR - 35_000); // 30 s of validity left
    await late.cache.get();
    await late.clock.advance(0);
    expect(late.events.at(-1)?.retryInMs).toBe(29_999);
    await late.clock.advance(5 * MINUTE);
    expect(late.clock.pending).toBe(0); // nothing valid left to protect: no retry timer
  });

  it("unref()s the timers of attempts and background retries", async () => {
    const { cache, clock, fetcher, unrefs } = setup();
    fetcher.script({ value: "v1", lifeMs: HOUR }, { error: new Error("down") });
    await cache.get();
    expect(unrefs()).toBe(1); // the attempt's timeout
    await clock.advance(56 * MINUTE);
    await cache.get();
    await clock.advance(0);
    expect(unrefs()).toBe(3); // + the background attempt, + its retry
  });

  it("keeps the process alive while a caller waits for an answer, timeouts included; background work never", async () => {
    const { cache, clock, fetcher } = setup({ timeoutMs: 200 });
    fetcher.script("hang", { value: "v1", lifeMs: HOUR }, "hang");
    const waiting = rejectionOf(cache.get());
    await clock.advance(0);
    expect(clock.keepingAlive).toBe(1); // the attempt's timeout: the waiting caller gets its answer
    await clock.advance(200);
    expect((await waiting).reason).toBe("timeout");
    expect(clock.keepingAlive).toBe(0);

    await cache.get(); // v1, fetched while a caller waited
    await clock.advance(56 * MINUTE);
    await cache.get(); // inside the window: a background refresh, which hangs; nobody waits for it
    await clock.advance(0);
    expect(clock.keepingAlive).toBe(0);
  });
});

describe("RefreshingCache: lifecycle and safety", () => {
  it("rejects with DisposedError once disposed, also a caller waiting on a hanging fetch", async () => {
    const { cache, clock, fetcher } = setup();
    fetcher.script("hang");
    const waiting = cache.get();
    waiting.catch(() => {});
    cache.dispose();
    cache.dispose(); // idempotent
    const error = await waiting.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DisposedError);
    expect(error).toMatchObject({ code: "COPILOT_BYOK_DISPOSED" });
    expect((error as Error).message).toContain("the key cache of KeyService is disposed (no key for key-1)");
    expect(fetcher.calls[0]?.aborted).toBe(true);
    expect(clock.pending).toBe(0);
    await expect(cache.get()).rejects.toBeInstanceOf(DisposedError);
    expect(cache.status().state).toBe("empty");
  });

  it("turns a throwing clock into a rejection, never a synchronous throw", async () => {
    const { cache, clock, fetcher } = setup();
    fetcher.script({ value: "v1", lifeMs: HOUR });
    await cache.get();
    clock.now = () => {
      throw new Error("clock broke");
    };
    let result: Promise<string> | undefined;
    expect(() => {
      result = cache.get();
    }).not.toThrow();
    await expect(result).rejects.toThrow("clock broke");
  });

  it("never shows the value in status, describe, inspect, JSON, events or errors", async () => {
    const secret = "sk-canary-0123456789abcdef";
    const { cache, clock, fetcher, events, logger } = setup({ factsOf: (v) => ({ length: v.length }) });
    fetcher.script({ value: secret, lifeMs: HOUR }, { error: new Error(`upstream said Bearer ${secret}`) });
    await cache.get();
    expect(cache.status().facts).toEqual({ length: secret.length });
    await clock.advance(56 * MINUTE);
    await cache.get();
    await clock.advance(0);
    const everything = [
      JSON.stringify(cache.status()),
      JSON.stringify(cache.describe()),
      JSON.stringify(cache),
      inspect(cache, { depth: 10 }),
      JSON.stringify(events),
      logger.text(),
    ].join("\n");
    expect(inspect(cache)).toContain("RefreshingCache");
    expect(everything).not.toContain("sk-canary");
  });

  it("masks a value it has handed out when a later error quotes it, whatever its shape", async () => {
    const opaque = "opaque-token-5f4e3d2c1b0a";
    const { cache, clock, fetcher, logger } = setup();
    fetcher.script(
      { value: opaque, lifeMs: 10_000 },
      { error: new Error(`invalid_token: ${opaque} was revoked`) },
    );
    expect(await cache.get()).toBe(opaque);
    await clock.advance(10_000);
    const error = await rejectionOf(cache.get());
    expect(error.message).toContain("invalid_token: [REDACTED] was revoked");
    for (const shown of [error.message, cache.status().lastError, JSON.stringify(logger.events)])
      expect(shown).not.toContain(opaque);
  });

  it("describes errors briefly by default, or with describeError; throwing listeners and loggers are ignored", async () => {
    const throwing = () => {
      throw new Error("broke");
    };
    const plain = setup({
      onEvent: throwing,
      logger: { debug: throwing, info: throwing, warn: throwing, error: throwing },
    });
    plain.fetcher.script({
      error: Object.assign(new Error("no route\nstack-ish detail"), { name: "NetError" }),
    });
    const error = await rejectionOf(plain.cache.get());
    expect(error.message).toBe("KeyService could not get a key for key-1: NetError: no route");
    expect(error.cause).toBeInstanceOf(Error);

    const custom = setup({ describeError: () => "custom words" });
    custom.fetcher.script({ error: new Error("x") });
    expect((await rejectionOf(custom.cache.get())).message).toContain(": custom words");
    const defaults = new RefreshingCache({ fetch: async () => null });
    expect((await rejectionOf(defaults.get())).message).toBe("credential returned no value");
  });

  it("validates its options and lists every problem", () => {
    const bad = { fetch: "nope", timeoutMs: -1, retry: { factor: 0 } } as unknown as RefreshingCacheOptions;
    expect(() => new RefreshingCache(bad)).toThrow(/fetch must be a function/);
    try {
      new RefreshingCache(bad);
    } catch (e) {
      expect((e as { problems: string[] }).problems).toHaveLength(3);
    }
    const named = { fetch: async () => null, name: 42, noun: " " } as unknown as RefreshingCacheOptions;
    expect(() => new RefreshingCache(named)).toThrow(ConfigurationError);
    try {
      new RefreshingCache(named);
    } catch (e) {
      expect((e as ConfigurationError).problems).toEqual([
        "name must be a non-empty string",
        "noun must be a non-empty string",
      ]);
    }
  });
});
