import { describe, expect, it, vi } from "vitest";
import { waitUnlessAborted } from "./waitUnlessAborted.js";

describe("waitUnlessAborted", () => {
  it("answers the promise's value or error without a signal, or when the signal does not abort", async () => {
    await expect(waitUnlessAborted(Promise.resolve(1), undefined)).resolves.toBe(1);
    const signal = new AbortController().signal;
    await expect(waitUnlessAborted(Promise.resolve(2), signal)).resolves.toBe(2);
    await expect(waitUnlessAborted(Promise.reject(new Error("failed")), signal)).rejects.toThrow("failed");
  });

  it("rejects with the signal's reason, at once when it is aborted already", async () => {
    const reason = new Error("gave up");
    await expect(waitUnlessAborted(new Promise(() => undefined), AbortSignal.abort(reason))).rejects.toBe(
      reason,
    );
    const controller = new AbortController();
    const waiting = waitUnlessAborted(new Promise(() => undefined), controller.signal);
    controller.abort(reason);
    await expect(waiting).rejects.toBe(reason);
  });

  it("stops listening to the signal once the promise settled", async () => {
    const signal = new AbortController().signal;
    const remove = vi.spyOn(signal, "removeEventListener");
    await waitUnlessAborted(Promise.resolve(), signal);
    expect(remove).toHaveBeenCalledWith("abort", expect.any(Function));
  });
});
