import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";

/** Nanoseconds from a monotonic clock. */
export function nowNs(): bigint {
  return process.hrtime.bigint();
}

/** Milliseconds elapsed since `start` (from {@link nowNs}). */
export function msSince(start: bigint): number {
  return Number(nowNs() - start) / 1e6;
}

/** The median (mean of the two middle values for an even count). `NaN` for no values. */
export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/** The `p`-th percentile (0 to 100), nearest rank. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank] as number;
}

/** Rounds to `digits` significant decimals for reports (keeps integers as they are). */
export function round(value: number, digits = 2): number {
  if (!Number.isFinite(value)) return value;
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

/** `1234.5` → `1,235`; small numbers keep decimals. */
export function fmt(value: number, digits = 1): string {
  if (!Number.isFinite(value)) return String(value);
  const d = Math.abs(value) >= 100 ? 0 : digits;
  return value.toLocaleString("en-US", { minimumFractionDigits: d, maximumFractionDigits: d });
}

/**
 * Nanoseconds per call of `fn` over `calls` sequential, awaited calls: what one caller that awaits each
 * answer pays (the runtime awaits the token before each model request).
 */
export async function timeSequential(fn: () => Promise<unknown>, calls: number): Promise<number> {
  const start = nowNs();
  for (let i = 0; i < calls; i++) await fn();
  return Number(nowNs() - start) / calls;
}

/** Lets every pending microtask and I/O callback run. */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

let gcFunction: (() => void) | undefined;

/**
 * A full garbage collection: `global.gc` under `node --expose-gc` (as `npm run bench` runs), else the same
 * function obtained by turning the flag on at run time (tests).
 */
export function collectGarbage(): void {
  if (!gcFunction) {
    const exposed = (globalThis as { gc?: () => void }).gc;
    if (typeof exposed === "function") {
      gcFunction = exposed;
    } else {
      setFlagsFromString("--expose-gc");
      gcFunction = runInNewContext("gc") as () => void;
    }
  }
  gcFunction();
}

/** Replaces `Date.now` with `now` while `body` runs (for code that reads the time only through `Date.now`). */
export async function withDateNow<T>(now: () => number, body: () => Promise<T>): Promise<T> {
  const real = Date.now;
  Date.now = now;
  try {
    return await body();
  } finally {
    Date.now = real;
  }
}

/** A seeded PRNG (mulberry32): resampling that gives the same interval on the same data. */
function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A bootstrap confidence interval (percentile method) of `median(a) − median(b)`, two independent samples:
 * how far the difference of two medians could move by chance alone at these counts.
 */
export function medianDifferenceInterval(
  a: readonly number[],
  b: readonly number[],
  level = 0.9,
  resamples = 2000,
  seed = 7,
): { readonly low: number; readonly high: number } {
  if (a.length === 0 || b.length === 0) return { low: Number.NaN, high: Number.NaN };
  const random = seededRandom(seed);
  const draw = (values: readonly number[]) =>
    median(
      Array.from({ length: values.length }, () => values[Math.floor(random() * values.length)] as number),
    );
  const diffs = Array.from({ length: resamples }, () => draw(a) - draw(b)).sort((x, y) => x - y);
  const tail = (1 - level) / 2;
  return {
    low: diffs[Math.floor(tail * (resamples - 1))] as number,
    high: diffs[Math.ceil((1 - tail) * (resamples - 1))] as number,
  };
}
