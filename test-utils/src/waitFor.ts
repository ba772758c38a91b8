import { setTimeout as sleep } from "node:timers/promises";

/** Polls `predicate` every `everyMs` until it holds; fails after `timeoutMs`. Returns the time waited. */
export async function waitFor(
  predicate: () => boolean | Promise<boolean>,
  {
    timeoutMs = 5_000,
    everyMs = 5,
    what = "condition",
  }: { timeoutMs?: number; everyMs?: number; what?: string } = {},
): Promise<number> {
  const start = performance.now();
  while (!(await predicate())) {
    if (performance.now() - start > timeoutMs)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(everyMs);
  }
  return performance.now() - start;
}

/** The error `promise` rejects with; fails the test when it resolves. */
export async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    (value) => {
      throw new Error(`expected a rejection, got ${typeof value}`);
    },
    (error: unknown) => error,
  );
}

/** Runs `fn` and returns its result with the time it took, in ms. */
export async function timed<T>(fn: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const start = performance.now();
  const value = await fn();
  return { value, ms: performance.now() - start };
}
