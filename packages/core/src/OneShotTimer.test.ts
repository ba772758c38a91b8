import { describe, expect, it } from "vitest";
import { OneShotTimer } from "./OneShotTimer.js";
import { UnrefCountingClock } from "./test-support/refreshingCacheKit.js";

describe("OneShotTimer", () => {
  it("keeps at most one pending callback, unref()ed; scheduling replaces, clear cancels", async () => {
    const clock = new UnrefCountingClock();
    const timer = new OneShotTimer(clock);
    const fired: string[] = [];
    timer.schedule(1_000, () => fired.push("first"));
    timer.schedule(2_000, () => fired.push("second"));
    expect(clock.pendingIn()).toEqual([2_000]);
    expect(clock.unrefs).toBe(2);
    await clock.advance(2_000);
    expect(fired).toEqual(["second"]);
    expect(timer.pending).toBe(false);
    timer.schedule(10, () => fired.push("cleared"));
    timer.clear();
    await clock.advance(100);
    expect(fired).toEqual(["second"]);
    expect(clock.pending).toBe(0);
  });

  it("caps a delay at what timers honour", () => {
    const clock = new UnrefCountingClock(0);
    new OneShotTimer(clock).schedule(Number.MAX_SAFE_INTEGER, () => {});
    expect(clock.pendingIn()).toEqual([2_147_483_647]);
  });
});
