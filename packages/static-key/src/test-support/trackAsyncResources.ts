import { createHook } from "node:async_hooks";

/**
 * Tracks the async resources (timers, fs watches, file handles, …) that `create()` makes, and those
 * they make in turn (a poll timer re-armed from a timer callback, a read started from it), so a test
 * can tell which of them are still alive.
 */
export function trackAsyncResources<T>(create: () => T): {
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
  hook.enable();
  capturing = true;
  let value: T;
  try {
    value = create();
  } finally {
    capturing = false;
  }
  return {
    value,
    alive: (types) => [...live.values()].filter((t) => types === undefined || types.includes(t)),
    stop: () => hook.disable(),
  };
}
