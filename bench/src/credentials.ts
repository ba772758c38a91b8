import type { AccessToken, GetTokenOptions, TokenCredential } from "@azure/core-auth";

/** The scope every benchmark asks for (the library's default). */
export const SCOPE = "https://cognitiveservices.azure.com/.default";
/** A provider endpoint for sources built in-process (never contacted). */
export const BASE_URL = "https://bench.openai.azure.com/openai/v1/";

/** Options of {@link CountingCredential}. */
export interface CountingCredentialOptions {
  /** Current time in ms (the fake clock's, or `Date.now`). */
  readonly now: () => number;
  /** How long each `getToken` takes; 0 answers at once (a resolved promise). */
  readonly latencyMs: number;
  /** Schedules the answer after `latencyMs` (the fake clock's `setTimeout`, or the real one). */
  readonly setTimeout?: (callback: () => void, ms: number) => unknown;
  /** Lifetime of each token. */
  readonly lifetimeMs: number;
}

/**
 * An in-memory `TokenCredential` that counts its calls (the "upstream" requests) and issues numbered tokens
 * (`bench-token-<n>`), so that a caller's answer tells which upstream call produced it and whether that call
 * ended after the caller started waiting.
 */
export class CountingCredential implements TokenCredential {
  /** `getToken` calls (upstream requests), finished or not. */
  calls = 0;
  /** Calls in flight. */
  inFlight = 0;
  /** Tokens handed out, i.e. finished calls; the `n` of the latest `bench-token-<n>`. */
  issued = 0;
  /** Expiry of the latest token handed out (0: none yet). */
  latestExpiresOn = 0;
  /** Every call's start time. */
  readonly callTimes: number[] = [];
  readonly #options: CountingCredentialOptions;

  constructor(options: CountingCredentialOptions) {
    this.#options = options;
  }

  getToken(_scopes: string | string[], _options?: GetTokenOptions): Promise<AccessToken | null> {
    this.calls += 1;
    this.inFlight += 1;
    this.callTimes.push(this.#options.now());
    const { latencyMs, setTimeout: schedule } = this.#options;
    // Even an instant answer arrives a microtask later, as from any async credential: the token exists
    // from the moment the promise settles, not while the caller that triggered the call is still running.
    if (latencyMs <= 0) return Promise.resolve().then(() => this.#issue());
    if (!schedule) throw new Error("CountingCredential: latencyMs > 0 needs setTimeout");
    return new Promise((resolve) => {
      schedule(() => resolve(this.#issue()), latencyMs);
    });
  }

  /** Whether a token handed out earlier is still unexpired at `now`. */
  hasValidToken(now: number): boolean {
    return this.latestExpiresOn > now;
  }

  #issue(): AccessToken {
    this.inFlight -= 1;
    this.issued += 1;
    const expiresOnTimestamp = this.#options.now() + this.#options.lifetimeMs;
    this.latestExpiresOn = expiresOnTimestamp;
    return { token: `bench-token-${this.issued}`, expiresOnTimestamp };
  }
}

/** The number `n` of a `bench-token-<n>`, 0 for anything else. */
export function tokenNumber(token: unknown): number {
  if (typeof token !== "string" || !token.startsWith("bench-token-")) return 0;
  return Number(token.slice("bench-token-".length));
}

/** A credential that answers at once with one far-future token: the hot path never refreshes. */
export function staticTokenCredential(token = "bench-token-hot"): TokenCredential & { calls: number } {
  const credential = {
    calls: 0,
    getToken(): Promise<AccessToken> {
      credential.calls += 1;
      // A week ahead: far beyond any refresh window, well within the cache's plausibility bound.
      return Promise.resolve({ token, expiresOnTimestamp: Date.now() + 7 * 24 * 3_600_000 });
    },
  };
  return credential;
}
