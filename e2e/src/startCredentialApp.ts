import { type ChildProcess, spawn } from "node:child_process";
import { dirname, join, resolve } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, "..", "..");
const APP = join(here, "fixtures", "credentialApp.mjs");
/** The built CLI (`npm test` builds first), run as a user runs `copilot-byok`. */
export const CLI_BIN = join(root, "packages", "cli", "dist", "esm", "bin.js");

export type Reply =
  | { ok: true; [field: string]: unknown }
  | { ok: false; error: { name?: string; message: string } };

/** An app in a process of its own (see fixtures/credentialApp.mjs), driven one command at a time. */
export interface CredentialApp {
  /** The selection's mode and reasons, once the session is open. */
  readonly opened: { mode: string; reasons: string[] };
  ask(prompt: string): Promise<string>;
  /** Moves the app's clock ahead by `ms` (Date.now in its process), as after a sleep of the machine. */
  advanceClock(ms: number): Promise<void>;
  /** What the process wrote to stderr so far. */
  stderr(): string;
  /** Sends one command (`{ op, ...fields }`) and returns its answer as is, a failure too. */
  command(op: string, fields?: Readonly<Record<string, unknown>>, timeoutMs?: number): Promise<Reply>;
  close(): Promise<void>;
}

/** Options of {@link startCredentialApp}. */
export interface CredentialAppOptions {
  /** The app to run: a fixture speaking the same protocol. Default fixtures/credentialApp.mjs. */
  readonly fixture?: string;
}

/**
 * Only what a process needs plus `env`: the machine's own Azure variables must not steer the credential.
 * `NODE_OPTIONS` is dropped too (a test runner's loaders have no business in the app).
 */
export function childEnv(env: Readonly<Record<string, string>>): Record<string, string> {
  const keep = ["PATH", "HOME", "TMPDIR", "TEMP", "TMP", "SystemRoot", "LANG"];
  const base: Record<string, string> = {};
  for (const name of keep) {
    const value = process.env[name];
    if (value !== undefined) base[name] = value;
  }
  return { ...base, ...env };
}

/** Starts the app with `env` and waits (at most `timeoutMs`) for its session to open. */
export async function startCredentialApp(
  env: Readonly<Record<string, string>>,
  timeoutMs = 60_000,
  options: CredentialAppOptions = {},
): Promise<CredentialApp> {
  const child = spawn(process.execPath, [options.fixture ?? APP], {
    env: childEnv(env),
    cwd: here,
  });
  let stderr = "";
  child.stderr.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const lines = createInterface({ input: child.stdout });
  const waiting: Array<(reply: Reply) => void> = [];
  const early: Reply[] = [];
  lines.on("line", (line) => {
    let reply: Reply;
    try {
      reply = JSON.parse(line) as Reply;
    } catch {
      return; // not one of ours (a library printing to stdout)
    }
    const next = waiting.shift();
    if (next) next(reply);
    else early.push(reply);
  });
  const exited = new Promise<number | null>((done) => child.once("exit", (code) => done(code)));

  const next = (what: string, ms: number) =>
    new Promise<Reply>((done, fail) => {
      const queued = early.shift();
      if (queued) return done(queued);
      const timer = setTimeout(() => {
        kill(child);
        fail(new Error(`credential app: no answer to ${what} within ${ms} ms; stderr:\n${stderr}`));
      }, ms);
      void exited.then((code) => {
        clearTimeout(timer);
        fail(new Error(`credential app exited (${code}) before answering ${what}; stderr:\n${stderr}`));
      });
      waiting.push((reply) => {
        clearTimeout(timer);
        done(reply);
      });
    });
  const command = async (value: Record<string, unknown>, ms = 45_000) => {
    const answer = next(String(value.op), ms);
    child.stdin.write(`${JSON.stringify(value)}\n`);
    return answer;
  };
  const expectOk = (reply: Reply): Extract<Reply, { ok: true }> => {
    if (!reply.ok) throw Object.assign(new Error(reply.error.message), { name: reply.error.name ?? "Error" });
    return reply;
  };

  const opened = await next("open", timeoutMs).catch((error: unknown) => {
    kill(child);
    throw error;
  });
  if (!opened.ok) {
    kill(child);
    throw new Error(
      `credential app failed to open a session: ${opened.error.name ?? "Error"}: ${opened.error.message}\n${stderr}`,
    );
  }
  return {
    opened: { mode: String(opened.mode), reasons: opened.reasons as string[] },
    ask: async (prompt) => String(expectOk(await command({ op: "ask", prompt })).reply),
    advanceClock: async (ms) => {
      expectOk(await command({ op: "advanceClock", ms }));
    },
    stderr: () => stderr,
    command: (op, fields = {}, ms) => command({ ...fields, op }, ms),
    close: async () => {
      if (child.exitCode !== null) return;
      child.stdin.write(`${JSON.stringify({ op: "close" })}\n`);
      const timer = setTimeout(() => kill(child), 20_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

function kill(child: ChildProcess): void {
  if (child.exitCode === null) child.kill("SIGKILL");
}

/** Runs the built `copilot-byok` command with `env` (asynchronously: the emulators live in this process). */
export function runCli(
  args: readonly string[],
  env: Readonly<Record<string, string>>,
  timeoutMs = 60_000,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [CLI_BIN, ...args], { env: childEnv(env), cwd: here });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const timer = setTimeout(() => {
      kill(child);
      fail(
        new Error(`copilot-byok ${args.join(" ")} did not end within ${timeoutMs} ms; stderr:\n${stderr}`),
      );
    }, timeoutMs);
    child.once("error", (error) => {
      clearTimeout(timer);
      fail(error);
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      done({ code, stdout, stderr });
    });
  });
}
