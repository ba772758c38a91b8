import { DEFAULT_RETRY, MAX_TIMER_MS, type RetryOptions } from "./backoff.js";
import type { Clock } from "./Clock.js";

// The timing options of a refreshing cache, checked once where they are given (a constructor, a module's
// options) so that every problem is listed at once, each naming the option as the caller spelled it.

/** Entra ID access tokens live 60 to 90 minutes (managed identity tokens up to 24 h): a window must be shorter. */
export const MAX_REFRESH_WINDOW_MS = 60 * 60_000;

/** The options {@link checkRefreshOptions} checks. */
export interface RefreshTimingOptions {
  refreshWindowMs?: number;
  timeoutMs?: number;
  retry?: Partial<RetryOptions>;
  clock?: Clock;
}

/**
 * Every problem with the timing options, one sentence each (empty when they are fine). `prefix` is put
 * before each option's name, e.g. `tokenCache.`.
 */
export function checkRefreshOptions(
  options: Partial<RefreshTimingOptions>,
  { prefix = "" }: { prefix?: string } = {},
): string[] {
  const problems: string[] = [];
  const name = (n: string) => `${prefix}${n}`;
  const w = options.refreshWindowMs;
  if (w !== undefined && !(isNumber(w) && w >= 0 && w < MAX_REFRESH_WINDOW_MS)) {
    problems.push(
      `${name("refreshWindowMs")} must be a number of milliseconds from 0 to below ${MAX_REFRESH_WINDOW_MS} (Entra ID tokens live about an hour; a window as long as that would refresh on every call); got ${showNumber(w)}`,
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
