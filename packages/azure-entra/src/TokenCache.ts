import type { AccessToken, TokenCredential } from "@azure/core-auth";
import {
  ConfigurationError,
  type Logger,
  redactText,
  silentLogger,
  TokenAcquisitionError,
  withSafeRendering,
} from "@copilot-byok/core";
import { audienceMatchesScope, resourceOfScope } from "./audienceMatchesScope.js";
import { type Clock, systemClock } from "./Clock.js";
import { describeCredentialError } from "./describeCredentialError.js";
import { type JwtClaims, readJwtClaims } from "./readJwtClaims.js";

/** Retries of a failed background refresh while the cached token is still valid. */
export interface TokenCacheRetryOptions {
  /** Delay before the first retry. Default 1 000 ms. */
  initialDelayMs: number;
  /** Longest delay between retries. Default 60 000 ms. */
  maxDelayMs: number;
  /** Growth of the delay per failed attempt. Default 2. */
  factor: number;
  /** Random spread of each delay, 0 to 1: a delay `d` becomes `d × (1 ± jitter)`. Default 0.2. */
  jitter: number;
}

/** What a {@link TokenCache} reports. Never holds a token. */
export type TokenCacheEventType =
  | "refresh-started"
  | "refresh-succeeded"
  | "refresh-failed"
  | "implausible-expiry"
  | "audience-mismatch";

/** An event of a {@link TokenCache}: safe to log, never holds a token. */
export interface TokenCacheEvent {
  readonly type: TokenCacheEventType;
  /** One sentence for a log line. */
  readonly message: string;
  readonly scope: string;
  readonly credentialName: string;
  /** Whether the refresh runs in the background (a valid token is being served meanwhile). */
  readonly background?: boolean;
  /** 1 for the first attempt after a success, 2 for the first retry, … */
  readonly attempt?: number;
  /** Expiry of the token obtained (ISO 8601), or the implausible value reported. */
  readonly expiresOn?: string;
  /** How long the attempt took. */
  readonly durationMs?: number;
  /** When a failed background refresh is retried. */
  readonly retryInMs?: number;
  /** Why an attempt failed: name, a redacted message, and the `TokenAcquisitionError` reason. */
  readonly error?: { readonly name: string; readonly message: string; readonly reason: string };
  /** `audience-mismatch`: the audience the scope asks for and the one the token carries. */
  readonly expectedAudience?: string;
  readonly audience?: string;
}

/** Options of a {@link TokenCache}. */
export interface TokenCacheOptions {
  /** Where tokens come from: any `@azure/core-auth` `TokenCredential`. */
  credential: TokenCredential;
  /** Name used in errors, events and logs. Default: the credential's class name. */
  credentialName?: string;
  /** Refresh in the background once a token is this close to expiry. Default 5 minutes. */
  refreshWindowMs?: number;
  /** Bound of each `getToken` attempt. Default 30 000 ms. */
  timeoutMs?: number;
  /** Retries of failed background refreshes (see {@link TokenCacheRetryOptions}). */
  retry?: Partial<TokenCacheRetryOptions>;
  /** Time source. Default {@link systemClock}. */
  clock?: Clock;
  /** Random numbers in [0, 1) for the retry jitter. Default `Math.random`. */
  random?: () => number;
  /** Where events are logged (refresh started: debug; succeeded: info; failures and warnings: warn). */
  logger?: Logger;
  /** Called with every event. Exceptions it throws are ignored. */
  onEvent?: (event: TokenCacheEvent) => void;
}

/** Options of {@link TokenCache.getToken}. */
export interface TokenCacheGetTokenOptions {
  /** Abandons this caller's wait; a refresh other callers share keeps running. */
  signal?: AbortSignal;
}

/** What {@link TokenCache.status} tells about one scope. Never holds the token. */
export interface TokenCacheStatus {
  readonly scope: string;
  readonly state: "empty" | "valid" | "expired";
  readonly refreshing: boolean;
  readonly expiresOn?: string;
  readonly refreshAt?: string;
  readonly consecutiveFailures: number;
  readonly lastError?: string;
  /** Diagnostic claims of the cached token (audience, tenant, identity, expiry), when it is a JWT. */
  readonly claims?: Pick<JwtClaims, "aud" | "tid" | "oid" | "appid" | "azp" | "xms_mirid" | "exp">;
}

