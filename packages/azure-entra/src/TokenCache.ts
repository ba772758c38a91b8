import type { AccessToken, TokenCredential } from "@azure/core-auth";
import {
  ConfigurationError,
  checkRefreshOptions,
  DEFAULT_REFRESH_WINDOW_MS,
  DEFAULT_RETRY,
  DEFAULT_TIMEOUT_MS,
  deliverEvent,
  type FetchedValue,
  type Logger,
  RefreshingCache,
  type RefreshingCacheEvent,
  type RefreshingCacheOptions,
  type RefreshingCacheStatus,
  type RetryOptions,
  showScope,
  silentLogger,
  systemClock,
  withSafeRendering,
} from "@copilot-byok/core/plugin";
import { audienceMatchesScope, resourceOfScope } from "./audienceMatchesScope.js";
import { describeCredentialError } from "./describeCredentialError.js";
import { getTokenForRenewal } from "./getTokenForRenewal.js";
import { type JwtClaims, readJwtClaims } from "./readJwtClaims.js";
import { isCredentialChain, type RenewalPlan, renewalPlanFor } from "./renewalPlanFor.js";
import { watchAnsweringCredential } from "./watchAnsweringCredential.js";

// The Azure part of token caching: one core RefreshingCache per scope in front of a `TokenCredential`
// (single flight, background refresh, timeouts, backoff, plausibility: see core's RefreshingCache.ts), plus
// what only a token of Entra ID has: the JWT audience check, the JWT `exp` as the fallback expiry, the
// claims in `status()`, the hints for `DefaultAzureCredential`'s chain in error messages, and the renewal of a
// refused token past MSAL's cache where the credential allows it (renewalPlanFor.ts).

export { DEFAULT_REFRESH_WINDOW_MS, DEFAULT_RETRY };
/** Entra ID access tokens live 60 to 90 minutes (managed identity tokens up to 24 h): a window must be shorter. */
export const MAX_REFRESH_WINDOW_MS = 60 * 60_000;
const ENTRA_WINDOW_LIMIT = {
  belowMs: MAX_REFRESH_WINDOW_MS,
  because: "Entra ID tokens live about an hour; a window as long as that would refresh on every call",
};
export const DEFAULT_TOKEN_TIMEOUT_MS = DEFAULT_TIMEOUT_MS;

/** Retries of a failed background refresh while the cached token is still valid (core's `RetryOptions`). */
export type TokenCacheRetryOptions = RetryOptions;

/** What a {@link TokenCache} reports. Never holds a token. */
export type TokenCacheEventType = RefreshingCacheEvent["type"] | "audience-mismatch";

/** An event of a {@link TokenCache}: safe to log, never holds a token. */
export interface TokenCacheEvent extends Omit<RefreshingCacheEvent, "type" | "subject"> {
  readonly type: TokenCacheEventType;
  readonly scope: string;
  /** `audience-mismatch`: the audience the scope asks for and the one the token carries. */
  readonly expectedAudience?: string;
  readonly audience?: string;
}

/**
 * Options of a {@link TokenCache}: where tokens come from, and the options of the core `RefreshingCache` that
 * keeps each scope's token (refresh window, timeout, retry, clock, random, logger).
 */
export interface TokenCacheOptions
  extends Pick<
    RefreshingCacheOptions,
    "refreshWindowMs" | "timeoutMs" | "retry" | "clock" | "random" | "logger"
  > {
  /** Where tokens come from: any `@azure/core-auth` `TokenCredential`. */
  credential: TokenCredential;
  /** Name used in errors, events and logs. Default: the credential's class name. */
  credentialName?: string;
  /** Called with every event. Exceptions it throws are ignored. */
  onEvent?: (event: TokenCacheEvent) => void;
}

/** Options of {@link TokenCache.getToken}. */
export interface TokenCacheGetTokenOptions {
  /** Abandons this caller's wait; a refresh other callers share keeps running. */
  signal?: AbortSignal;
}

/** Diagnostic claims of a cached token. */
export type TokenClaims = Pick<JwtClaims, "aud" | "tid" | "oid" | "appid" | "azp" | "xms_mirid" | "exp">;
const CLAIMS_SHOWN = ["aud", "tid", "oid", "appid", "azp", "xms_mirid", "exp"] as const;

/** What {@link TokenCache.status} tells about one scope: its cache's status, with the token's claims. Never the token. */
export interface TokenCacheStatus extends Omit<RefreshingCacheStatus, "facts"> {
  readonly scope: string;
  /** Diagnostic claims of the cached token (audience, tenant, identity, expiry), when it is a JWT. */
  readonly claims?: TokenClaims;
  /** For `DefaultAzureCredential` or a `ChainedTokenCredential`: the credential of the chain that gave the last token. */
  readonly answeredBy?: string;
}

