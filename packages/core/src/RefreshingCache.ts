import { attemptWithTimeout, type BoundedAttempt, DEFAULT_TIMEOUT_MS } from "./attemptWithTimeout.js";
import { backoffDelay, type RetryOptions, retryOptionsOf } from "./backoff.js";
import { type Clock, systemClock } from "./Clock.js";
import { ConfigurationError } from "./ConfigurationError.js";
import { type Logger, silentLogger } from "./Logger.js";
import { OneShotTimer } from "./OneShotTimer.js";
import { describeExpiry, isoTime, plausibleExpiry } from "./plausibleExpiry.js";
import {
  deliverEvent,
  type RefreshingCacheEvent,
  type RefreshingCacheStatus,
} from "./RefreshingCacheEvent.js";
import {
  checkRefreshingCacheOptions,
  type FetchedValue,
  factsOf,
  type RefreshingCacheOptions,
} from "./RefreshingCacheOptions.js";
import { RefreshingCacheWording } from "./RefreshingCacheWording.js";
import { countRefresh } from "./refreshTelemetry.js";
import { DEFAULT_REFRESH_WINDOW_MS, EXPIRY_MARGIN_MS, refreshTimeOf } from "./refreshTime.js";
import { withSafeRendering } from "./safeRendering.js";
import type { TokenAcquisitionError } from "./TokenAcquisitionError.js";
import { type SharedOutcome, waitWithSignal } from "./waitWithSignal.js";

// A cache of ONE expiring credential value (a token, a key with a TTL) in front of `fetch`. Its rules:
// - a valid value (more than EXPIRY_MARGIN_MS before its expiry) is answered from memory; with no signal, by
//   the one `Promise.resolve(value)` made when it was cached: the hot path allocates nothing;
// - at most one fetch is in flight, shared by every caller; one caller's abort ends only that caller's wait;
// - once `refreshAfterTimestamp` has passed, or inside the refresh window before expiry (half the remaining
//   life for a value that arrives already inside it), a refresh starts in the background: callers keep
//   getting the cached value; they wait only when no valid value exists;
// - each attempt is bounded by `timeoutMs`; a timed-out attempt is abandoned (its signal fires) and the
//   next call starts a new one;
// - a failed background refresh is retried with exponential backoff and jitter (timers `unref()`ed) while
//   the cached value stays valid;
// - implausible expiries are judged by plausibleExpiry.ts; a value that cannot be cached is handed once to
//   the callers of its attempt (a background refresh counts it as failed and keeps the previous value);
// - errors are TokenAcquisitionError (DisposedError once disposed) and never carry the value; nothing here
//   produces an unhandled rejection, and `get` rejects, never throws;
// - `renew(rejected)` (the provider refused a value) fetches anew, with `renewal: true`, only while `rejected` is
//   the cached value and only once per value: many refusals of one value share one renewal.

interface Cached<Facts> {
  readonly value: string;
  /** `Promise.resolve(value)`, made once: the hot path hands it out. */
  readonly resolved: Promise<string>;
  readonly expiresOn: number;
  /** `expiresOn - EXPIRY_MARGIN_MS`: served before this. */
  readonly validUntil: number;
  readonly refreshAt: number;
  readonly facts: Facts | undefined;
}

type Outcome = SharedOutcome<string>;
interface AttemptInfo {
  readonly background: boolean;
  readonly renewal?: boolean;
  readonly attempt: number;
  readonly durationMs: number;
}

