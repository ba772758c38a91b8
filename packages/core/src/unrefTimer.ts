/**
 * Lets the process exit while `handle` is pending (Node's `unref()`; a no-op for handles without one, such as
 * an injected clock's): background work must never keep a process alive.
 */
export function unrefTimer(handle: unknown): void {
  const h = handle as { unref?: () => void } | null;
  if (h && typeof h.unref === "function") h.unref();
}
