import { describe, expect, it } from "vitest";
import { backoffDelay, DEFAULT_RETRY, retryOptionsOf } from "./backoff.js";

describe("backoffDelay", () => {
  it("grows by the factor from the initial delay, capped, exact with random 0.5", () => {
    const delays = [1, 2, 3, 4, 5, 6, 7, 8].map((n) => backoffDelay(n, DEFAULT_RETRY, () => 0.5));
    expect(delays).toEqual([1_000, 2_000, 4_000, 8_000, 16_000, 32_000, 60_000, 60_000]);
  });

  it("spreads by ± jitter and never exceeds the cap", () => {
    const retry = retryOptionsOf({ jitter: 0.5 });
    expect(backoffDelay(1, retry, () => 0)).toBe(500);
    expect(backoffDelay(1, retry, () => 0.999_999)).toBe(1_500);
    expect(backoffDelay(7, retry, () => 0.999_999)).toBe(60_000);
    expect(backoffDelay(1, retry, () => 7)).toBe(1_500); // a random out of [0, 1) is clamped
  });

  it("retryOptionsOf keeps the defaults for members left undefined", () => {
    expect(retryOptionsOf({ factor: 3, jitter: undefined })).toEqual({ ...DEFAULT_RETRY, factor: 3 });
    expect(Object.isFrozen(retryOptionsOf())).toBe(true);
  });
});
