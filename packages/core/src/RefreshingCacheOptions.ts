import type { RetryOptions } from "./backoff.js";
import type { Clock } from "./Clock.js";
import { checkRefreshOptions } from "./checkRefreshOptions.js";
import type { Logger } from "./Logger.js";
import { checkName } from "./optionChecks.js";
import type { RefreshingCacheEvent } from "./RefreshingCacheEvent.js";

/** What a refreshing cache's `fetch` returns: the value and its expiry (ms since the epoch). */
export interface FetchedValue {
  readonly value: string;
  readonly expiresOnTimestamp: number;
  /** When to refresh, if the source of the value says (e.g. `AccessToken.refreshAfterTimestamp`). */
  readonly refreshAfterTimestamp?: number | undefined;
}

/** Options of a `RefreshingCache`. `Facts`: what {@link RefreshingCacheOptions.factsOf} tells of a value. */
export interface RefreshingCacheOptions<Facts = never> {
  /**
   * Gets a new value (`null`: none). `signal` fires when the attempt is abandoned (timeout, dispose). `renewal`:
   * the provider refused the cached value, so pass by any cache of your own (see `RefreshingCache.renew`).
   */
  fetch: (options: { signal: AbortSignal; renewal?: boolean }) => Promise<FetchedValue | null>;
  /** Name of the credential in messages and events. Default `credential`. */
  name?: string;
  /** What is fetched, for messages, e.g. a scope. */
  subject?: string;
  /** What the value is called in messages, e.g. `token`. Default `value`. */
  noun?: string;
  /** Refresh in the background once the value is this close to expiry. Default 5 minutes. */
  refreshWindowMs?: number;
  /** Bound of each attempt. Default 30 000 ms. */
  timeoutMs?: number;
  /** Retries of failed background refreshes while the cached value is valid. */
  retry?: Partial<RetryOptions>;
  /** Default `systemClock`. */
  clock?: Clock;
  /** Random numbers in [0, 1) for the retry jitter. Default `Math.random`. */
  random?: () => number;
  /** Where events are logged (refresh started: debug; succeeded: info; failures and warnings: warn). */
  logger?: Logger;
  /** Called with every event. Exceptions it throws are ignored. */
  onEvent?: (event: RefreshingCacheEvent) => void;
  /** Why `fetch` failed, for messages. Default: a short redacted `name: message`. */
  describeError?: (error: unknown) => string;
  /** The value's own expiry in ms (e.g. a JWT's `exp` × 1000), used when the reported one is implausible. */
  expiryFromValue?: (value: string) => number | undefined;
  /** What `expiryFromValue` reads, for messages, e.g. `the token's exp claim`. Default `the <noun>'s own expiry`. */
  expiryFromValueLabel?: string;
  /** Facts safe to show about a value (e.g. a JWT's claims), computed when it is cached; `status()` shows them. */
  factsOf?: (value: string) => Facts | undefined;
}

/** Every problem with the options of a `RefreshingCache`, one sentence each. */
export function checkRefreshingCacheOptions(options: RefreshingCacheOptions<unknown>): string[] {
  const problems = checkRefreshOptions(options);
  if (typeof options.fetch !== "function")
    problems.unshift(
      "fetch must be a function ({ signal }) => Promise<{ value, expiresOnTimestamp } | null>",
    );
  for (const name of ["name", "subject", "noun"] as const)
    if (options[name] !== undefined) checkName(name, options[name], problems);
  return problems;
}

/** What `factsOf` tells of a value; a throwing `factsOf` tells nothing (facts are for diagnosis only). */
export function factsOf<Facts>(options: RefreshingCacheOptions<Facts>, value: string): Facts | undefined {
  try {
    return options.factsOf?.(value);
  } catch {
    return undefined;
  }
}
