import { describe, expect, it } from "vitest";
import { humanDuration } from "./humanDuration.js";

describe("humanDuration", () => {
  it.each([
    [0, "in 0 s"],
    [12_000, "in 12 s"],
    [59 * 60_000 + 400, "in 59 min"],
    [3 * 3_600_000 + 5 * 60_000, "in 3 h 5 min"],
    [-90_000, "1 min 30 s ago"],
    [2 * 86_400_000 + 3_600_000, "in 2 d 1 h"],
  ])("%d ms → %s", (ms, text) => {
    expect(humanDuration(ms)).toBe(text);
  });
});
