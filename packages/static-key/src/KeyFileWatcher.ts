import { type FSWatcher, watch } from "node:fs";
import { dirname, resolve } from "node:path";
import {
  type Clock,
  ConfigurationError,
  DisposedError,
  type Logger,
  silentLogger,
  systemClock,
  withSafeRendering,
} from "@copilot-byok/core/plugin";
import { checkApiKey } from "./checkApiKey.js";
import { readKeyFile, readKeyFileSync } from "./readKeyFile.js";
import { showKeyFilePath } from "./showKeyFilePath.js";

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

/** A key file now holds a different valid key, which was adopted. Safe to log: fingerprints only. */
export interface KeyRotation {
  /** The key file, as shown in messages. */
  readonly path: string;
  readonly previousFingerprint: string;
  readonly fingerprint: string;
  /** When the new key was adopted. */
  readonly at: Date;
  /** Rotations seen so far, this one included. */
  readonly rotations: number;
}

/** What {@link KeyFileWatcher.describe} returns: safe to log. */
export interface KeyFileWatcherDescription {
  /** The key file as shown in messages. */
  readonly keyFile: string;
  readonly fingerprint: string;
  readonly pollIntervalMs: number;
  /** Whether the directory watch is active (otherwise polling only). */
  readonly watching: boolean;
  readonly rotations: number;
  /** ISO time of the last rotation. */
  readonly lastRotatedAt?: string;
  /** What is wrong with the file now, while the last good key is kept. */
  readonly keyFileProblem?: string;
  readonly disposed?: true;
}

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

/** At most one pending callback on a clock, `unref()`ed where the handle has it (never keeps a process alive). */
class ClockTimer {
  #handle: unknown;

  constructor(private readonly clock: Clock) {}

  get pending(): boolean {
    return this.#handle !== undefined;
  }

