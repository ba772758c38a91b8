import { readdirSync, readFileSync } from "node:fs";
import { trackAsyncResources } from "@copilot-byok/test-utils/trackAsyncResources";

/** Async resource types that outlive a call when leaked: timers, watchers, sockets, pipes, child processes. */
export const LEAKABLE_TYPES = [
  "Timeout",
  "Immediate",
  "FSEVENTWRAP",
  "STATWATCHER",
  "TCPWRAP",
  "TCPSERVERWRAP",
  "PIPEWRAP",
  "PIPESERVERWRAP",
  "PROCESSWRAP",
  "TTYWRAP",
  "SIGNALWRAP",
  "UDPWRAP",
  "FILEHANDLE",
] as const;

/** `process.getActiveResourcesInfo()` as counts per type: what keeps the event loop alive. */
export function activeResources(): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const type of process.getActiveResourcesInfo()) counts[type] = (counts[type] ?? 0) + 1;
  return counts;
}

/** The types (with how many more) of `after` beyond `before`; `{}` when nothing was added. */
export function addedResources(
  before: Record<string, number>,
  after: Record<string, number>,
): Record<string, number> {
  const added: Record<string, number> = {};
  for (const [type, count] of Object.entries(after)) {
    const extra = count - (before[type] ?? 0);
    if (extra > 0) added[type] = extra;
  }
  return added;
}

/**
 * Tracks the leakable resources (`LEAKABLE_TYPES`) `run` creates, and those they create in turn (a timer re-armed
 * from a timer, a socket opened from a promise continuation of `run`), ref'd or not (test-utils'
 * `trackAsyncResources`), once `run` has settled.
 */
export async function trackResources<T>(run: (alive: () => string[]) => Promise<T>): Promise<{
  readonly value: T;
  /** Leakable resources created by `run` and not destroyed yet, e.g. `["Timeout", "FSEVENTWRAP"]`. */
  alive(): string[];
  stop(): void;
}> {
  const leakable = (alive: (types: readonly string[]) => string[]) => () => alive(LEAKABLE_TYPES).sort();
  const tracked = trackAsyncResources((alive) => run(leakable(alive)));
  try {
    const value = await tracked.value;
    return { value, alive: leakable(tracked.alive), stop: tracked.stop };
  } catch (error) {
    tracked.stop();
    throw error;
  }
}

/** Pids of this process's child processes (Linux: from /proc), `[]` elsewhere. */
export function childProcesses(): number[] {
  if (process.platform !== "linux") return [];
  const children: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      // pid (comm) state ppid …: comm may hold spaces and parentheses; the last ")" ends it.
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      if (ppid === process.pid) children.push(Number(entry));
    } catch {
      // the process ended meanwhile
    }
  }
  return children;
}
