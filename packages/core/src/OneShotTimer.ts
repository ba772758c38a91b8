import { MAX_TIMER_MS } from "./backoff.js";
import type { Clock } from "./Clock.js";
import { unrefTimer } from "./unrefTimer.js";

/**
 * At most one pending callback on a clock, `unref()`ed (background work never keeps a process alive):
 * scheduling replaces the pending one, `clear()` cancels it. Delays beyond what timers honour are capped.
 */
export class OneShotTimer {
  private handle: unknown = undefined;

  constructor(private readonly clock: Clock) {}

  get pending(): boolean {
    return this.handle !== undefined;
  }

  schedule(delayMs: number, callback: () => void): void {
    this.clear();
    const handle = this.clock.setTimeout(
      () => {
        if (this.handle !== handle) return; // cleared or replaced meanwhile (a clock may still call it)
        this.handle = undefined;
        callback();
      },
      Math.min(delayMs, MAX_TIMER_MS),
    );
    unrefTimer(handle);
    this.handle = handle;
  }

  clear(): void {
    if (this.handle === undefined) return;
    this.clock.clearTimeout(this.handle);
    this.handle = undefined;
  }
}