export const DEFAULT_REFRESH_WINDOW_MS = 300_000;
export const DEFAULT_TOKEN_TIMEOUT_MS = 30_000;
export const DEFAULT_RETRY: Readonly<TokenCacheRetryOptions> = Object.freeze({
  initialDelayMs: 1_000,
  maxDelayMs: 60_000,
  factor: 2,
  jitter: 0.2,
});
/** Entra ID access tokens live 60 to 90 minutes (managed identity tokens up to 24 h): a window must be shorter. */
export const MAX_REFRESH_WINDOW_MS = 60 * 60_000;
/** A token is served only while it has at least this much time left, for the request to reach the provider. */
export const EXPIRY_MARGIN_MS = 5_000;
/** An expiry further ahead than this is taken for milliseconds counted as seconds. */
export const MAX_PLAUSIBLE_LIFETIME_MS = 10 * 365 * 24 * 60 * 60_000;
/** Lifetime assumed for a token whose expiry is implausibly far ahead and that carries no readable `exp`. */
export const FALLBACK_LIFETIME_MS = 60 * 60_000;
const MAX_TIMER_MS = 2_147_483_647;

interface CachedToken {
  readonly token: string;
  /** `Promise.resolve(token)`, made once: the hot path hands it out without allocating. */
  readonly resolved: Promise<string>;
  readonly expiresOn: number;
  readonly refreshAt: number;
  readonly claims: JwtClaims | undefined;
}

type Outcome =
  | { readonly ok: true; readonly token: string }
  | { readonly ok: false; readonly error: TokenAcquisitionError };

interface ScopeState {
  cached: CachedToken | undefined;
  inFlight: Promise<Outcome> | undefined;
  abortAttempt: (() => void) | undefined;
  failures: number;
  /** Background refreshes wait for the backoff to pass. */
  notBefore: number;
  retryTimer: unknown;
  lastError: TokenAcquisitionError | undefined;
}

/**
 * A cache of bearer tokens in front of any `TokenCredential`, keyed by scope:
 * - answers from memory while the token is valid;
 * - refreshes in the background once the token's `refreshAfterTimestamp` has passed or it is inside the
 *   refresh window before expiry (default 5 minutes): callers keep getting the cached token meanwhile;
 * - callers wait only when no valid token exists; at most one `getToken` is in flight per scope, shared by
 *   every caller, and one caller's abort ends only that caller's wait;
 * - each attempt is bounded by a timeout (default 30 s); a timed-out attempt is abandoned (its abort signal
 *   fires) and the next call starts a new one;
 * - a failed background refresh is retried with exponential backoff and jitter (timers `unref()`ed) while
 *   the cached token stays valid; when no valid token can be had, callers get a {@link TokenAcquisitionError}
 *   naming the credential and why (cause kept), never the token;
 * - nothing it does produces an unhandled rejection.
 *
 * Implausible expiries are reported (`implausible-expiry` event) and handled so: an expiry already past (or
 * not a number) — e.g. seconds where milliseconds belong — takes the token's own `exp` claim when it is a JWT
 * with a plausible one; otherwise the token is handed to the callers of that attempt once and not cached (a
 * background refresh counts it as failed and keeps the previous token). An expiry more than 10 years ahead
 * (milliseconds counted as seconds) takes the `exp` claim likewise, else an assumed lifetime of 1 hour.
 * A token whose audience does not match the scope is reported (`audience-mismatch`) and still served.
 */
export class TokenCache {
  readonly credentialName: string;
  private readonly credential: TokenCredential;
  /** Refresh in the background this long before expiry. */
  readonly refreshWindowMs: number;
  /** Bound of each `getToken` attempt. */
  readonly timeoutMs: number;
  private readonly retry: Readonly<TokenCacheRetryOptions>;
  private readonly clock: Clock;
  private readonly random: () => number;
  private readonly logger: Logger;
  private readonly onEvent: ((event: TokenCacheEvent) => void) | undefined;
  private readonly states = new Map<string, ScopeState>();
  private disposed = false;

