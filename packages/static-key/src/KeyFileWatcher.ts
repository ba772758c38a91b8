import { type FSWatcher, watch } from "node:fs";
import { dirname, resolve } from "node:path";
import {
  ConfigurationError,
  DisposedError,
  type Logger,
  silentLogger,
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
  /** Receives rotations (info) and problems with the file (warnings). Default: silent. */
  logger?: Logger;
}

/**
 * Holds the key of a key file as Docker and Kubernetes mount them, and keeps it current.
 *
 * - The file is read whole, trailing line breaks removed, and checked ({@link checkApiKey}); a content
 *   that fails the check is never adopted, so a reader never sees an empty or partial key.
 * - It is re-read when its directory changes (`fs.watch` on the directory: Kubernetes replaces the
 *   `..data` symlink atomically, which a watch on the file itself misses) and every `pollIntervalMs`;
 *   the contents are compared, and a different valid key is adopted and reported as a {@link KeyRotation}.
 * - While the file is missing, empty, unreadable or invalid, the last good key is kept and a warning
 *   (path and fingerprint, never the key) is logged once per problem.
 * - The first read happens in the constructor: a missing or invalid file is a `ConfigurationError` at once.
 * - Neither the watch nor the timer keeps the process alive; `dispose()` stops both.
 */
export class KeyFileWatcher {
  /** The key file, absolute. */
  readonly path: string;
  /** How messages name the file. */
  readonly label: string;
  readonly pollIntervalMs: number;

  readonly #logger: Logger;
  readonly #watchDirectory: boolean;
  readonly #listeners = new Set<(rotation: KeyRotation) => void>();
  #key: string;
  #fingerprint: string;
  #rotations = 0;
  #lastRotatedAt: Date | undefined;
  #problem: string | undefined;
  #watcher: FSWatcher | undefined;
  #watchFailureLogged = false;
  #timer: NodeJS.Timeout | undefined;
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
    if (typeof options.path !== "string" || options.path.trim() === "") {
      throw new ConfigurationError([...problems, "the key file path is empty: give the path of the file"]);
    }
    this.path = resolve(options.path);
    this.label = options.label ?? `the key file ${showKeyFilePath(this.path)}`;
    this.pollIntervalMs = Math.round(interval);
    this.#logger = options.logger ?? silentLogger;
    this.#watchDirectory = options.watch ?? true;

    const reading = readKeyFileSync(this.path, this.label);
    let key = "";
    let keyFingerprint = "";
    if ("problem" in reading) {
      problems.push(reading.problem);
    } else {
      const check = checkApiKey(reading.content, this.label);
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

  /** The file as shown in messages (its length only when it looks like a key). */
  get shownPath(): string {
    return showKeyFilePath(this.path);
  }

  /** Calls `listener` on every rotation. Returns a function that stops it. */
  onRotation(listener: (rotation: KeyRotation) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /**
   * Reads the file now and adopts a different valid key. Concurrent calls share one read (one more
   * follows when a change is signalled during a read). Never rejects.
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

  /** Stops the directory watch and the poll timer. Idempotent. */
  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#watcher?.close();
    this.#watcher = undefined;
    this.#listeners.clear();
  }

  async #checkOnce(): Promise<void> {
    try {
      const reading = await readKeyFile(this.path, this.label);
      if (this.#disposed) return;
      if ("problem" in reading) return this.#keepLastGood(reading.problem);
      const check = checkApiKey(reading.content, this.label);
      if (check.problems.length > 0) return this.#keepLastGood(check.problems.join("; "));
      if (check.key === this.#key) return this.#recovered();
      for (const warning of check.warnings) this.#logger.warn(warning, { keyFile: this.shownPath });
      this.#adopt(check.key, check.fingerprint);
    } catch (error) {
      // Reading never throws by design; a listener or logger might.
      this.#logger.error("checking the key file failed", { keyFile: this.shownPath, error });
    }
  }

  #adopt(key: string, fingerprint: string): void {
    const previousFingerprint = this.#fingerprint;
    this.#key = key;
    this.#fingerprint = fingerprint;
    this.#rotations += 1;
    this.#lastRotatedAt = new Date();
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
    if (problem === this.#problem) return;
    this.#problem = problem;
    this.#logger.warn(`${problem}: keeping the last good key (fingerprint ${this.#fingerprint})`, {
      keyFile: this.shownPath,
      fingerprint: this.#fingerprint,
    });
  }

  #recovered(): void {
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
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      void this.check().finally(() => {
        this.#startWatch();
        this.#schedulePoll();
      });
    }, this.pollIntervalMs);
    this.#timer.unref();
  }
}
