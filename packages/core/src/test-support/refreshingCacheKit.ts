import { createCaptureLogger } from "@copilot-byok/test-utils/captureLogger";
import { ManualClock } from "@copilot-byok/test-utils/ManualClock";
import { expect } from "vitest";
import { RefreshingCache } from "../RefreshingCache.js";
import type { RefreshingCacheEvent } from "../RefreshingCacheEvent.js";
import type { FetchedValue, RefreshingCacheOptions } from "../RefreshingCacheOptions.js";
import { TokenAcquisitionError } from "../TokenAcquisitionError.js";

// Helpers of the RefreshingCache tests: a scripted fetch, a manual clock that counts unref() calls.

export const START = Date.UTC(2030, 0, 1);
export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;

/** What the next fetch does: a value living `lifeMs`, an answer of its own, an error, or never answering. */
export type Step =
  | { readonly value: string; readonly lifeMs: number; readonly refreshAfterMs?: number }
  | { readonly answer: (now: number) => FetchedValue | null }
  | { readonly error: unknown }
  | { readonly deferred: Deferred }
  | "hang";

export interface Deferred {
  readonly promise: Promise<FetchedValue | null>;
  resolve(value: FetchedValue | null): void;
  reject(error: unknown): void;
}

/** A fetch answering from a script, one step per call (the last step repeats); records each call's signal. */
export class ScriptedFetch {
  readonly calls: AbortSignal[] = [];
  private steps: Step[] = [];

  constructor(private readonly now: () => number) {}

  script(...steps: Step[]): this {
    this.steps = [...steps];
    return this;
  }

  /** Makes the next calls wait for the returned deferred. */
  next(): Deferred {
    let resolve!: Deferred["resolve"];
    let reject!: Deferred["reject"];
    const promise = new Promise<FetchedValue | null>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    const deferred = { promise, resolve, reject };
    this.script({ deferred });
    return deferred;
  }

  readonly fetch = ({ signal }: { signal: AbortSignal }): Promise<FetchedValue | null> => {
    this.calls.push(signal);
    const step = this.steps.length > 1 ? this.steps.shift() : this.steps[0];
    if (step === undefined) return Promise.reject(new Error("ScriptedFetch: no step scripted"));
    if (step === "hang") return new Promise(() => {});
    if ("deferred" in step) return step.deferred.promise;
    if ("error" in step) return Promise.reject(step.error);
    const now = this.now();
    if ("answer" in step) return Promise.resolve(step.answer(now));
    const refreshAfter =
      step.refreshAfterMs !== undefined ? { refreshAfterTimestamp: now + step.refreshAfterMs } : {};
    return Promise.resolve({ value: step.value, expiresOnTimestamp: now + step.lifeMs, ...refreshAfter });
  };
}

/** A manual clock whose handles have `unref()` (counted) and `ref()`, as Node's timers do. */
export class UnrefCountingClock extends ManualClock {
  unrefs = 0;
  private readonly handles = new Set<{ id: unknown; refed: boolean }>();

  override setTimeout(callback: () => void, ms: number): unknown {
    const handle = { id: undefined as unknown, refed: true, unref: () => {}, ref: () => {} };
    handle.id = super.setTimeout(() => {
      this.handles.delete(handle);
      callback();
    }, ms);
    handle.unref = () => {
      this.unrefs += 1;
      handle.refed = false;
    };
    handle.ref = () => {
      handle.refed = true;
    };
    this.handles.add(handle);
    return handle;
  }

  override clearTimeout(handle: unknown): void {
    this.handles.delete(handle as { id: unknown; refed: boolean });
    super.clearTimeout((handle as { id: unknown }).id);
  }

  /** Pending timers that would keep a Node process alive (not `unref()`ed). */
  get keepingAlive(): number {
    return [...this.handles].filter((h) => h.refed).length;
  }
}

/** A cache of keys (`noun: "key"`, `subject: "key-1"`, name `KeyService`) on a manual clock, random 0.5. */
export function setup(options: Partial<RefreshingCacheOptions<{ length: number }>> = {}) {
  const clock = new UnrefCountingClock(START);
  const fetcher = new ScriptedFetch(() => clock.now());
  const events: RefreshingCacheEvent[] = [];
  const logger = createCaptureLogger();
  const cache = new RefreshingCache<{ length: number }>({
    fetch: fetcher.fetch,
    name: "KeyService",
    subject: "key-1",
    noun: "key",
    clock,
    random: () => 0.5, // no jitter spread: delays are exact
    logger,
    onEvent: (event) => events.push(event),
    ...options,
  });
  return {
    cache,
    clock,
    fetcher,
    events,
    logger,
    types: () => events.map((e) => e.type),
    unrefs: () => clock.unrefs,
  };
}

export async function rejectionOf(promise: Promise<unknown>): Promise<TokenAcquisitionError> {
  const error = await promise.then(
    () => new Error("expected a rejection"),
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(TokenAcquisitionError);
  return error as TokenAcquisitionError;
}