/** A refreshing cache of one expiring credential value: see the rules at the top of this file. */
export class RefreshingCache<Facts = never> {
  /** Name of the credential in messages and events. */
  readonly name: string;
  /** What is fetched (e.g. a scope), when given. */
  readonly subject: string | undefined;
  readonly refreshWindowMs: number;
  readonly timeoutMs: number;
  private readonly options: RefreshingCacheOptions<Facts>;
  private readonly words: RefreshingCacheWording;
  private readonly retry: Readonly<RetryOptions>;
  private readonly clock: Clock;
  private readonly random: () => number;
  private readonly logger: Logger;
  private cached: Cached<Facts> | undefined = undefined;
  private inFlight: Promise<Outcome> | undefined = undefined;
  private attempt: BoundedAttempt<FetchedValue | null> | undefined = undefined;
  private failures = 0;
  /** Background refreshes wait for the backoff to pass. */
  private notBefore = 0;
  private readonly retryTimer: OneShotTimer;
  private lastError: Error | undefined = undefined;
  private disposed = false;
  /** The last values fetched, cached or not: masked wherever an error message quotes one. */
  private readonly seen: string[] = [];
  /** The last values renewed from: each is renewed once. */
  private readonly renewedFrom: string[] = [];
  private renewing: Promise<Outcome> | undefined = undefined;

  /** @throws ConfigurationError listing every problem with the options. */
  constructor(options: RefreshingCacheOptions<Facts>) {
    const problems = checkRefreshingCacheOptions(options);
    if (problems.length > 0) throw new ConfigurationError(problems);
    this.options = options;
    this.name = options.name?.trim() || "credential";
    this.subject = options.subject;
    const noun = options.noun?.trim() || "value";
    this.words = new RefreshingCacheWording(this.name, this.subject, noun, () => this.seen);
    this.refreshWindowMs = options.refreshWindowMs ?? DEFAULT_REFRESH_WINDOW_MS;
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.retry = retryOptionsOf(options.retry);
    this.clock = options.clock ?? systemClock;
    this.retryTimer = new OneShotTimer(this.clock);
    this.random = options.random ?? Math.random;
    this.logger = options.logger ?? silentLogger;
    withSafeRendering(this, () => this.describe());
  }

  /**
   * A valid value: from memory when there is one (starting a background refresh when due), otherwise from
   * the shared refresh. `signal` abandons this caller's wait only.
   *
   * @throws TokenAcquisitionError when no valid value can be had (`reason`: `credential-error`, `timeout`,
   *   `aborted` (this caller's signal), `implausible-expiry`); DisposedError once disposed.
   */
  get(options?: { signal?: AbortSignal | undefined }): Promise<string> {
    // Hot path: not async, no allocation. Anything unexpected (a throwing injected clock) takes the slow
    // path, which rejects.
    if (options?.signal === undefined && !this.disposed) {
      try {
        const cached = this.fromMemory(this.clock.now());
        if (cached !== undefined) return cached.resolved;
      } catch {
        // the slow path reports it
      }
    }
    return this.getSlow(options?.signal);
  }

  /**
   * The provider refused `rejected`. When it is the cached value (or none is cached) and was not renewed from
   * before: forgets it and fetches a new value now, `fetch` told `renewal: true` (to pass its own caches by),
   * shared by every caller. Otherwise: the current value, as `get` answers it. May answer `rejected` itself
   * when the credential hands back the same value.
   *
   * @throws TokenAcquisitionError as `get` does; DisposedError once disposed.
   */
  renew(rejected: string, options?: { signal?: AbortSignal | undefined }): Promise<string> {
    const signal = options?.signal;
    if (this.disposed) return Promise.reject(this.words.disposedError());
    if (signal?.aborted) return Promise.reject(this.words.abortedError(signal));
    if (!this.renewing) {
      const cached = this.cached;
      if (this.renewedFrom.includes(rejected) || (cached !== undefined && cached.value !== rejected))
        return this.get(options);
      if (this.renewedFrom.unshift(rejected) > 4) this.renewedFrom.pop();
      if (cached?.value === rejected) this.cached = undefined;
      // A refresh in flight may bring a value other than the rejected one: it is the renewal then.
      const before = this.inFlight ?? Promise.resolve<Outcome | undefined>(undefined);
      this.renewing = before
        .then((outcome) => (outcome?.ok && outcome.value !== rejected ? outcome : this.refresh(false, true)))
        .finally(() => {
          this.renewing = undefined;
        });
    }
    const release = this.attempt?.keepAlive();
    const waiting = waitWithSignal(this.renewing, signal, (s) => this.words.abortedError(s));
    return release ? waiting.finally(release) : waiting;
  }

