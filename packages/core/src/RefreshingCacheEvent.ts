import { adaptLogger } from "./adaptLogger.js";
import type { Logger } from "./Logger.js";
import { redactText } from "./redact.js";

// What a RefreshingCache reports and tells about itself, and how it reports it: safe to log, never the value.

export type RefreshingCacheEventType =
  | "refresh-started"
  | "refresh-succeeded"
  | "refresh-failed"
  | "implausible-expiry";

/** An event of a refreshing cache: safe to log, never holds the value. */
export interface RefreshingCacheEvent {
  readonly type: RefreshingCacheEventType;
  /** One sentence for a log line, redacted. */
  readonly message: string;
  readonly credentialName: string;
  /** What is fetched (e.g. a scope), when the cache was given one. */
  readonly subject?: string;
  /** Whether the refresh runs in the background (a valid value is being served meanwhile). */
  readonly background?: boolean;
  /** Whether the refresh renews a value the provider refused (`RefreshingCache.renew`). */
  readonly renewal?: boolean;
  /** 1 for the first attempt after a success, 2 for the first retry, … */
  readonly attempt?: number;
  /** Expiry of the value obtained (ISO 8601), or the implausible value reported. */
  readonly expiresOn?: string;
  /** How long the attempt took. */
  readonly durationMs?: number;
  /** When a failed background refresh is retried. */
  readonly retryInMs?: number;
  /** Why an attempt failed: name, a redacted message, and the `TokenAcquisitionError` reason. */
  readonly error?: { readonly name: string; readonly message: string; readonly reason: string };
}

/** What `RefreshingCache.status()` tells. Never holds the value. */
export interface RefreshingCacheStatus<Facts = never> {
  readonly state: "empty" | "valid" | "expired";
  readonly refreshing: boolean;
  readonly expiresOn?: string;
  readonly refreshAt?: string;
  readonly consecutiveFailures: number;
  /** Message of the last failure since the last success. */
  readonly lastError?: string;
  /** What `factsOf` told about the cached value. */
  readonly facts?: Facts;
}

/**
 * Hands `event` (its message redacted, frozen) to the logger at `level` — by default refresh started: debug;
 * succeeded: info; failures and warnings: warn, as `<prefix>: <message>` — and to `onEvent`. Neither may break the cache:
 * what they throw is ignored.
 */
export function deliverEvent<E extends { readonly type: string; readonly message: string }>(
  event: E,
  prefix: string,
  logger: Logger,
  onEvent: ((event: E) => void) | undefined,
  level?: "debug" | "info" | "warn",
): E {
  const full: E = Object.freeze({ ...event, message: redactText(event.message) });
  const { message, ...details } = full;
  level ??= full.type === "refresh-started" ? "debug" : full.type === "refresh-succeeded" ? "info" : "warn";
  try {
    // Adapted: a pino logger passed straight to a source still gets the details as fields, redacted.
    adaptLogger(logger)[level](`${prefix}: ${message}`, details);
  } catch {
    // ignored: see above
  }
  try {
    onEvent?.(full);
  } catch {
    // ignored: see above
  }
  return full;
}