  /** @throws ConfigurationError listing every problem with the options. */
  constructor(options: TokenCacheOptions) {
    const problems = checkTokenCacheOptions(options);
    if (problems.length > 0) throw new ConfigurationError(problems);
    this.credential = options.credential;
    this.credentialName = options.credentialName?.trim() || credentialNameOf(options.credential);
    this.refreshWindowMs = options.refreshWindowMs ?? DEFAULT_REFRESH_WINDOW_MS;
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TOKEN_TIMEOUT_MS;
    this.retry = Object.freeze({ ...DEFAULT_RETRY, ...definedOnly(options.retry ?? {}) });
    this.clock = options.clock ?? systemClock;
    this.random = options.random ?? Math.random;
    this.logger = options.logger ?? silentLogger;
    this.onEvent = options.onEvent;
    withSafeRendering(this, () => this.describe());
  }

  /**
   * A valid token for `scope`: from memory when there is one (starting a background refresh when due),
   * otherwise from the shared refresh.
   *
   * @throws TokenAcquisitionError when no valid token can be had (`reason`: `credential-error`, `timeout`,
   *   `aborted` (this caller's signal), `disposed`, `implausible-expiry`).
   */
  getToken(scope: string, options?: TokenCacheGetTokenOptions): Promise<string> {
    // Hot path (the runtime asks before every model request): a valid cached token, no signal to honour,
    // answered with the promise made when the token was cached — no allocation, no async frame.
    // Anything unexpected (an injected clock that throws) takes the slow path, which rejects, never throws.
    if (options?.signal === undefined && !this.disposed) {
      try {
        const state = this.states.get(scope);
        const cached = state?.cached && this.fromMemory(scope, state, this.clock.now());
        if (cached) return cached.resolved;
      } catch {
        // fall through
      }
    }
    return this.getTokenSlow(scope, options ?? {});
  }

  private async getTokenSlow(scope: string, options: TokenCacheGetTokenOptions): Promise<string> {
    if (this.disposed) throw this.disposedError(scope);
    const { signal } = options;
    if (signal?.aborted) throw this.abortedError(scope, signal);
    const state = this.stateFor(scope);
    const cached = this.fromMemory(scope, state, this.clock.now());
    if (cached) return cached.token;
    const flight = state.inFlight ?? this.refresh(scope, state, false);
    return this.wait(scope, flight, signal);
  }

  /** The cached token of `scope` while it is valid at `now`, starting a background refresh when one is due. */
  private fromMemory(scope: string, state: ScopeState, now: number): CachedToken | undefined {
    const cached = state.cached;
    if (!cached || !isValid(cached, now)) return undefined;
    if (now >= cached.refreshAt && now >= state.notBefore && !state.inFlight)
      this.refresh(scope, state, true);
    return cached;
  }

  /** What is known about `scope`, without the token. */
  status(scope: string): TokenCacheStatus {
    const state = this.states.get(scope);
    const now = this.clock.now();
    const cached = state?.cached;
    const claims = cached?.claims;
    return {
      scope,
      state: !cached ? "empty" : isValid(cached, now) ? "valid" : "expired",
      refreshing: state?.inFlight !== undefined,
      ...(cached ? { expiresOn: iso(cached.expiresOn), refreshAt: iso(cached.refreshAt) } : {}),
      consecutiveFailures: state?.failures ?? 0,
      ...(state?.lastError ? { lastError: state.lastError.message } : {}),
      ...(claims
        ? {
            claims: pick(claims, ["aud", "tid", "oid", "appid", "azp", "xms_mirid", "exp"]),
          }
        : {}),
    };
  }

  /** A description safe to log: credential, settings and per-scope status. */
  describe(): Record<string, unknown> {
    return {
      credential: this.credentialName,
      refreshWindowMs: this.refreshWindowMs,
      timeoutMs: this.timeoutMs,
      disposed: this.disposed,
      scopes: [...this.states.keys()].map((scope) => {
        const { claims: _claims, ...rest } = this.status(scope);
        return rest;
      }),
    };
  }

