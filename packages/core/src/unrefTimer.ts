/**
 * Lets the process exit while `handle` is pending (Node's `unref()`; a no-op for handles without one, such as
 * an injected clock's): background work must never keep a process alive.
 */
export function unrefTimer(handle: unknown): void {
  const h = handle as { unref?: () => void } | null;
  if (h && typeof h.unref === "function") h.unref();
}

/** Makes `handle` keep the process alive again (Node's `ref()`; a no-op for handles without one). */
export function refTimer(handle: unknown): void {
  const h = handle as { ref?: () => void } | null;
  if (h && typeof h.ref === "function") h.ref();
}