  /** What is known, without the value. */
  status(): RefreshingCacheStatus<Facts> {
    const cached = this.cached;
    return {
      state: !cached ? "empty" : this.clock.now() < cached.validUntil ? "valid" : "expired",
      refreshing: this.inFlight !== undefined,
      ...(cached ? { expiresOn: isoTime(cached.expiresOn), refreshAt: isoTime(cached.refreshAt) } : {}),
      consecutiveFailures: this.failures,
      ...(this.lastError ? { lastError: this.lastError.message } : {}),
      ...(cached?.facts !== undefined ? { facts: cached.facts } : {}),
    };
  }

  /** A description safe to log: name, settings and status (without the facts). */
  describe(): Record<string, unknown> {
    const { facts: _facts, ...status } = this.status();
    return {
      name: this.name,
      ...(this.subject !== undefined ? { subject: this.subject } : {}),
      refreshWindowMs: this.refreshWindowMs,
      timeoutMs: this.timeoutMs,
      disposed: this.disposed,
      ...status,
    };
  }

  /** Stops background work (retry timer, attempt in flight), forgets the value; waiting callers get a DisposedError. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.retryTimer.clear();
    this.attempt?.abort(this.words.disposedError());
    this.cached = undefined;
  }

  private async getSlow(signal: AbortSignal | undefined): Promise<string> {
    if (this.disposed) throw this.words.disposedError();
    if (signal?.aborted) throw this.words.abortedError(signal);
    const cached = this.fromMemory(this.clock.now());
    if (cached !== undefined) return cached.value;
    const flight = this.inFlight ?? this.refresh(false);
    // A caller waits: the attempt's timeout must be able to answer it (until the caller gives up).
    const release = this.attempt?.keepAlive();
    const waiting = waitWithSignal(flight, signal, (s) => this.words.abortedError(s));
    return release ? waiting.finally(release) : waiting;
  }

  /** The cached value while valid at `now`, starting a background refresh when one is due. */
  private fromMemory(now: number): Cached<Facts> | undefined {
    const cached = this.cached;
    if (cached === undefined || now >= cached.validUntil) return undefined;
    if (now >= cached.refreshAt && now >= this.notBefore && this.inFlight === undefined) this.refresh(true);
    return cached;
  }

  /** Starts the shared attempt. The returned promise never rejects. */
  private refresh(background: boolean, renewal = false): Promise<Outcome> {
    this.retryTimer.clear();
    const attempt = this.failures + 1;
    const started = this.clock.now();
    const fetch = this.options.fetch;
    this.attempt = attemptWithTimeout(
      (signal) => (renewal ? fetch({ signal, renewal }) : fetch({ signal })),
      {
        timeoutMs: this.timeoutMs,
        clock: this.clock,
        timeoutError: () => this.words.timeoutError(this.timeoutMs),
      },
    );
    const flight = this.attempt.result.then((outcome): Outcome => {
      this.inFlight = undefined;
      this.attempt = undefined;
      const info = {
        background,
        attempt,
        durationMs: Math.max(0, this.clock.now() - started),
        ...(renewal ? { renewal } : {}),
      };
      try {
        if (this.disposed) return { ok: false, error: this.words.disposedError() };
        if (outcome.ok) return this.settle(outcome.value, info);
        // A timeout's error is ours already (an abort comes only from dispose, handled above).
        if (outcome.ending !== "failed") return this.fail(outcome.error as TokenAcquisitionError, info);
        return this.fail(this.words.fetchError(outcome.error, this.options.describeError), info);
      } catch (error) {
        // A bug here must reach the callers as an error, never as an unhandled rejection.
        return { ok: false, error: this.words.fetchError(error, this.options.describeError) };
      }
    });
    this.inFlight = flight;
    // After the flight is set: a listener that asks for the value joins it instead of starting another.
    this.emit({
      type: "refresh-started",
      message: this.words.started(background, attempt, renewal),
      background,
      attempt,
      ...(renewal ? { renewal } : {}),
    });
    return flight;
  }

