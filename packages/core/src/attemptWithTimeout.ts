import { type Clock, systemClock } from "./Clock.js";
import { refTimer, unrefTimer } from "./unrefTimer.js";

// One bounded call of something that may hang (an identity endpoint, a key service). Its rules:
// - `run` gets an AbortSignal that fires when the attempt is abandoned: on timeout or on `abort(reason)`;
// - the result settles once, with whatever comes first: run's value, run's error, the timeout, `abort()`;
//   a later answer of an abandoned call is ignored;
// - the result never rejects (a synchronous throw of `run` is a failure like a rejection), so that nobody
//   has to handle it to avoid an unhandled rejection;
// - the timer is cleared when the attempt settles; it is `unref()`ed while nobody waits for the result (a
//   background refresh never keeps a process alive) and ref'ed by `keepAlive()` once someone does: a caller
//   waiting for an answer must get one, even from a timeout, before the process may end.

/** Default bound of an attempt of a refreshing cache. */
export const DEFAULT_TIMEOUT_MS = 30_000;

/** How an attempt ended: `failed` (run threw or rejected), `timeout`, or `aborted` (by `abort()`). */
export type AttemptResult<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly error: unknown; readonly ending: "failed" | "timeout" | "aborted" };

/** A running attempt: its result, and a way to abandon it. */
export interface BoundedAttempt<T> {
  /** Never rejects. */
  readonly result: Promise<AttemptResult<T>>;
  /** Abandons the attempt now: fires its signal with `reason` and ends it with `reason` as the error. */
  abort(reason: unknown): void;
  /**
   * Someone waits for the result: the timeout keeps the process alive until the attempt settles or every
   * waiter has called the returned release (a caller that gave up).
   */
  keepAlive(): () => void;
}

export interface AttemptWithTimeoutOptions {
  /** Bound of the attempt, in ms. */
  readonly timeoutMs: number;
  /** The error (and abort reason) of a timed-out attempt. */
  readonly timeoutError: () => unknown;
  /** Default {@link systemClock}. */
  readonly clock?: Clock;
}

/** Starts `run(signal)`, bounded by `timeoutMs`. */
export function attemptWithTimeout<T>(
  run: (signal: AbortSignal) => PromiseLike<T> | T,
  { timeoutMs, timeoutError, clock = systemClock }: AttemptWithTimeoutOptions,
): BoundedAttempt<T> {
  const controller = new AbortController();
  let settle!: (result: AttemptResult<T>) => void;
  const result = new Promise<AttemptResult<T>>((resolve) => {
    settle = resolve;
  });
  let done = false;
  let waiters = 0;
  let timer: unknown;
  const finish = (outcome: AttemptResult<T>) => {
    if (done) return;
    done = true;
    if (timer !== undefined) clock.clearTimeout(timer);
    settle(outcome);
  };
  const abandon = (error: unknown, ending: "timeout" | "aborted") => {
    if (done) return;
    controller.abort(error);
    finish({ ok: false, error, ending });
  };

  timer = clock.setTimeout(() => abandon(timeoutError(), "timeout"), timeoutMs);
  unrefTimer(timer);
  let call: PromiseLike<T>;
  try {
    call = Promise.resolve(run(controller.signal));
  } catch (error) {
    call = Promise.reject(error);
  }
  call.then(
    (value) => finish({ ok: true, value }),
    (error: unknown) => finish({ ok: false, error, ending: "failed" }),
  );
  return {
    result,
    abort: (reason) => abandon(reason, "aborted"),
    keepAlive: () => {
      waiters += 1;
      if (!done) refTimer(timer);
      let released = false;
      return () => {
        if (released) return;
        released = true;
        waiters -= 1;
        if (waiters === 0 && !done) unrefTimer(timer);
      };
    },
  };
}
