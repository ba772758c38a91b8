/**
 * The real clock shifted by `offsetMs` (settable at any time): a machine whose clock is wrong, or time jumped
 * ahead without waiting. Timers are the real ones. Structurally a `Clock` of `@copilot-byok/core/plugin`.
 */
export class OffsetClock {
  constructor(public offsetMs = 0) {}

  now(): number {
    return Date.now() + this.offsetMs;
  }

  setTimeout(callback: () => void, ms: number): unknown {
    return globalThis.setTimeout(callback, ms);
  }

  clearTimeout(handle: unknown): void {
    globalThis.clearTimeout(handle as ReturnType<typeof setTimeout>);
  }
}