  /** Stops background work (timers, in-flight attempts), forgets every token; waiting callers get a `disposed` error. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const state of this.states.values()) {
      this.clearRetry(state);
      state.abortAttempt?.();
      state.cached = undefined;
    }
  }

  private stateFor(scope: string): ScopeState {
    let state = this.states.get(scope);
    if (!state) {
      state = {
        cached: undefined,
        inFlight: undefined,
        abortAttempt: undefined,
        failures: 0,
        notBefore: 0,
        retryTimer: undefined,
        lastError: undefined,
      };
      this.states.set(scope, state);
    }
    return state;
  }

  /** Starts the shared attempt for `scope`. The returned promise never rejects. */
  private refresh(scope: string, state: ScopeState, background: boolean): Promise<Outcome> {
    this.clearRetry(state);
    const attempt = state.failures + 1;
    const started = this.clock.now();
    this.emit({
      type: "refresh-started",
      message: `${background ? "background " : ""}token refresh started for ${scope} (${this.credentialName}, attempt ${attempt})`,
      scope,
      background,
      attempt,
    });

    const flight = this.attempt(scope, state).then((result) => {
      state.inFlight = undefined;
      state.abortAttempt = undefined;
      const durationMs = Math.max(0, this.clock.now() - started);
      try {
        return this.settle(scope, state, result, { background, attempt, durationMs });
      } catch (error) {
        // Defensive: a bug here must reach the callers as an error, never as an unhandled rejection.
        return { ok: false as const, error: this.credentialError(scope, error) };
      }
    });
    state.inFlight = flight;
    return flight;
  }

  /** One bounded call of the credential: resolves with the token or an error, never rejects. */
  private attempt(
    scope: string,
    state: ScopeState,
  ): Promise<{ ok: true; token: AccessToken } | { ok: false; error: TokenAcquisitionError }> {
    return new Promise((resolve) => {
      const controller = new AbortController();
      let done = false;
      const finish = (
        result: { ok: true; token: AccessToken } | { ok: false; error: TokenAcquisitionError },
      ) => {
        if (done) return;
        done = true;
        this.clock.clearTimeout(timer);
        resolve(result);
      };
      const timer = this.clock.setTimeout(() => {
        const error = new TokenAcquisitionError(
          `${this.credentialName} did not return a token for ${scope} within ${this.timeoutMs} ms: the attempt was abandoned (the next call tries again)`,
          { credentialName: this.credentialName, scope, reason: "timeout" },
        );
        controller.abort(error);
        finish({ ok: false, error });
      }, this.timeoutMs);
      unref(timer);
      state.abortAttempt = () => {
        const error = this.disposedError(scope);
        controller.abort(error);
        finish({ ok: false, error });
      };

      let call: Promise<AccessToken | null>;
      try {
        call = Promise.resolve(
          this.credential.getToken(scope, {
            abortSignal: controller.signal,
            requestOptions: { timeout: this.timeoutMs },
          }),
        );
      } catch (error) {
        call = Promise.reject(error);
      }
      call.then(
        (token) => {
          if (done) return;
          if (!token || typeof token.token !== "string" || token.token === "") {
            finish({
              ok: false,
              error: new TokenAcquisitionError(`${this.credentialName} returned no token for ${scope}`, {
                credentialName: this.credentialName,
                scope,
                reason: "credential-error",
              }),
            });
            return;
          }
          finish({ ok: true, token });
        },
        (error: unknown) => {
          if (done) return;
          finish({ ok: false, error: this.credentialError(scope, error) });
        },
      );
    });
  }

