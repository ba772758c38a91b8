import type { Clock } from "@copilot-byok/core/plugin";
import { yieldToEventLoop } from "./harness.js";

interface Timer {
  readonly id: number;
  readonly at: number;
  readonly callback: () => void;
}

/**
 * Simulated time for the token cache (its injectable `Clock`) and for simulated credentials: `advanceTo(t)`
 * runs the timers due by `t` in order, letting every promise settle before and after each one. Nothing
 * here reads the real time. (A leaner version of azure-entra's test-support `ManualClock`, for millions of
 * steps.)
 */
export class FakeClock implements Clock {
  #time: number;
  #nextId = 1;
  /** Sorted by `at`, then by creation. */
  #timers: Timer[] = [];

  constructor(start = Date.UTC(2030, 0, 1)) {
    this.#time = start;
  }

  now(): number {
    return this.#time;
  }

  setTimeout(callback: () => void, ms: number): unknown {
    const timer: Timer = { id: this.#nextId++, at: this.#time + Math.max(0, ms), callback };
    let i = this.#timers.length;
    while (i > 0 && (this.#timers[i - 1] as Timer).at > timer.at) i--;
    this.#timers.splice(i, 0, timer);
    return timer.id;
  }

  clearTimeout(handle: unknown): void {
    const i = this.#timers.findIndex((t) => t.id === handle);
    if (i >= 0) this.#timers.splice(i, 1);
  }

  /** Pending timers. */
  get pending(): number {
    return this.#timers.length;
  }

  /** Moves time forward to `time`, running due timers in order; settles promises in between. */
  async advanceTo(time: number): Promise<void> {
    await yieldToEventLoop();
    for (;;) {
      const next = this.#timers[0];
      if (!next || next.at > time) break;
      this.#timers.shift();
      this.#time = Math.max(this.#time, next.at);
      next.callback();
      await yieldToEventLoop();
    }
    this.#time = Math.max(this.#time, time);
    await yieldToEventLoop();
  }

  /** Moves time forward by `ms`. */
  advance(ms: number): Promise<void> {
    return this.advanceTo(this.#time + ms);
  }
}
