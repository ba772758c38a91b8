/** What a shared attempt ends with; `waitWithSignal` turns it into a caller's answer. */
export type SharedOutcome<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly error: Error };

/**
 * One caller's wait on a shared attempt (whose promise never rejects): the attempt's value or error, or, when
 * `signal` fires first, `abortedError(signal)`. The abort ends this caller's wait only, not the attempt.
 */
export function waitWithSignal<T>(
  shared: Promise<SharedOutcome<T>>,
  signal: AbortSignal | undefined,
  abortedError: (signal: AbortSignal) => Error,
): Promise<T> {
  if (!signal) return shared.then(unwrap);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(abortedError(signal));
    signal.addEventListener("abort", onAbort, { once: true });
    shared.then((outcome) => {
      signal.removeEventListener("abort", onAbort);
      if (outcome.ok) resolve(outcome.value);
      else reject(outcome.error);
    });
  });
}

function unwrap<T>(outcome: SharedOutcome<T>): T {
  if (outcome.ok) return outcome.value;
  throw outcome.error;
}
