import type { Clock } from "@copilot-byok/core/plugin";

/** At most one pending callback on a clock, `unref()`ed where the handle has it (never keeps a process alive). */
export class ClockTimer {
  #handle: unknown;

  constructor(private readonly clock: Clock) {}

  get pending(): boolean {
    return this.#handle !== undefined;
  }

  /** Replaces the pending callback, if any. */
  schedule(ms: number, callback: () => void): void {
    this.clear();
    const handle = this.clock.setTimeout(() => {
      if (this.#handle !== handle) return; // cleared or replaced meanwhile
      this.#handle = undefined;
      callback();
    }, ms);
    (handle as { unref?: () => void } | null)?.unref?.();
    this.#handle = handle;
  }

  clear(): void {
    if (this.#handle === undefined) return;
    this.clock.clearTimeout(this.#handle);
    this.#handle = undefined;
  }
}