  /** Applies an attempt's result to the cache and tells the waiting callers what they get. */
  private settle(
    scope: string,
    state: ScopeState,
    result: { ok: true; token: AccessToken } | { ok: false; error: TokenAcquisitionError },
    info: { background: boolean; attempt: number; durationMs: number },
  ): Outcome {
    if (this.disposed) {
      return { ok: false, error: this.disposedError(scope) };
    }
    if (!result.ok) return this.fail(scope, state, result.error, info);

    const now = this.clock.now();
    const { token } = result;
    const claims = readJwtClaims(token.token);
    const expiresOn = this.plausibleExpiry(scope, token.expiresOnTimestamp, claims, now);

    if (claims?.aud !== undefined && !audienceMatchesScope(claims.aud, scope)) {
      const audience = typeof claims.aud === "string" ? claims.aud : claims.aud.join(", ");
      const expectedAudience = resourceOfScope(scope);
      this.emit({
        type: "audience-mismatch",
        message: `the token from ${this.credentialName} is for audience ${audience}, not ${expectedAudience} as scope ${scope} asks: the provider will likely answer 401 (check the scope, COPILOT_PROVIDER_TOKEN_SCOPE, and the credential)`,
        scope,
        audience,
        expectedAudience,
      });
    }

    if (expiresOn === undefined || expiresOn - now <= EXPIRY_MARGIN_MS) {
      // Not cacheable as valid: hand it to this attempt's callers once.
      const error = new TokenAcquisitionError(
        `${this.credentialName} returned a token for ${scope} that is already expired or about to (expiry ${describeExpiry(token.expiresOnTimestamp)})`,
        { credentialName: this.credentialName, scope, reason: "implausible-expiry" },
      );
      if (info.background) return this.fail(scope, state, error, info);
      state.lastError = error;
      return { ok: true, token: token.token };
    }

    state.cached = {
      token: token.token,
      resolved: Promise.resolve(token.token),
      expiresOn,
      refreshAt: this.refreshTimeOf(token, expiresOn, now),
      claims,
    };
    state.failures = 0;
    state.notBefore = 0;
    state.lastError = undefined;
    this.emit({
      type: "refresh-succeeded",
      message: `token for ${scope} obtained from ${this.credentialName} in ${info.durationMs} ms, expires ${iso(expiresOn)}`,
      scope,
      background: info.background,
      attempt: info.attempt,
      expiresOn: iso(expiresOn),
      durationMs: info.durationMs,
    });
    return { ok: true, token: token.token };
  }

  private fail(
    scope: string,
    state: ScopeState,
    error: TokenAcquisitionError,
    info: { background: boolean; attempt: number; durationMs: number },
  ): Outcome {
    state.failures += 1;
    state.lastError = error;
    const now = this.clock.now();
    const cached = state.cached;
    let retryInMs: number | undefined;
    if (cached && isValid(cached, now)) {
      const untilInvalid = cached.expiresOn - EXPIRY_MARGIN_MS - now;
      retryInMs = Math.max(0, Math.min(this.backoff(state.failures), untilInvalid - 1));
      state.notBefore = now + retryInMs;
      this.scheduleRetry(scope, state, retryInMs);
    }
    const still =
      cached && isValid(cached, now) ? `; the current token stays in use until ${iso(cached.expiresOn)}` : "";
    this.emit({
      type: "refresh-failed",
      message: `token refresh for ${scope} failed (${this.credentialName}, attempt ${info.attempt}, ${error.reason})${still}${retryInMs !== undefined ? `; retry in ${retryInMs} ms` : ""}`,
      scope,
      background: info.background,
      attempt: info.attempt,
      durationMs: info.durationMs,
      ...(retryInMs !== undefined ? { retryInMs } : {}),
      error: { name: error.name, message: error.message, reason: error.reason },
    });
    return { ok: false, error };
  }

  private scheduleRetry(scope: string, state: ScopeState, delayMs: number): void {
    this.clearRetry(state);
    const timer = this.clock.setTimeout(
      () => {
        if (state.retryTimer !== timer) return;
        state.retryTimer = undefined;
        if (this.disposed || state.inFlight) return;
        const cached = state.cached;
        if (!cached || !isValid(cached, this.clock.now())) return; // the next caller will wait for a token
        this.refresh(scope, state, true);
      },
      Math.min(delayMs, MAX_TIMER_MS),
    );
    unref(timer);
    state.retryTimer = timer;
  }

