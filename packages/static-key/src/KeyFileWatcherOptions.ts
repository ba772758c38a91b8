import type { Clock, Logger } from "@copilot-byok/core/plugin";

/** Default interval between two reads of a key file, in milliseconds. */
export const DEFAULT_KEY_POLL_INTERVAL_MS = 1000;
/** Accepted range of `pollIntervalMs`. */
export const MIN_KEY_POLL_INTERVAL_MS = 10;
export const MAX_KEY_POLL_INTERVAL_MS = 3_600_000;
/**
 * Default time a changed key must stay the same before it is adopted, in milliseconds: a file written in place
 * (truncated, then written) can hold part of a key for a moment, which a read could take for the whole key.
 */
export const DEFAULT_KEY_SETTLE_MS = 100;
/** Largest accepted `settleMs`. */
export const MAX_KEY_SETTLE_MS = 60_000;
/**
 * A read of the key file that has not completed after 3 poll intervals, and at least this long (ms), is
 * reported as stuck (a hung network file system, a device): a local read takes well under a millisecond.
 */
export const MIN_KEY_READ_STUCK_MS = 5_000;

/** Options of {@link KeyFileWatcher}. */
export interface KeyFileWatcherOptions {
  /** The key file; a relative path is resolved against the working directory now. */
  path: string;
  /** How messages name the file. Default `the key file <path>`. */
  label?: string;
  /** Interval between two reads of the file, in ms (10 to 3600000). Default {@link DEFAULT_KEY_POLL_INTERVAL_MS}. */
  pollIntervalMs?: number;
  /** Whether to also watch the file's directory for changes (adopts a new key at once). Default `true`. */
  watch?: boolean;
  /**
   * How long, in ms, a changed key must stay the same (read again after that time) before it is adopted (0 to
   * 60000). Default {@link DEFAULT_KEY_SETTLE_MS}. 0 adopts a changed key at the first read: only for files
   * every writer replaces atomically (write beside, then rename, as Docker and Kubernetes do).
   */
  settleMs?: number;
  /** Receives rotations (info) and problems with the file (warnings). Default: silent. */
  logger?: Logger;
  /** The time and timers of the poll, the settle time and the stuck-read report. Default `systemClock`. */
  clock?: Clock;
  /** The provider is a server on this machine (a loopback base URL): a short key is only a warning. */
  localProvider?: boolean;
}
