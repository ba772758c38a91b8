/**
 * A clock moved by hand: `advance(ms)` runs due timers in order, letting promises settle between them.
 * Structurally a `Clock` of `@copilot-byok/core/plugin`.
 */
export class ManualClock {
  private time: number;
  private nextId = 1;
  private readonly timers = new Map<number, { at: number; callback: () => void }>();

  constructor(start = Date.UTC(2030, 0, 1)) {
    this.time = start;
  }

  now(): number {
    return this.time;
  }

  setTimeout(callback: () => void, ms: number): unknown {
    const id = this.nextId++;
    // As Node does, a delay below 1 ms is 1 ms: time moves on between two timers.
    this.timers.set(id, { at: this.time + Math.max(1, ms), callback });
    return id;
  }

  clearTimeout(handle: unknown): void {
    this.timers.delete(handle as number);
  }

  /** Number of pending timers. */
  get pending(): number {
    return this.timers.size;
  }

  /** Pending timers, in ms from now. */
  pendingIn(): number[] {
    return [...this.timers.values()].map((t) => t.at - this.time).sort((a, b) => a - b);
  }

  async advance(ms: number): Promise<void> {
    const end = this.time + ms;
    for (let guard = 0; guard < 10_000; guard++) {
      await flush();
      const due = [...this.timers.entries()]
        .filter(([, t]) => t.at <= end)
        .sort((a, b) => a[1].at - b[1].at)[0];
      if (!due) break;
      this.timers.delete(due[0]);
      this.time = Math.max(this.time, due[1].at);
      due[1].callback();
    }
    this.time = end;
    await flush();
  }
}

/** Lets pending promise callbacks run. */
export async function flush(): Promise<void> {
  for (let i = 0; i < 20; i++) await Promise.resolve();
}