/**
 * A cache of bearer tokens in front of any `TokenCredential`, keyed by scope: per scope a core
 * `RefreshingCache` (answers from memory, one shared refresh, background refresh before expiry, bounded
 * attempts, backoff, plausible expiries; errors are `TokenAcquisitionError`, or `DisposedError` once disposed).
 * An implausible expiry falls back to the token's own `exp` claim when it is a JWT. A token whose audience
 * does not match the scope is reported (`audience-mismatch`) and still served: the provider decides. A token the
 * provider refused is renewed with {@link TokenCache.renewToken}.
 */
export class TokenCache {
  readonly credentialName: string;
  /** Refresh in the background this long before expiry. */
  readonly refreshWindowMs: number;
  /** Bound of each `getToken` attempt. */
  readonly timeoutMs: number;
  private readonly options: TokenCacheOptions;
  private readonly logger: Logger;
  private readonly caches = new Map<string, RefreshingCache<TokenClaims>>();
  /** The credential's class name: what decides how a refused token is renewed. */
  private readonly credentialClass: string;
  /** Per scope, the credential of the chain that gave the last token (chains only). */
  private readonly answeredBy = new Map<string, string>();
  private disposed = false;

  /** @throws ConfigurationError listing every problem with the options. */
  constructor(options: TokenCacheOptions) {
    const problems = checkTokenCacheOptions(options);
    if (problems.length > 0) throw new ConfigurationError(problems);
    this.options = options;
    this.credentialClass = credentialNameOf(options.credential);
    this.credentialName = options.credentialName?.trim() || this.credentialClass;
    this.refreshWindowMs = options.refreshWindowMs ?? DEFAULT_REFRESH_WINDOW_MS;
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TOKEN_TIMEOUT_MS;
    this.logger = options.logger ?? silentLogger;
    withSafeRendering(this, () => this.describe());
  }

  /**
   * A valid token for `scope`: from memory when there is one (starting a background refresh when due),
   * otherwise from the shared refresh.
   *
   * @throws TokenAcquisitionError when no valid token can be had (`reason`: `credential-error`, `timeout`,
   *   `aborted` (this caller's signal), `implausible-expiry`); DisposedError once disposed.
   */
  getToken(scope: string, options?: TokenCacheGetTokenOptions): Promise<string> {
    // Hot path: one lookup, then the cache's own hot path (its stored promise, no async frame here).
    const cache = this.caches.get(scope);
    return cache !== undefined ? cache.get(options) : this.firstGetToken(scope, options);
  }

  /**
   * The provider refused `rejected`, a token for `scope`. When it is the cached token (or none is cached) and was
   * not renewed from before: a new one, asked for past the credential's cache where it allows it (see
   * {@link TokenCache.renewalPlan}), shared by every caller; otherwise the current token, as `getToken` answers
   * it. May answer `rejected` itself: a credential that cannot be asked past its cache hands it back.
   *
   * @throws TokenAcquisitionError as `getToken` does; DisposedError once disposed.
   */
  renewToken(scope: string, rejected: string, options?: TokenCacheGetTokenOptions): Promise<string> {
    const cache = this.caches.get(scope) ?? this.keptCacheFor(scope, options);
    return cache.renew(rejected, options);
  }

  /** What renewing a refused token for `scope` does with the credential (and, for a chain, the one that answered). */
  renewalPlan(scope: string): RenewalPlan {
    return renewalPlanFor(this.credentialClass, this.answeredBy.get(scope));
  }

  /** What is known about `scope`, without the token. */
  status(scope: string): TokenCacheStatus {
    const status = this.caches.get(scope)?.status();
    const shown = showScope(scope);
    const answeredBy = this.answeredBy.get(scope);
    const by = answeredBy !== undefined ? { answeredBy } : {};
    if (!status) return { scope: shown, state: "empty", refreshing: false, consecutiveFailures: 0, ...by };
    const { facts, ...rest } = status;
    return { scope: shown, ...rest, ...(facts ? { claims: facts } : {}), ...by };
  }

  /** A description safe to log: credential, settings and per-scope status. */
  describe(): Record<string, unknown> {
    return {
      credential: this.credentialName,
      refreshWindowMs: this.refreshWindowMs,
      timeoutMs: this.timeoutMs,
      disposed: this.disposed,
      scopes: [...this.caches.keys()].map((scope) => {
        const { claims: _claims, ...rest } = this.status(scope);
        return rest;
      }),
    };
  }

  /** Stops background work (timers, in-flight attempts), forgets every token; waiting callers get a DisposedError. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const cache of this.caches.values()) cache.dispose();
  }

  private firstGetToken(scope: string, options: TokenCacheGetTokenOptions | undefined): Promise<string> {
    return this.keptCacheFor(scope, options).get(options);
  }

  /** A new cache for `scope`, kept unless disposed or `options.signal` aborted (its call rejects then). */
  private keptCacheFor(
    scope: string,
    options: TokenCacheGetTokenOptions | undefined,
  ): RefreshingCache<TokenClaims> {
    const cache = this.cacheFor(scope);
    // Disposed, or an aborted signal: the rejection of a cache that is not kept (no entry for the scope).
    if (this.disposed) cache.dispose();
    else if (!options?.signal?.aborted) this.caches.set(scope, cache);
    return cache;
  }