  private clearRetry(state: ScopeState): void {
    if (state.retryTimer !== undefined) {
      this.clock.clearTimeout(state.retryTimer);
      state.retryTimer = undefined;
    }
  }

  /** Exponential backoff with jitter: `initial × factor^(failures-1)`, capped, spread by ± jitter. */
  private backoff(failures: number): number {
    const { initialDelayMs, maxDelayMs, factor, jitter } = this.retry;
    const base = Math.min(maxDelayMs, initialDelayMs * factor ** Math.max(0, failures - 1));
    const r = Math.min(1, Math.max(0, this.random()));
    const spread = base * jitter * (2 * r - 1);
    return Math.round(Math.min(maxDelayMs, Math.max(0, base + spread)));
  }

  /** When to refresh: the earlier of `refreshAfterTimestamp` and the refresh window; half-life for short tokens. */
  private refreshTimeOf(token: AccessToken, expiresOn: number, now: number): number {
    let refreshAt = expiresOn - this.refreshWindowMs;
    const after = token.refreshAfterTimestamp;
    if (typeof after === "number" && Number.isFinite(after) && after < refreshAt) refreshAt = after;
    // A token that arrives already inside the window (short-lived, or a credential handing back its own
    // cached token): refresh at half its remaining life rather than on every call.
    if (refreshAt <= now) refreshAt = now + (expiresOn - EXPIRY_MARGIN_MS - now) / 2;
    return refreshAt;
  }

  /** The expiry to use, after reporting an implausible one. `undefined`: not cacheable. */
  private plausibleExpiry(
    scope: string,
    expiresOnTimestamp: unknown,
    claims: JwtClaims | undefined,
    now: number,
  ): number | undefined {
    const plausible = (t: unknown): t is number =>
      typeof t === "number" && Number.isFinite(t) && t > now && t <= now + MAX_PLAUSIBLE_LIFETIME_MS;
    if (plausible(expiresOnTimestamp)) return expiresOnTimestamp;

    const fromClaim = claims?.exp !== undefined ? claims.exp * 1000 : undefined;
    const tooFar =
      typeof expiresOnTimestamp === "number" && expiresOnTimestamp > now + MAX_PLAUSIBLE_LIFETIME_MS;
    const hint = tooFar
      ? "more than 10 years ahead: milliseconds counted as seconds?"
      : typeof expiresOnTimestamp === "number" && Number.isFinite(expiresOnTimestamp)
        ? looksLikeSeconds(expiresOnTimestamp, now)
          ? "already past: seconds where milliseconds belong?"
          : "already past: is the clock of this machine right?"
        : "not a number";
    let use: number | undefined;
    let action: string;
    if (plausible(fromClaim)) {
      use = fromClaim;
      action = `using the token's exp claim (${iso(fromClaim)})`;
    } else if (tooFar) {
      use = now + FALLBACK_LIFETIME_MS;
      action = `assuming a lifetime of ${FALLBACK_LIFETIME_MS / 60_000} minutes`;
    } else {
      use = undefined;
      action = "the token is used once and not cached";
    }
    this.emit({
      type: "implausible-expiry",
      message: `${this.credentialName} returned a token for ${scope} with an implausible expiry ${describeExpiry(expiresOnTimestamp)} (${hint}); ${action}`,
      scope,
      expiresOn: describeExpiry(expiresOnTimestamp),
    });
    return use;
  }

  private wait(scope: string, flight: Promise<Outcome>, signal: AbortSignal | undefined): Promise<string> {
    if (!signal) return flight.then(unwrap);
    return new Promise<string>((resolve, reject) => {
      const onAbort = () => reject(this.abortedError(scope, signal));
      signal.addEventListener("abort", onAbort, { once: true });
      flight.then((outcome) => {
        signal.removeEventListener("abort", onAbort);
        if (outcome.ok) resolve(outcome.token);
        else reject(outcome.error);
      });
    });
  }

