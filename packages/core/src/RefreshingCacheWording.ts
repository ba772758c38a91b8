import { DisposedError } from "./DisposedError.js";
import { describeErrorBriefly } from "./describeErrorBriefly.js";
import { maskErrorSecrets, maskSecrets } from "./maskSecrets.js";
import { describeExpiry, type ExpiryJudgement, FALLBACK_LIFETIME_MS, isoTime } from "./plausibleExpiry.js";
import { TokenAcquisitionError, type TokenAcquisitionReason } from "./TokenAcquisitionError.js";

/**
 * The sentences of a refreshing cache's events and errors, in one place so that a cache of any credential
 * speaks the same way: `<name>` is the credential, `<noun>` what it hands out (`token`), `<subject>` what was
 * asked for (a scope; left out when there is none). E.g. `token refresh started for <scope> (<name>, attempt 1)`.
 */
export class RefreshingCacheWording {
  /** ` for <subject>`, or nothing. */
  private readonly forSubject: string;
  /** `a token`, `an API key`: the noun with its article (a vowel letter takes `an`). */
  private readonly aNoun: string;

  constructor(
    readonly name: string,
    readonly subject: string | undefined,
    readonly noun: string,
    /** The values this cache has fetched: masked wherever the credential's own error quotes one. */
    private readonly secrets: () => readonly string[] = () => [],
  ) {
    this.forSubject = subject !== undefined ? ` for ${subject}` : "";
    this.aNoun = `${/^[aeio]/i.test(noun) ? "an" : "a"} ${noun}`;
  }

  started(background: boolean, attempt: number, renewal = false): string {
    const why = renewal ? " because the provider refused the current one" : "";
    return `${background ? "background " : ""}${this.noun} refresh started${this.forSubject}${why} (${this.name}, attempt ${attempt})`;
  }

  succeeded(durationMs: number, expiresOn: number): string {
    return `${this.noun}${this.forSubject} obtained from ${this.name} in ${durationMs} ms, expires ${isoTime(expiresOn)}`;
  }

  /** `stillUntil`: expiry of the value that stays in use; `retryInMs`: when the next attempt runs. */
  failed(attempt: number, reason: string, stillUntil?: number, retryInMs?: number): string {
    const still =
      stillUntil !== undefined ? `; the current ${this.noun} stays in use until ${isoTime(stillUntil)}` : "";
    const retry = retryInMs !== undefined ? `; retry in ${retryInMs} ms` : "";
    return `${this.noun} refresh${this.forSubject} failed (${this.name}, attempt ${attempt}, ${reason})${still}${retry}`;
  }

  /** `expiresOn`: what is used instead; `label`: what the value's own expiry is (`the token's exp claim`). */
  implausibleExpiry(
    reported: unknown,
    { hint, use }: NonNullable<ExpiryJudgement["implausible"]>,
    expiresOn: number | undefined,
    label = `the ${this.noun}'s own expiry`,
  ): string {
    const instead =
      use === "value's own expiry"
        ? `using ${label} (${isoTime(expiresOn as number)})`
        : use === "assumed lifetime"
          ? `assuming a lifetime of ${FALLBACK_LIFETIME_MS / 60_000} minutes`
          : `the ${this.noun} is used once and not cached`;
    return `${this.name} returned ${this.aNoun}${this.forSubject} with an implausible expiry ${describeExpiry(reported)} (${hint}); ${instead}`;
  }

  timeoutError(timeoutMs: number): TokenAcquisitionError {
    return this.error(
      `${this.name} did not return ${this.aNoun}${this.forSubject} within ${timeoutMs} ms: the attempt was abandoned (the next call tries again)`,
      "timeout",
    );
  }

  noValueError(): TokenAcquisitionError {
    return this.error(`${this.name} returned no ${this.noun}${this.forSubject}`, "credential-error");
  }

  expiredError(reported: unknown): TokenAcquisitionError {
    return this.error(
      `${this.name} returned ${this.aNoun}${this.forSubject} that is already expired or about to (expiry ${describeExpiry(reported)})`,
      "implausible-expiry",
    );
  }

  /** The fetch failed with `cause`; `describe` says why (a throwing one falls back to the brief default). */
  fetchError(
    cause: unknown,
    describe: (error: unknown) => string = describeErrorBriefly,
  ): TokenAcquisitionError {
    let why: string;
    try {
      why = describe(cause);
    } catch {
      why = describeErrorBriefly(cause);
    }
    return this.error(
      `${this.name} could not get ${this.aNoun}${this.forSubject}: ${maskSecrets(why, this.secrets())}`,
      "credential-error",
      maskErrorSecrets(cause, this.secrets()),
    );
  }

  abortedError(signal: AbortSignal): TokenAcquisitionError {
    return this.error(
      `waiting for ${this.aNoun}${this.forSubject} was aborted by the caller`,
      "aborted",
      signal.reason,
    );
  }

  disposedError(): DisposedError {
    return new DisposedError(`the ${this.noun} cache of ${this.name}`, `no ${this.noun}${this.forSubject}`);
  }

  private error(message: string, reason: TokenAcquisitionReason, cause?: unknown): TokenAcquisitionError {
    return new TokenAcquisitionError(message, {
      credentialName: this.name,
      ...(this.subject !== undefined ? { scope: this.subject } : {}),
      reason,
      ...(cause !== undefined ? { cause } : {}),
    });
  }
}