  /** Replaces the pending callback, if any. */
  schedule(ms: number, callback: () => void): void {
    this.clear();
    const handle = this.clock.setTimeout(() => {
      if (this.#handle !== handle) return; // cleared or replaced meanwhile
      this.#handle = undefined;
      callback();
    }, ms);
    (handle as { unref?: () => void } | null)?.unref?.();
    this.#handle = handle;
  }

  clear(): void {
    if (this.#handle === undefined) return;
    this.clock.clearTimeout(this.#handle);
    this.#handle = undefined;
  }
}

/** A changed key seen by a read, adopted once it has stayed the same for the settle time. */
interface Candidate {
  readonly key: string;
  readonly fingerprint: string;
  readonly warnings: readonly string[];
  /** When it was first seen (clock time). */
  readonly since: number;
}

/**
 * Holds the key of a key file as Docker and Kubernetes mount them, and keeps it current.
 *
 * - Only a regular file (a symlink to one is fine) is read: a FIFO, a socket, a device or a directory is a
 *   problem, and no read ever waits on one (see `readKeyFile`).
 * - The file is read whole, trailing line breaks removed, and checked ({@link checkApiKey}); a content
 *   that fails the check is never adopted, so a reader never sees an empty or partial key.
 * - It is re-read when its directory changes (`fs.watch` on the directory: Kubernetes replaces the
 *   `..data` symlink atomically, which a watch on the file itself misses) and every `pollIntervalMs`;
 *   the contents are compared, and a different valid key is read again after `settleMs` and adopted when it
 *   is still the same (a file written in place never hands out the part written so far, unless the writer
 *   pauses longer than that), then reported as a {@link KeyRotation}.
 * - While the file is missing, empty, unreadable, invalid or not a regular file, the last good key is kept and
 *   a warning (path and fingerprint, never the key) is logged once per problem; `describe().keyFileProblem`
 *   says the same. So is a read that has not completed after 3 poll intervals (at least
 *   {@link MIN_KEY_READ_STUCK_MS}): no other read starts until it does.
 * - The first read happens in the constructor: a missing or invalid file is a `ConfigurationError` at once.
 * - Neither the watch nor the timers keep the process alive; `dispose()` stops them.
 */
export class KeyFileWatcher {
  /** The key file, absolute. */
  readonly path: string;
  /** How messages name the file. */
  readonly label: string;
  readonly #localProvider: boolean;
  readonly pollIntervalMs: number;
  /** How long a changed key must stay the same before it is adopted, in ms. */
  readonly settleMs: number;

  readonly #logger: Logger;
  readonly #clock: Clock;
  readonly #given: string;
  readonly #watchDirectory: boolean;
  readonly #listeners = new Set<(rotation: KeyRotation) => void>();
  #key: string;
  #fingerprint: string;
  #rotations = 0;
  #lastRotatedAt: Date | undefined;
  #problem: string | undefined;
  #watcher: FSWatcher | undefined;
  #watchFailureLogged = false;
  readonly #pollTimer: ClockTimer;
  readonly #confirmTimer: ClockTimer;
  readonly #stuckTimer: ClockTimer;
  #candidate: Candidate | undefined;
  #checking: Promise<void> | undefined;
  #checkAgain = false;
  #disposed = false;

  /** @throws ConfigurationError listing every problem: bad options, a missing, unreadable or invalid file. */
  constructor(options: KeyFileWatcherOptions) {
    const problems: string[] = [];
    const interval = options.pollIntervalMs ?? DEFAULT_KEY_POLL_INTERVAL_MS;
    if (
      typeof interval !== "number" ||
      !Number.isFinite(interval) ||
      interval < MIN_KEY_POLL_INTERVAL_MS ||
      interval > MAX_KEY_POLL_INTERVAL_MS
    ) {
      problems.push(
        `pollIntervalMs must be a number of milliseconds from ${MIN_KEY_POLL_INTERVAL_MS} to ${MAX_KEY_POLL_INTERVAL_MS} (got ${String(interval).slice(0, 20)})`,
      );
    }
    const settle = options.settleMs ?? DEFAULT_KEY_SETTLE_MS;
    if (typeof settle !== "number" || !Number.isFinite(settle) || settle < 0 || settle > MAX_KEY_SETTLE_MS) {
      problems.push(
        `settleMs must be a number of milliseconds from 0 to ${MAX_KEY_SETTLE_MS} (got ${String(settle).slice(0, 20)})`,
      );
    }
    if (typeof options.path !== "string" || options.path.trim() === "") {
      throw new ConfigurationError([...problems, "the key file path is empty: give the path of the file"]);
    }
    this.#given = options.path;
    this.path = resolve(options.path);
    this.label = options.label ?? `the key file ${this.shownPath}`;
    this.#localProvider = options.localProvider === true;
    this.pollIntervalMs = Math.round(interval);
    this.settleMs = Math.round(settle);
    this.#logger = options.logger ?? silentLogger;
    this.#clock = options.clock ?? systemClock;
    this.#pollTimer = new ClockTimer(this.#clock);
    this.#confirmTimer = new ClockTimer(this.#clock);
    this.#stuckTimer = new ClockTimer(this.#clock);
    this.#watchDirectory = options.watch ?? true;

    const reading = readKeyFileSync(this.path, this.label);
    let key = "";
    let keyFingerprint = "";
    if ("problem" in reading) {
      problems.push(reading.problem);
    } else {
      const check = checkApiKey(reading.content, this.label, { localProvider: this.#localProvider });
      problems.push(...check.problems);
      for (const warning of check.warnings) this.#logger.warn(warning, { keyFile: this.shownPath });
      key = check.key;
      keyFingerprint = check.fingerprint;
    }
    if (problems.length > 0) throw new ConfigurationError(problems);
    this.#key = key;
    this.#fingerprint = keyFingerprint;
    withSafeRendering(this, () => this.describe());

    this.#startWatch();
    this.#schedulePoll();
  }

  /** The current key. */
  get key(): string {
    if (this.#disposed) throw new DisposedError("KeyFileWatcher", "it no longer serves keys");
    return this.#key;
  }

  /** The current key's fingerprint. */
  get fingerprint(): string {
    return this.#fingerprint;
  }

  /** Rotations adopted so far. */
  get rotations(): number {
    return this.#rotations;
  }

  get lastRotatedAt(): Date | undefined {
    return this.#lastRotatedAt;
  }

  /** What is wrong with the file now, while the last good key is kept; `undefined` when it is fine. */
  get problem(): string | undefined {
    return this.#problem;
  }

  get disposed(): boolean {
    return this.#disposed;
  }

  /** The file as shown in messages (not at all when the path, as given, looks like a key). */
  get shownPath(): string {
    return showKeyFilePath(this.#given, this.path);
  }

  /** Calls `listener` on every rotation. Returns a function that stops it. */
  onRotation(listener: (rotation: KeyRotation) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /**
   * Reads the file now; a different valid key is adopted once it has stayed the same for `settleMs` (a read
   * after that time confirms it). Concurrent calls share one read (one more follows when a change is
   * signalled during a read). Never rejects.
   */
  check(): Promise<void> {
    if (this.#disposed) return Promise.resolve();
    if (this.#checking) {
      this.#checkAgain = true;
      return this.#checking;
    }
    const run = async () => {
      do {
        this.#checkAgain = false;
        await this.#checkOnce();
      } while (this.#checkAgain && !this.#disposed);
    };
    this.#checking = run().finally(() => {
      this.#checking = undefined;
    });
    return this.#checking;
  }

  /** A description safe to log: path, fingerprint, rotations, the current problem. */
  describe(): KeyFileWatcherDescription {
    return {
      keyFile: this.shownPath,
      fingerprint: this.#fingerprint,
      pollIntervalMs: this.pollIntervalMs,
      watching: this.#watcher !== undefined,
      rotations: this.#rotations,
      ...(this.#lastRotatedAt ? { lastRotatedAt: this.#lastRotatedAt.toISOString() } : {}),
      ...(this.#problem ? { keyFileProblem: this.#problem } : {}),
      ...(this.#disposed ? { disposed: true } : {}),
    };
  }

  /** Stops the directory watch and the timers. Idempotent. */
  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    this.#pollTimer.clear();
    this.#stuckTimer.clear();
    this.#dropCandidate();
    this.#watcher?.close();
    this.#watcher = undefined;
    this.#listeners.clear();
  }

  async #checkOnce(): Promise<void> {
    this.#armStuckReport();
    try {
      const reading = await readKeyFile(this.path, this.label);
      this.#stuckTimer.clear();
      if (this.#disposed) return;
      if ("problem" in reading) return this.#keepLastGood(reading.problem);
      const check = checkApiKey(reading.content, this.label, { localProvider: this.#localProvider });
      if (check.problems.length > 0) return this.#keepLastGood(check.problems.join("; "));
      if (check.key === this.#key) return this.#recovered();
      this.#changed({
        key: check.key,
        fingerprint: check.fingerprint,
        warnings: check.warnings,
        since: this.#clock.now(),
      });
    } catch (error) {
      // Reading never throws by design; a listener or logger might.
      this.#stuckTimer.clear();
      this.#logger.error("checking the key file failed", { keyFile: this.shownPath, error });
    }
  }

  /**
   * A read found a valid key other than the current one: adopted when an earlier read found the same one at
   * least `settleMs` ago; otherwise remembered, and the file read again when that time is up.
   */
  #changed(seen: Candidate): void {
    const earlier = this.#candidate;
    // The same key as before, unless the clock went back (then it settles anew).
    const candidate = earlier?.key === seen.key && seen.since >= earlier.since ? earlier : seen;
    const waited = seen.since - candidate.since;
    if (waited >= this.settleMs) {
      this.#dropCandidate();
      for (const warning of candidate.warnings) this.#logger.warn(warning, { keyFile: this.shownPath });
      this.#adopt(candidate.key, candidate.fingerprint);
      return;
    }
    if (candidate !== earlier) this.#dropCandidate();
    this.#candidate = candidate;
    if (!this.#confirmTimer.pending)
      this.#confirmTimer.schedule(this.settleMs - waited, () => void this.check());
  }

  #dropCandidate(): void {
    this.#candidate = undefined;
    this.#confirmTimer.clear();
  }

  /** Reports the read just started, should it not complete in time (once: no other read starts meanwhile). */
  #armStuckReport(): void {
    const afterMs = Math.max(3 * this.pollIntervalMs, MIN_KEY_READ_STUCK_MS);
    this.#stuckTimer.schedule(afterMs, () => {
      if (this.#disposed) return;
      this.#keepLastGood(
        `reading ${this.label} has not completed after ${afterMs} ms (a hung network file system or device?); no poll starts until it does`,
      );
    });
  }

  #adopt(key: string, fingerprint: string): void {
    const previousFingerprint = this.#fingerprint;
    this.#key = key;
    this.#fingerprint = fingerprint;
    this.#rotations += 1;
    this.#lastRotatedAt = new Date(this.#clock.now());
    this.#problem = undefined;
    const rotation: KeyRotation = Object.freeze({
      path: this.shownPath,
      previousFingerprint,
      fingerprint,
      at: this.#lastRotatedAt,
      rotations: this.#rotations,
    });
    this.#logger.info("static key rotated: the key file holds a new key", {
      keyFile: rotation.path,
      previousFingerprint,
      fingerprint,
      rotations: rotation.rotations,
    });
    for (const listener of this.#listeners) {
      try {
        listener(rotation);
      } catch (error) {
        this.#logger.error("a key rotation listener failed", { keyFile: rotation.path, error });
      }
    }
  }

  #keepLastGood(problem: string): void {
    this.#dropCandidate(); // the content seen before is gone: a changed key starts settling anew
    if (problem === this.#problem) return;
    this.#problem = problem;
    this.#logger.warn(`${problem}: keeping the last good key (fingerprint ${this.#fingerprint})`, {
      keyFile: this.shownPath,
      fingerprint: this.#fingerprint,
    });
  }

  #recovered(): void {
    this.#dropCandidate(); // back to the current key before the changed one settled
    if (this.#problem === undefined) return;
    this.#problem = undefined;
    this.#logger.info("the key file is readable again and holds the same key", {
      keyFile: this.shownPath,
      fingerprint: this.#fingerprint,
    });
  }

  #startWatch(): void {
    if (!this.#watchDirectory || this.#watcher || this.#disposed) return;
    const directory = dirname(this.path);
    try {
      const watcher = watch(directory, { persistent: false }, () => void this.check());
      watcher.on("error", (error) => {
        watcher.close();
        if (this.#watcher === watcher) this.#watcher = undefined;
        this.#logger.debug(
          "watching the key file's directory failed: polling until it can be watched again",
          {
            keyFile: this.shownPath,
            error,
          },
        );
      });
      this.#watcher = watcher;
      this.#watchFailureLogged = false;
    } catch (error) {
      if (!this.#watchFailureLogged) {
        this.#watchFailureLogged = true;
        this.#logger.debug("cannot watch the key file's directory: polling only", {
          keyFile: this.shownPath,
          error,
        });
      }
    }
  }

  #schedulePoll(): void {
    if (this.#disposed) return;
    this.#pollTimer.schedule(this.pollIntervalMs, () => {
      void this.check().finally(() => {
        this.#startWatch();
        this.#schedulePoll();
      });
    });
  }
}
