import { DEFAULT_RETRY, MAX_TIMER_MS, type RetryOptions } from "./backoff.js";
import type { Clock } from "./Clock.js";

// The timing options of a refreshing cache, checked once where they are given (a constructor, a module's
// options) so that every problem is listed at once, each naming the option as the caller spelled it.

/** The options {@link checkRefreshOptions} checks. */
export interface RefreshTimingOptions {
  refreshWindowMs?: number;
  timeoutMs?: number;
  retry?: Partial<RetryOptions>;
  clock?: Clock;
}

/** What a kind of credential adds to the check of the refresh window: values live this long at most. */
export interface RefreshWindowLimit {
  /** The window must be shorter than this, in ms. */
  readonly belowMs: number;
  /** Why, for the message, e.g. `Entra ID tokens live about an hour; …`. */
  readonly because: string;
}

/**
 * Every problem with the timing options, one sentence each (empty when they are fine). `prefix` is put
 * before each option's name, e.g. `tokenCache.`. The refresh window is any number of milliseconds up to
 * what timers honour, unless `windowLimit` says how long the credential's values live.
 */
export function checkRefreshOptions(
  options: Partial<RefreshTimingOptions>,
  { prefix = "", windowLimit }: { prefix?: string; windowLimit?: RefreshWindowLimit } = {},
): string[] {
  const problems: string[] = [];
  const name = (n: string) => `${prefix}${n}`;
  const w = options.refreshWindowMs;
  const below = windowLimit?.belowMs ?? MAX_TIMER_MS + 1;
  if (w !== undefined && !(isNumber(w) && w >= 0 && w < below)) {
    problems.push(
      `${name("refreshWindowMs")} must be a number of milliseconds from 0 to below ${below}${windowLimit ? ` (${windowLimit.because})` : ""}; got ${showNumber(w)}`,
    );
  }
  const t = options.timeoutMs;
  if (t !== undefined && !isDelay(t)) {
    problems.push(`${name("timeoutMs")} must be a positive number of milliseconds; got ${showNumber(t)}`);
  }
  const r = options.retry as unknown;
  if (r !== undefined) {
    if (typeof r !== "object" || r === null) {
      problems.push(`${name("retry")} must be an object { initialDelayMs, maxDelayMs, factor, jitter }`);
    } else {
      problems.push(...checkRetry(r as Partial<RetryOptions>, name));
    }
  }
  const clock = options.clock as Partial<Clock> | undefined | null;
  if (
    clock !== undefined &&
    (typeof clock !== "object" ||
      clock === null ||
      typeof clock.now !== "function" ||
      typeof clock.setTimeout !== "function" ||
      typeof clock.clearTimeout !== "function")
  ) {
    problems.push(`${name("clock")} must have now(), setTimeout(callback, ms) and clearTimeout(handle)`);
  }
  return problems;
}

function checkRetry(r: Partial<RetryOptions>, name: (n: string) => string): string[] {
  const problems: string[] = [];
  if (r.initialDelayMs !== undefined && !isDelay(r.initialDelayMs))
    problems.push(
      `${name("retry.initialDelayMs")} must be a positive number of milliseconds; got ${showNumber(r.initialDelayMs)}`,
    );
  if (r.maxDelayMs !== undefined && !isDelay(r.maxDelayMs))
    problems.push(
      `${name("retry.maxDelayMs")} must be a positive number of milliseconds; got ${showNumber(r.maxDelayMs)}`,
    );
  // Against the defaults: `{ maxDelayMs: 500 }` alone is below the default initial delay.
  const initial = r.initialDelayMs ?? DEFAULT_RETRY.initialDelayMs;
  const max = r.maxDelayMs ?? DEFAULT_RETRY.maxDelayMs;
  if (isDelay(initial) && isDelay(max) && max < initial)
    problems.push(
      `${name("retry.maxDelayMs")} (${max}) must not be below ${name("retry.initialDelayMs")} (${initial})`,
    );
  if (r.factor !== undefined && !(isNumber(r.factor) && r.factor >= 1))
    problems.push(`${name("retry.factor")} must be a number ≥ 1; got ${showNumber(r.factor)}`);
  if (r.jitter !== undefined && !(typeof r.jitter === "number" && r.jitter >= 0 && r.jitter <= 1))
    problems.push(`${name("retry.jitter")} must be a number from 0 to 1; got ${showNumber(r.jitter)}`);
  return problems;
}

function isNumber(v: unknown): v is number {
  return typeof v === "number" && Number.isFinite(v);
}

/** A delay a timer can take: positive, finite, at most {@link MAX_TIMER_MS}. */
function isDelay(v: unknown): boolean {
  return isNumber(v) && v > 0 && v <= MAX_TIMER_MS;
}

/** A number as it is; anything else by its type only (it might be a pasted secret). */
function showNumber(value: unknown): string {
  return typeof value === "number" ? String(value) : typeof value;
}
