import { describe, expect, it } from "vitest";
import { DEFAULT_REFRESH_WINDOW_MS, refreshTimeOf } from "./refreshTime.js";

const NOW = 1_000_000;
const HOUR = 3_600_000;

describe("refreshTimeOf", () => {
  it("refreshes the window before expiry, or earlier when refreshAfter says so", () => {
    expect(refreshTimeOf(NOW + HOUR, undefined, DEFAULT_REFRESH_WINDOW_MS, NOW)).toBe(NOW + HOUR - 300_000);
    expect(refreshTimeOf(NOW + HOUR, NOW + 60_000, DEFAULT_REFRESH_WINDOW_MS, NOW)).toBe(NOW + 60_000);
    expect(refreshTimeOf(NOW + HOUR, NOW + HOUR, DEFAULT_REFRESH_WINDOW_MS, NOW)).toBe(NOW + HOUR - 300_000);
    expect(refreshTimeOf(NOW + HOUR, Number.NaN, DEFAULT_REFRESH_WINDOW_MS, NOW)).toBe(NOW + HOUR - 300_000);
  });

  it("refreshes a value that arrives inside the window at half its remaining life (before the margin)", () => {
    expect(refreshTimeOf(NOW + 125_000, undefined, DEFAULT_REFRESH_WINDOW_MS, NOW)).toBe(NOW + 60_000);
    expect(refreshTimeOf(NOW + HOUR, NOW - 1, DEFAULT_REFRESH_WINDOW_MS, NOW)).toBe(NOW + (HOUR - 5_000) / 2);
  });
});
