import { setTimeout as sleep } from "node:timers/promises";

/** Polls `predicate` every `everyMs` until it holds; fails after `timeoutMs`. Returns the time waited. */
export async function waitFor(
  predicate: () => boolean | Promise<boolean>,
  {
    timeoutMs = 3000,
    everyMs = 2,
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
