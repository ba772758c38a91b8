import { describe, expect, it } from "vitest";
import { describeFault, FaultQueue } from "./FaultQueue.js";

describe("FaultQueue", () => {
  it("hands out scripted faults once each, in order", () => {
    const q = new FaultQueue();
    q.enqueue([{ status: 500 }, { hang: true }]);
    expect(q.pending).toBe(2);
    expect(q.next()).toEqual({ status: 500 });
    expect(q.next()).toEqual({ hang: true });
    expect(q.next()).toBeUndefined();
  });

  it("lets a persistent down fault win without consuming the script", () => {
    const q = new FaultQueue();
    q.enqueue([{ status: 429 }]);
    q.setDown(true);
    expect([q.next(), q.next(), q.isDown]).toEqual([{ status: 503 }, { status: 503 }, true]);
    q.setDown({ reset: true });
    expect(q.next()).toEqual({ reset: true });
    q.setDown(false);
    expect(q.next()).toEqual({ status: 429 });
    q.enqueue([{ status: 1 }]);
    q.setDown(true);
    q.clear();
    expect([q.next(), q.isDown]).toEqual([undefined, false]);
  });

  it("describes faults for request logs", () => {
    expect(describeFault({ status: 429, retryAfter: 2 })).toBe("status 429");
    expect(describeFault({ delayMs: 300 })).toBe("delay 300ms");
    expect(describeFault({ delayMs: 5, hang: true })).toBe("delay 5ms + hang");
    expect(describeFault({ reset: true })).toBe("reset");
    expect(describeFault({ malformedBody: true })).toBe("malformed body");
    expect(describeFault({ lifetimeSeconds: -1, expiresOnUnit: "milliseconds" })).toBe(
      "lifetime -1s + expires_on in milliseconds",
    );
  });
});