  private cacheFor(scope: string): RefreshingCache<TokenClaims> {
    const { credential, retry, clock, random } = this.options;
    return new RefreshingCache<TokenClaims>({
      fetch: ({ signal, renewal }) => this.fetchToken(credential, scope, signal, renewal === true),
      name: this.credentialName,
      subject: showScope(scope),
      noun: "token",
      refreshWindowMs: this.refreshWindowMs,
      timeoutMs: this.timeoutMs,
      retry,
      clock,
      random,
      onEvent: ({ subject: _subject, ...event }) => this.emit({ ...event, scope: showScope(scope) }),
      describeError: (error) => `${describeCredentialError(error)}${hintFor(error)}`,
      expiryFromValue: (token) => {
        const exp = readJwtClaims(token)?.exp;
        return exp !== undefined ? exp * 1000 : undefined;
      },
      expiryFromValueLabel: "the token's exp claim",
      factsOf: (token) => {
        const claims = readJwtClaims(token);
        return claims ? pick(claims, CLAIMS_SHOWN) : undefined;
      },
    });
  }

  /**
   * The credential behind the cache's `fetch` (`renewal`: past its cache where it allows it), and the audience
   * check of what it returns. For a chain, learns which of its credentials answered.
   */
  private async fetchToken(
    credential: TokenCredential,
    scope: string,
    signal: AbortSignal,
    renewal: boolean,
  ): Promise<FetchedValue | null> {
    const options = { abortSignal: signal, requestOptions: { timeout: this.timeoutMs } };
    const watch = isCredentialChain(this.credentialClass)
      ? await watchAnsweringCredential({ scope })
      : undefined;
    // An abandoned attempt may never settle (a hanging managed-identity endpoint): the watch ends with it.
    const stopWatch = () => watch?.stop();
    if (watch) signal.addEventListener("abort", stopWatch, { once: true });
    let token: AccessToken | null;
    try {
      if (!renewal) token = await credential.getToken(scope, options);
      else {
        const { method } = this.renewalPlan(scope);
        const now = (this.options.clock ?? systemClock).now();
        token = await getTokenForRenewal(credential, scope, options, method, now);
      }
    } finally {
      signal.removeEventListener("abort", stopWatch);
      const answered = watch?.stop();
      if (answered !== undefined && !signal.aborted) this.answeredBy.set(scope, answered);
    }
    if (!token) return null;
    // An abandoned attempt's late answer is dropped by the cache: nothing to report about it.
    if (!signal.aborted && typeof token.token === "string") this.checkAudience(scope, token.token);
    const { token: value, expiresOnTimestamp, refreshAfterTimestamp } = token;
    return { value, expiresOnTimestamp, refreshAfterTimestamp };
  }

  private checkAudience(scope: string, token: string): void {
    const aud = readJwtClaims(token)?.aud;
    if (aud === undefined || audienceMatchesScope(aud, scope)) return;
    const audience = typeof aud === "string" ? aud : aud.join(", ");
    const expectedAudience = resourceOfScope(scope);
    this.emit({
      type: "audience-mismatch",
      message: `the token from ${this.credentialName} is for audience ${audience}, not ${showScope(expectedAudience)} as scope ${showScope(scope)} asks: the provider will likely answer 401 (check the scope, COPILOT_PROVIDER_TOKEN_SCOPE, and the credential)`,
      scope: showScope(scope),
      audience,
      expectedAudience: showScope(expectedAudience),
    });
  }

  private emit(event: Omit<TokenCacheEvent, "credentialName">): void {
    const full = { ...event, credentialName: this.credentialName } as TokenCacheEvent;
    deliverEvent(full, "copilot-byok token cache", this.logger, this.options.onEvent);
  }
}

/** Every problem with {@link TokenCacheOptions}, one sentence each (empty when they are fine). */
export function checkTokenCacheOptions(
  options: Partial<TokenCacheOptions>,
  { requireCredential = true, prefix = "" }: { requireCredential?: boolean; prefix?: string } = {},
): string[] {
  const problems: string[] = [];
  if (requireCredential || options.credential !== undefined) {
    const c = options.credential as unknown;
    if (typeof c !== "object" || c === null || typeof (c as TokenCredential).getToken !== "function")
      problems.push(
        `${prefix}credential must be a TokenCredential (an object with getToken(scopes, options))`,
      );
  }
  problems.push(...checkRefreshOptions(options, { prefix, windowLimit: ENTRA_WINDOW_LIMIT }));
  return problems;
}

/** The name of a credential for messages: its class name, or `TokenCredential`. */
export function credentialNameOf(credential: unknown): string {
  const explicit = (credential as { credentialName?: unknown } | null)?.credentialName;
  if (typeof explicit === "string" && explicit.trim()) return explicit.trim();
  const name = (credential as { constructor?: { name?: unknown } } | null)?.constructor?.name;
  return typeof name === "string" && name !== "" && name !== "Object" ? name : "TokenCredential";
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