  /** Caches what an attempt brought (when it can be cached) and tells its callers what they get. */
  private settle(fetched: FetchedValue | null, info: AttemptInfo): Outcome {
    if (!fetched || typeof fetched.value !== "string" || fetched.value === "")
      return this.fail(this.words.noValueError(), info);
    if (this.seen.unshift(fetched.value) > 4) this.seen.pop();
    const now = this.clock.now();
    const expiresOn = this.judgeExpiry(fetched, now);
    if (expiresOn === undefined || expiresOn - now <= EXPIRY_MARGIN_MS) {
      const error = this.words.expiredError(fetched.expiresOnTimestamp);
      if (info.background) return this.fail(error, info);
      this.lastError = error;
      return { ok: true, value: fetched.value };
    }
    this.cached = {
      value: fetched.value,
      resolved: Promise.resolve(fetched.value),
      expiresOn,
      validUntil: expiresOn - EXPIRY_MARGIN_MS,
      refreshAt: refreshTimeOf(expiresOn, fetched.refreshAfterTimestamp, this.refreshWindowMs, now),
      facts: factsOf(this.options, fetched.value),
    };
    this.failures = 0;
    this.notBefore = 0;
    this.lastError = undefined;
    const message = this.words.succeeded(info.durationMs, expiresOn);
    this.emit({ type: "refresh-succeeded", message, ...info, expiresOn: isoTime(expiresOn) });
    return { ok: true, value: fetched.value };
  }

  private fail(error: TokenAcquisitionError, info: AttemptInfo): Outcome {
    this.failures += 1;
    this.lastError = error;
    const now = this.clock.now();
    const cached = this.cached;
    const valid = cached !== undefined && now < cached.validUntil;
    let retryInMs: number | undefined;
    if (valid) {
      const backoff = backoffDelay(this.failures, this.retry, this.random);
      retryInMs = Math.max(0, Math.min(backoff, cached.validUntil - now - 1));
      this.notBefore = now + retryInMs;
      this.retryTimer.schedule(retryInMs, () => this.retryInBackground());
    }
    this.emit({
      type: "refresh-failed",
      message: this.words.failed(info.attempt, error.reason, valid ? cached.expiresOn : undefined, retryInMs),
      ...info,
      ...(retryInMs !== undefined ? { retryInMs } : {}),
      error: { name: error.name, message: error.message, reason: error.reason },
    });
    return { ok: false, error };
  }

  /** The expiry to use (`undefined`: not cacheable), after reporting an implausible one. */
  private judgeExpiry(fetched: FetchedValue, now: number): number | undefined {
    const read = this.options.expiryFromValue;
    const reported = fetched.expiresOnTimestamp;
    const { expiresOn, implausible } = plausibleExpiry(reported, now, () => read?.(fetched.value));
    if (!implausible) return expiresOn;
    const label = this.options.expiryFromValueLabel;
    const message = this.words.implausibleExpiry(reported, implausible, expiresOn, label);
    this.emit({ type: "implausible-expiry", message, expiresOn: describeExpiry(reported) });
    return expiresOn;
  }

  private retryInBackground(): void {
    if (this.disposed || this.inFlight) return;
    const cached = this.cached;
    // Nothing valid left to protect: the next caller waits for a value instead.
    if (cached !== undefined && this.clock.now() < cached.validUntil) this.refresh(true);
  }

  private emit(event: Omit<RefreshingCacheEvent, "credentialName" | "subject">): void {
    if (event.type === "refresh-succeeded" || event.type === "refresh-failed")
      countRefresh(
        this.name,
        event.type === "refresh-succeeded" ? "succeeded" : "failed",
        event.background === true,
        event.renewal === true,
      );
    const by = {
      credentialName: this.name,
      ...(this.subject !== undefined ? { subject: this.subject } : {}),
    };
    deliverEvent(
      { ...event, ...by },
      `copilot-byok ${this.words.noun} cache`,
      this.logger,
      this.options.onEvent,
    );
  }
}
