import { spawn } from "node:child_process";

/** How a child process ended: its exit code (null when it was killed), and all it printed. */
export interface Ended {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** A Node process a test started: what it printed so far, its lines as they come, and its end. */
export interface NodeProcess {
  readonly stdout: () => string;
  readonly stderr: () => string;
  /** The first line of stdout matching `pattern`; rejects, saying what was printed, when none comes within `timeoutMs` or the process ends first. */
  line(pattern: RegExp, timeoutMs?: number): Promise<string>;
  kill(signal: NodeJS.Signals): void;
  /** Its end; a process still running after the bound given to {@link startNode} is killed (SIGKILL). */
  readonly ended: Promise<Ended>;
}

/**
 * Starts `node <args>` with `env` as its whole environment (no variable of the test's process leaks in), and
 * a bound after which it is killed, so that no test waits for it forever.
 */
export function startNode(
  args: readonly string[],
  env: Record<string, string>,
  timeoutMs = 90_000,
): NodeProcess {
  const child = spawn(process.execPath, [...args], { env, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  const waiters = new Set<() => void>();
  const notify = () => {
    for (const waiter of [...waiters]) waiter();
  };
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
    stdout += chunk;
    notify();
  });
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
    stderr += chunk;
  });
  const killer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
  let done = false;
  const ended = new Promise<Ended>((resolve, reject) => {
    child.once("error", reject);
    child.once("close", (code, signal) => {
      clearTimeout(killer);
      done = true;
      notify();
      resolve({ code, signal, stdout, stderr });
    });
  });
  return {
    stdout: () => stdout,
    stderr: () => stderr,
    kill: (signal) => void child.kill(signal),
    ended,
    line: (pattern, lineTimeoutMs = 60_000) =>
      new Promise<string>((resolve, reject) => {
        const check = () => {
          const found = stdout.split("\n").find((l, i, all) => i < all.length - 1 && pattern.test(l));
          if (found !== undefined || done) {
            waiters.delete(check);
            clearTimeout(timer);
            if (found !== undefined) resolve(found);
            else reject(new Error(`ended without a line matching ${pattern}:\n${stdout}\n${stderr}`));
          }
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`no line matching ${pattern} within ${lineTimeoutMs} ms:\n${stdout}\n${stderr}`));
        }, lineTimeoutMs);
        waiters.add(check);
        check();
      }),
  };
}