  private credentialError(scope: string, error: unknown): TokenAcquisitionError {
    return new TokenAcquisitionError(
      `${this.credentialName} could not get a token for ${scope}: ${describeCredentialError(error)}${hintFor(error)}`,
      { credentialName: this.credentialName, scope, reason: "credential-error", cause: error },
    );
  }

  private abortedError(scope: string, signal: AbortSignal): TokenAcquisitionError {
    return new TokenAcquisitionError(`waiting for a token for ${scope} was aborted by the caller`, {
      credentialName: this.credentialName,
      scope,
      reason: "aborted",
      cause: signal.reason,
    });
  }

  private disposedError(scope: string): TokenAcquisitionError {
    return new TokenAcquisitionError(
      `the token cache of ${this.credentialName} was disposed: no token for ${scope} (create a new source or cache)`,
      { credentialName: this.credentialName, scope, reason: "disposed" },
    );
  }

  private emit(event: Omit<TokenCacheEvent, "credentialName">): void {
    const full: TokenCacheEvent = Object.freeze({
      ...event,
      message: redactText(event.message),
      credentialName: this.credentialName,
    });
    const { message, ...details } = full;
    try {
      const level =
        full.type === "refresh-started" ? "debug" : full.type === "refresh-succeeded" ? "info" : "warn";
      this.logger[level](`copilot-byok token cache: ${message}`, details);
    } catch {
      // A failing logger must not break token acquisition.
    }
    try {
      this.onEvent?.(full);
    } catch {
      // Likewise a failing listener.
    }
  }
}

/** Every problem with {@link TokenCacheOptions}, one sentence each (empty when they are fine). */
export function checkTokenCacheOptions(
  options: Partial<TokenCacheOptions>,
  { requireCredential = true, prefix = "" }: { requireCredential?: boolean; prefix?: string } = {},
): string[] {
  const problems: string[] = [];
  const name = (n: string) => `${prefix}${n}`;
  if (requireCredential || options.credential !== undefined) {
    const c = options.credential as unknown;
    if (typeof c !== "object" || c === null || typeof (c as TokenCredential).getToken !== "function")
      problems.push(
        `${name("credential")} must be a TokenCredential (an object with getToken(scopes, options))`,
      );
  }
  const w = options.refreshWindowMs;
  if (
    w !== undefined &&
    !(typeof w === "number" && Number.isFinite(w) && w >= 0 && w < MAX_REFRESH_WINDOW_MS)
  ) {
    problems.push(
      `${name("refreshWindowMs")} must be a number of milliseconds from 0 to below ${MAX_REFRESH_WINDOW_MS} (Entra ID tokens live about an hour; a window as long as that would refresh on every call); got ${showNumber(w)}`,
    );
  }
  const t = options.timeoutMs;
  if (t !== undefined && !(typeof t === "number" && Number.isFinite(t) && t > 0 && t <= MAX_TIMER_MS)) {
    problems.push(`${name("timeoutMs")} must be a positive number of milliseconds; got ${showNumber(t)}`);
  }
  const r = options.retry;
  if (r !== undefined) {
    if (typeof r !== "object" || r === null) {
      problems.push(`${name("retry")} must be an object { initialDelayMs, maxDelayMs, factor, jitter }`);
    } else {
      const positive = (v: unknown) =>
        typeof v === "number" && Number.isFinite(v) && v > 0 && v <= MAX_TIMER_MS;
      if (r.initialDelayMs !== undefined && !positive(r.initialDelayMs))
        problems.push(
          `${name("retry.initialDelayMs")} must be a positive number of milliseconds; got ${showNumber(r.initialDelayMs)}`,
        );
      if (r.maxDelayMs !== undefined && !positive(r.maxDelayMs))
        problems.push(
          `${name("retry.maxDelayMs")} must be a positive number of milliseconds; got ${showNumber(r.maxDelayMs)}`,
        );
      const initial = r.initialDelayMs ?? DEFAULT_RETRY.initialDelayMs;
      const max = r.maxDelayMs ?? DEFAULT_RETRY.maxDelayMs;
      if (positive(initial) && positive(max) && max < initial)
        problems.push(
          `${name("retry.maxDelayMs")} (${max}) must not be below ${name("retry.initialDelayMs")} (${initial})`,
        );
      if (
        r.factor !== undefined &&
        !(typeof r.factor === "number" && Number.isFinite(r.factor) && r.factor >= 1)
      )
        problems.push(`${name("retry.factor")} must be a number ≥ 1; got ${showNumber(r.factor)}`);
      if (r.jitter !== undefined && !(typeof r.jitter === "number" && r.jitter >= 0 && r.jitter <= 1))
        problems.push(`${name("retry.jitter")} must be a number from 0 to 1; got ${showNumber(r.jitter)}`);
    }
  }
  const clock = options.clock as unknown;
  if (
    clock !== undefined &&
    (typeof clock !== "object" ||
      clock === null ||
      typeof (clock as Clock).now !== "function" ||
      typeof (clock as Clock).setTimeout !== "function" ||
      typeof (clock as Clock).clearTimeout !== "function")
  ) {
    problems.push(`${name("clock")} must have now(), setTimeout(callback, ms) and clearTimeout(handle)`);
  }
  return problems;
}

