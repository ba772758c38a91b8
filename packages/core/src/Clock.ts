/** Time as the refreshing caches and watchers see it: injectable so that tests (and simulations) control it. */
export interface Clock {
  /** Milliseconds since the Unix epoch, like `Date.now()`. */
  now(): number;
  /** Schedules `callback` after `ms` milliseconds; returns a handle for {@link Clock.clearTimeout}. */
  setTimeout(callback: () => void, ms: number): unknown;
  /** Cancels a callback scheduled with {@link Clock.setTimeout}. */
  clearTimeout(handle: unknown): void;
}

/**
 * The real clock: `Date.now()` and the global timers, looked up at each call (so that fake timers installed
 * later, e.g. by `vi.useFakeTimers()`, apply). Timers are `unref()`ed by their users where nothing waits, never keeping a
 * process alive.
 */
export const systemClock: Clock = Object.freeze({
  now: () => Date.now(),
  setTimeout: (callback: () => void, ms: number) => globalThis.setTimeout(callback, ms),
  clearTimeout: (handle: unknown) => globalThis.clearTimeout(handle as ReturnType<typeof setTimeout>),
});
