import { createHook } from "node:async_hooks";

/**
 * Tracks the async resources (timers, fs watches, file handles, sockets, …) that `create()` makes, and those
 * they make in turn (a poll timer re-armed from a timer callback, a read started from it, a socket opened from
 * a promise continuation), ref'd or not (an `unref()`ed timer or a `persistent: false` watcher does not show in
 * `process.getActiveResourcesInfo()`, but is still alive), so a test can tell which of them are still alive.
 * `create` gets the same `alive` as the result, for checks made before it returns.
 */
export function trackAsyncResources<T>(create: (alive: (types?: readonly string[]) => string[]) => T): {
  readonly value: T;
  /** Types of the tracked resources not destroyed yet, e.g. `["Timeout", "FSEVENTWRAP"]`. */
  alive(types?: readonly string[]): string[];
  stop(): void;
} {
  const ours = new Set<number>();
  const live = new Map<number, string>();
  let capturing = false;
  const hook = createHook({
    init(asyncId, type, triggerAsyncId) {
      if (capturing || ours.has(triggerAsyncId)) {
        ours.add(asyncId);
        live.set(asyncId, type);
      }
    },
    destroy(asyncId) {
      live.delete(asyncId);
    },
    promiseResolve(asyncId) {
      live.delete(asyncId);
    },
  });
  const alive = (types?: readonly string[]) =>
    [...live.values()].filter((t) => types === undefined || types.includes(t));
  hook.enable();
  capturing = true;
  let value: T;
  try {
    value = create(alive);
  } catch (error) {
    hook.disable();
    throw error;
  } finally {
    capturing = false;
  }
  return { value, alive, stop: () => hook.disable() };
}