/** The name of a credential for messages: its class name, or `TokenCredential`. */
export function credentialNameOf(credential: unknown): string {
  const explicit = (credential as { credentialName?: unknown } | null)?.credentialName;
  if (typeof explicit === "string" && explicit.trim()) return explicit.trim();
  const name = (credential as { constructor?: { name?: unknown } } | null)?.constructor?.name;
  return typeof name === "string" && name !== "" && name !== "Object" ? name : "TokenCredential";
}

/** Whether a past timestamp would be a sensible time if it counted seconds (a day back to 10 years ahead). */
function looksLikeSeconds(value: number, now: number): boolean {
  const asMs = value * 1000;
  return asMs > now - 24 * 60 * 60_000 && asMs <= now + MAX_PLAUSIBLE_LIFETIME_MS;
}

function isValid(cached: CachedToken, now: number): boolean {
  return now < cached.expiresOn - EXPIRY_MARGIN_MS;
}

function unwrap(outcome: Outcome): string {
  if (outcome.ok) return outcome.token;
  throw outcome.error;
}

function unref(handle: unknown): void {
  const h = handle as { unref?: () => void } | null;
  if (h && typeof h.unref === "function") h.unref();
}

function iso(ms: number): string {
  const d = new Date(ms);
  return Number.isNaN(d.getTime()) ? String(ms) : d.toISOString();
}

function describeExpiry(value: unknown): string {
  if (typeof value !== "number" || !Number.isFinite(value)) return String(value);
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? String(value) : `${value} (${d.toISOString()})`;
}

function showNumber(value: unknown): string {
  return typeof value === "number" ? String(value) : typeof value;
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function pick<T extends object, K extends keyof T>(value: T, keys: readonly K[]): Pick<T, K> {
  const out: Partial<T> = {};
  for (const key of keys) if (value[key] !== undefined) out[key] = value[key];
  return out as Pick<T, K>;
}

/** A hint for the commonest failure: no credential of `DefaultAzureCredential`'s chain is available. */
function hintFor(error: unknown): string {
  const e = error as { name?: unknown; errors?: unknown } | null;
  const inner = Array.isArray(e?.errors) ? (e?.errors as { name?: unknown; message?: unknown }[]) : undefined;
  if (e?.name !== "AggregateAuthenticationError" || !inner) return "";
  if (
    inner.some(
      (i) =>
        typeof i?.message === "string" &&
        i.message.startsWith("ManagedIdentityCredential: Authentication failed"),
    )
  ) {
    return "\nThe managed identity endpoint answered but gave no token: check that a managed identity is assigned to this app and, for a user-assigned one, that AZURE_CLIENT_ID is its client id.";
  }
  if (inner.every((i) => i?.name === "CredentialUnavailableError")) {
    return "\nNo credential of the chain is available: on Azure, enable a managed identity for this app (and set AZURE_CLIENT_ID for a user-assigned one); on a developer machine, sign in with `az login` or `azd auth login`.";
  }
  return "";
}
