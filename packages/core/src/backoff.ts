// Retry delays of a failed background refresh: exponential, capped, spread by jitter so that many processes
// failing together (an identity endpoint down) do not retry in lockstep.

/** Retries of a failed background refresh while the cached value is still valid. */
export interface RetryOptions {
  /** Delay before the first retry. Default 1 000 ms. */
  initialDelayMs: number;
  /** Longest delay between retries. Default 60 000 ms. */
  maxDelayMs: number;
  /** Growth of the delay per failed attempt. Default 2. */
  factor: number;
  /** Random spread of each delay, 0 to 1: a delay `d` becomes `d × (1 ± jitter)`. Default 0.2. */
  jitter: number;
}

export const DEFAULT_RETRY: Readonly<RetryOptions> = Object.freeze({
  initialDelayMs: 1_000,
  maxDelayMs: 60_000,
  factor: 2,
  jitter: 0.2,
});

/** The longest delay Node's timers honour (a longer one fires at once). */
export const MAX_TIMER_MS = 2_147_483_647;

/** {@link DEFAULT_RETRY} with the options given; `undefined` members keep the default. */
export function retryOptionsOf(retry: Partial<RetryOptions> = {}): Readonly<RetryOptions> {
  const given = Object.fromEntries(Object.entries(retry).filter(([, v]) => v !== undefined));
  return Object.freeze({ ...DEFAULT_RETRY, ...given });
}

/**
 * The delay before retry number `failures` (1 for the first): `initial × factor^(failures-1)`, capped at
 * `maxDelayMs`, spread by ± `jitter` with `random()` in [0, 1) (0.5: no spread), rounded to a millisecond.
 */
export function backoffDelay(failures: number, retry: Readonly<RetryOptions>, random: () => number): number {
  const { initialDelayMs, maxDelayMs, factor, jitter } = retry;
  const base = Math.min(maxDelayMs, initialDelayMs * factor ** Math.max(0, failures - 1));
  const r = Math.min(1, Math.max(0, random()));
  const spread = base * jitter * (2 * r - 1);
  return Math.round(Math.min(maxDelayMs, Math.max(0, base + spread)));
}
