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
import { ClockTimer } from "./ClockTimer.js";
import { checkApiKey } from "./checkApiKey.js";
import {
  DEFAULT_KEY_POLL_INTERVAL_MS,
  DEFAULT_KEY_SETTLE_MS,
  type KeyFileWatcherOptions,
  MAX_KEY_POLL_INTERVAL_MS,
  MAX_KEY_SETTLE_MS,
  MIN_KEY_POLL_INTERVAL_MS,
  MIN_KEY_READ_STUCK_MS,
} from "./KeyFileWatcherOptions.js";
import type { KeyRotation, KeyRotationTrigger } from "./KeyRotation.js";
import { readKeyFile, readKeyFileSync } from "./readKeyFile.js";
import { showKeyFilePath } from "./showKeyFilePath.js";

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

/** A re-read of the file because the provider refused `key`, shared by every caller that reports that key. */
interface Renewal {
  readonly key: string;
  readonly done: Promise<void>;
  /** Whether the read started for it has completed (else it is still running, or stuck). */
  reread: boolean;
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
 * - When the provider refuses the current key, {@link KeyFileWatcher.renew} reads the file at once and adopts a
 *   different valid key without the settle time.
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
  #keyObtainedOn: number;
  #renewal: Renewal | undefined;
  /** The next read adopts a different valid key at once: a renewal asked for it. */
  #adoptAtOnce = false;
  /** Renewals waiting for a read, released early should it be reported stuck. */
  readonly #stuckWaiters = new Set<() => void>();
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
    this.#keyObtainedOn = this.#clock.now();
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

  /** When the current key was adopted (the first read, or its rotation), in ms since the epoch on the clock. */
  get keyObtainedOn(): number {
    return this.#keyObtainedOn;
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
      try {
        do {
          this.#checkAgain = false;
          await this.#checkOnce();
        } while (this.#checkAgain && !this.#disposed);
      } finally {
        // In the same step as the last read's end: a call from now on starts a read of its own.
        this.#checking = undefined;
      }
    };
    this.#checking = run();
    return this.#checking;
  }

  /**
   * The provider refused `rejected`. When it is the current key: reads the file now (not at the next poll; after
   * a read in flight, if any) and adopts a different valid key at once, without the settle time (the current key
   * is refused: a newer one is the only hope; should it be half-written, the provider refuses it too). Every call
   * for one key shares that read, and a key still current after it is not read for again (the poll goes on).
   * Resolves when the read is done (or is reported stuck); at once when `rejected` is no longer current. Never
   * rejects.
   */
  renew(rejected: string): Promise<void> {
    if (this.#disposed || rejected !== this.#key) return Promise.resolve();
    if (this.#renewal?.key === rejected) return this.#renewal.done;
    this.#logger.debug("the provider refused the key: re-reading the key file now", {
      keyFile: this.shownPath,
      fingerprint: this.#fingerprint,
    });
    this.#adoptAtOnce = true;
    let renewal: Renewal | undefined;
    const done = new Promise<void>((resolve) => {
      const release = () => {
        this.#stuckWaiters.delete(release);
        resolve();
      };
      this.#stuckWaiters.add(release);
      void this.check().then(() => {
        if (renewal) renewal.reread = true;
        release();
      });
    });
    renewal = { key: rejected, done, reread: false };
    this.#renewal = renewal;
    return done;
  }

  /** Whether `key` is current and the file was read again after the provider refused it (see {@link KeyFileWatcher.renew}). */
  rereadAfterRefusal(key: string): boolean {
    return this.#renewal?.key === key && this.#renewal.reread && key === this.#key;
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
    this.#releaseStuckWaiters();
  }

  async #checkOnce(): Promise<void> {
    const atOnce = this.#adoptAtOnce;
    this.#adoptAtOnce = false;
    this.#armStuckReport();
    try {
      const reading = await readKeyFile(this.path, this.label);
      this.#stuckTimer.clear();
      if (this.#disposed) return;
      if ("problem" in reading) return this.#keepLastGood(reading.problem);
      const check = checkApiKey(reading.content, this.label, { localProvider: this.#localProvider });
      if (check.problems.length > 0) return this.#keepLastGood(check.problems.join("; "));
      if (check.key === this.#key) return this.#recovered();
      if (atOnce) {
        this.#dropCandidate();
        for (const warning of check.warnings) this.#logger.warn(warning, { keyFile: this.shownPath });
        return this.#adopt(check.key, check.fingerprint, "refusal");
      }
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
      this.#adopt(candidate.key, candidate.fingerprint, "change");
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
      this.#releaseStuckWaiters(); // a renewal answers the current key rather than wait on a hung read
      this.#keepLastGood(
        `reading ${this.label} has not completed after ${afterMs} ms (a hung network file system or device?); no poll starts until it does`,
      );
    });
  }

  #releaseStuckWaiters(): void {
    for (const release of [...this.#stuckWaiters]) release();
  }

  #adopt(key: string, fingerprint: string, trigger: KeyRotationTrigger): void {
    const previousFingerprint = this.#fingerprint;
    this.#key = key;
    this.#fingerprint = fingerprint;
    this.#keyObtainedOn = this.#clock.now();
    this.#renewal = undefined; // a refusal of the new key is read for anew
    this.#rotations += 1;
    this.#lastRotatedAt = new Date(this.#keyObtainedOn);
    this.#problem = undefined;
    const rotation: KeyRotation = Object.freeze({
      path: this.shownPath,
      previousFingerprint,
      fingerprint,
      at: this.#lastRotatedAt,
      rotations: this.#rotations,
      trigger,
    });
    this.#logger.info(
      trigger === "refusal"
        ? "static key rotated: the provider refused the key, and the key file, re-read at once, holds a new key"
        : "static key rotated: the key file holds a new key",
      { keyFile: rotation.path, previousFingerprint, fingerprint, rotations: rotation.rotations, trigger },
    );
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
