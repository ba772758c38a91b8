import { describe, expect, it } from "vitest";
import { checkRefreshOptions } from "./checkRefreshOptions.js";

const ENTRA_LIMIT = {
  belowMs: 3_600_000,
  because: "Entra ID tokens live about an hour; a window as long as that would refresh on every call",
};

describe("checkRefreshOptions", () => {
  it("accepts nothing given, and sensible values", () => {
    expect(checkRefreshOptions({})).toEqual([]);
    expect(
      checkRefreshOptions({
        refreshWindowMs: 0,
        timeoutMs: 5_000,
        retry: { initialDelayMs: 10, maxDelayMs: 10, factor: 1, jitter: 0 },
        clock: { now: () => 0, setTimeout: () => 0, clearTimeout: () => {} },
      }),
    ).toEqual([]);
  });

  it("lists every problem, each naming the option with the prefix; values that are not numbers by type only", () => {
    const problems = checkRefreshOptions(
      {
        refreshWindowMs: 3_600_000,
        timeoutMs: "30s" as never,
        retry: { initialDelayMs: 10, maxDelayMs: 5, factor: 0.5, jitter: 2 },
        clock: { now: () => 0 } as never,
      },
      { prefix: "tokenCache.", windowLimit: ENTRA_LIMIT },
    );
    expect(problems).toEqual([
      "tokenCache.refreshWindowMs must be a number of milliseconds from 0 to below 3600000 (Entra ID tokens live about an hour; a window as long as that would refresh on every call); got 3600000",
      "tokenCache.timeoutMs must be a positive number of milliseconds; got string",
      "tokenCache.retry.maxDelayMs (5) must not be below tokenCache.retry.initialDelayMs (10)",
      "tokenCache.retry.factor must be a number ≥ 1; got 0.5",
      "tokenCache.retry.jitter must be a number from 0 to 1; got 2",
      "tokenCache.clock must have now(), setTimeout(callback, ms) and clearTimeout(handle)",
    ]);
  });

  it("takes any window timers honour unless the credential's lifetime limits it", () => {
    expect(checkRefreshOptions({ refreshWindowMs: 2 * 3_600_000 })).toEqual([]);
    expect(checkRefreshOptions({ refreshWindowMs: 2 ** 31 })).toEqual([
      `refreshWindowMs must be a number of milliseconds from 0 to below ${2 ** 31}; got ${2 ** 31}`,
    ]);
  });

  it("checks the retry delays against the defaults and the timers' limit", () => {
    expect(checkRefreshOptions({ retry: { maxDelayMs: 500 } })).toEqual([
      "retry.maxDelayMs (500) must not be below retry.initialDelayMs (1000)",
    ]);
    expect(checkRefreshOptions({ retry: { initialDelayMs: 0, maxDelayMs: 2 ** 31 } })).toEqual([
      "retry.initialDelayMs must be a positive number of milliseconds; got 0",
      "retry.maxDelayMs must be a positive number of milliseconds; got 2147483648",
    ]);
    expect(checkRefreshOptions({ retry: 3 as never })).toEqual([
      "retry must be an object { initialDelayMs, maxDelayMs, factor, jitter }",
    ]);
  });
});
