import { describe, expect, it } from "vitest";
import { type SharedOutcome, waitWithSignal } from "./waitWithSignal.js";

const aborted = (signal: AbortSignal) => new Error(`aborted: ${String(signal.reason)}`);

describe("waitWithSignal", () => {
  it("answers with the shared outcome, a value or its error", async () => {
    expect(await waitWithSignal(Promise.resolve({ ok: true, value: 1 }), undefined, aborted)).toBe(1);
    const error = new Error("down");
    await expect(waitWithSignal(Promise.resolve({ ok: false, error }), undefined, aborted)).rejects.toBe(
      error,
    );
    const signal = new AbortController().signal;
    expect(await waitWithSignal(Promise.resolve({ ok: true, value: 2 }), signal, aborted)).toBe(2);
  });

  it("ends one caller's wait when its signal fires; others still get the outcome", async () => {
    let settle!: (outcome: SharedOutcome<string>) => void;
    const shared = new Promise<SharedOutcome<string>>((resolve) => (settle = resolve));
    const controller = new AbortController();
    const mine = waitWithSignal(shared, controller.signal, aborted);
    const other = waitWithSignal(shared, new AbortController().signal, aborted);
    controller.abort("gone");
    await expect(mine).rejects.toThrow("aborted: gone");
    settle({ ok: true, value: "v" });
    expect(await other).toBe("v");
  });
});
