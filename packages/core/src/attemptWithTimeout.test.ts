import { ManualClock } from "@copilot-byok/test-utils/ManualClock";
import { describe, expect, it } from "vitest";
import { attemptWithTimeout } from "./attemptWithTimeout.js";

const TIMEOUT = new Error("timed out");

function start<T>(run: (signal: AbortSignal) => PromiseLike<T> | T, timeoutMs = 1_000) {
  const clock = new ManualClock();
  const signals: AbortSignal[] = [];
  const attempt = attemptWithTimeout(
    (signal) => {
      signals.push(signal);
      return run(signal);
    },
    { timeoutMs, clock, timeoutError: () => TIMEOUT },
  );
  return { clock, attempt, signal: () => signals[0] as AbortSignal };
}

describe("attemptWithTimeout", () => {
  it("settles with run's value and clears its timer", async () => {
    const { clock, attempt, signal } = start(async () => 42);
    expect(await attempt.result).toEqual({ ok: true, value: 42 });
    expect(clock.pending).toBe(0);
    expect(signal().aborted).toBe(false);
  });

  it("turns a rejection and a synchronous throw alike into a failure, never a rejection", async () => {
    const error = new Error("down");
    expect(await start(() => Promise.reject(error)).attempt.result).toEqual({
      ok: false,
      error,
      ending: "failed",
    });
    const thrown = start(() => {
      throw error;
    });
    expect(await thrown.attempt.result).toEqual({ ok: false, error, ending: "failed" });
    expect(thrown.clock.pending).toBe(0);
  });

  it("abandons a hanging call at the timeout: the signal fires with the timeout error", async () => {
    const { clock, attempt, signal } = start(() => new Promise(() => {}));
    await clock.advance(999);
    expect(signal().aborted).toBe(false);
    await clock.advance(1);
    expect(await attempt.result).toEqual({ ok: false, error: TIMEOUT, ending: "timeout" });
    expect(signal().reason).toBe(TIMEOUT);
  });

  it("abort(reason) ends it at once; a late answer changes nothing", async () => {
    let answer!: (value: string) => void;
    const { clock, attempt, signal } = start(() => new Promise<string>((resolve) => (answer = resolve)));
    const reason = new Error("disposed");
    attempt.abort(reason);
    attempt.abort(new Error("second"));
    answer("late");
    expect(await attempt.result).toEqual({ ok: false, error: reason, ending: "aborted" });
    expect(signal().reason).toBe(reason);
    expect(clock.pending).toBe(0);
  });
});
