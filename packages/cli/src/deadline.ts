/** The doctor ran out of its `--timeout`: the whole run shares one deadline. */
export class DeadlineExceededError extends Error {
  override readonly name = "DeadlineExceededError";
  constructor(readonly timeoutMs: number) {
    super(`no answer within ${timeoutMs} ms (--timeout)`);
  }
}

/** One deadline for a run: each step gets what is left of it. */
export interface Deadline {
  /** Aborts at the deadline, with a {@link DeadlineExceededError} as its reason. */
  readonly signal: AbortSignal;
  readonly timeoutMs: number;
  /** Whether the deadline has passed. */
  readonly expired: boolean;
  /** What is left, in ms (0 once passed). */
  remainingMs(): number;
  /**
   * `promise`, or a rejection with the {@link DeadlineExceededError} at the deadline, whichever comes first: a
   * step that ignores its signal (a credential that retries on its own, a plug-in) cannot hold the run.
   */
  race<T>(promise: Promise<T>): Promise<T>;
  /** Stops the timer (the run is over). */
  clear(): void;
}

export function startDeadline(timeoutMs: number, now: () => number = Date.now): Deadline {
  const at = now() + timeoutMs;
  const controller = new AbortController();
  // A plain timer, not AbortSignal.timeout: on Node 20 a timeout signal held only by listeners can be
  // garbage-collected and never fire. Not unref()ed: while a step runs, someone waits for its answer.
  const timer = setTimeout(() => controller.abort(new DeadlineExceededError(timeoutMs)), timeoutMs);
  const signal = controller.signal;
  return {
    signal,
    timeoutMs,
    get expired() {
      return signal.aborted;
    },
    remainingMs: () => (signal.aborted ? 0 : Math.max(0, at - now())),
    race: (promise) => untilAborted(promise, signal),
    clear: () => clearTimeout(timer),
  };
}

/** `promise`, or a rejection with the signal's reason as soon as it aborts (the promise is left to itself). */
export function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) {
    promise.catch(() => undefined);
    return Promise.reject(signal.reason);
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener("abort", onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener("abort", onAbort);
        reject(error);
      },
    );
  });
}
