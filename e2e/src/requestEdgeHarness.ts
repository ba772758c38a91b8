import "reflect-metadata";
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import {
  CopilotSessionFactory,
  type Env,
  type ProviderConfigSourceModule,
  type RequestEdgeEvent,
  registerCopilotByok,
} from "@copilot-byok/core";
import { createStaticKeyModule, StaticKeyProviderConfigSource } from "@copilot-byok/static-key";
import { createTempDir } from "@copilot-byok/test-utils/tempDir";
import {
  approveAll,
  type CopilotClient,
  type CopilotSession,
  type ProviderConfig,
} from "@github/copilot-sdk";
import { container } from "tsyringe";

// An app as a user writes it with the request edge on (the default): `registerCopilotByok` without a client of
// its own, so that its default CopilotClient (a real runtime, in a temp COPILOT home) carries copilot-byok's
// request handler. Around it, what a test needs to see what the runtime was given:
// - `providers`: every ProviderConfig the SDK's `client.createSession` received (a wrapper of that method);
// - `wire`: every byte this process wrote to the runtime's stdin and read from its stdout (JSON-RPC over stdio:
//   the session config as serialised, the runtime's model requests relayed through the request handler, and the
//   answers to them), so a credential that reached the runtime by any message shows there;
// - `runtimeEnvironment()`: the runtime process's environment and command line (/proc), where a key could hide.

/** The bytes exchanged with the runtime process, as text. */
export interface RuntimeWire {
  /** Everything this process wrote to the runtime (JSON-RPC requests and answers). */
  toRuntime(): string;
  /** Everything the runtime wrote to this process. */
  fromRuntime(): string;
}

export interface EdgeApp {
  readonly factory: CopilotSessionFactory;
  readonly client: CopilotClient;
  /** Every ProviderConfig `client.createSession` was given, in order. */
  readonly providers: ProviderConfig[];
  /** Every event of the request edge, in order. */
  readonly events: RequestEdgeEvent[];
  readonly wire: RuntimeWire;
  /** The runtime's COPILOT home (`baseDirectory`). */
  readonly home: string;
  /** A new session from the factory. */
  openSession(): Promise<CopilotSession>;
  /** The runtime process's environment and command line, NUL-separated, as text (Linux /proc). */
  runtimeEnvironment(): Promise<string>;
  /** The text of every file under the runtime's home (session state, logs), with its path. */
  homeFiles(): Promise<{ path: string; text: string }[]>;
  close(): Promise<void>;
}

export interface EdgeAppOptions {
  readonly env: Env;
  readonly modules: readonly ProviderConfigSourceModule[];
  /** Default `true` (what `registerCopilotByok` defaults to); `false` for a control run without the edge. */
  readonly requestEdge?: boolean;
}

type RuntimeProcess = {
  pid?: number;
  stdin: { write: (...args: unknown[]) => boolean };
  stdout: { on(event: "data", listener: (chunk: Buffer) => void): unknown };
};

/** Starts the app's default client (a runtime of its own) and taps its pipes; no session is opened yet. */
export async function startEdgeApp(options: EdgeAppOptions): Promise<EdgeApp> {
  const home = await createTempDir("e2e-edge-home-");
  const events: RequestEdgeEvent[] = [];
  const app = container.createChildContainer();
  try {
    registerCopilotByok(app, {
      env: options.env,
      modules: options.modules,
      clientOptions: { baseDirectory: home.path, logLevel: "none" },
      requestEdge: options.requestEdge ?? true,
      onRequestEdgeEvent: (event) => events.push(event),
    });
    const factory = app.resolve(CopilotSessionFactory);
    const client = await factory.getClient();
    await client.start();
    const runtime = (client as unknown as { cliProcess?: RuntimeProcess }).cliProcess;
    if (!runtime) throw new Error("the SDK no longer keeps its runtime process in cliProcess: adapt the tap");
    const toRuntime: string[] = [];
    const fromRuntime: string[] = [];
    const write = runtime.stdin.write.bind(runtime.stdin);
    runtime.stdin.write = (...args: unknown[]) => {
      const chunk = args[0];
      toRuntime.push(typeof chunk === "string" ? chunk : Buffer.from(chunk as Uint8Array).toString("utf8"));
      return write(...args);
    };
    runtime.stdout.on("data", (chunk) => fromRuntime.push(chunk.toString("utf8")));
    const providers: ProviderConfig[] = [];
    const createSession = client.createSession.bind(client);
    client.createSession = (config) => {
      if (config.provider) providers.push(config.provider);
      return createSession(config);
    };
    const sessions: CopilotSession[] = [];
    return {
      factory,
      client,
      providers,
      events,
      home: home.path,
      wire: { toRuntime: () => toRuntime.join(""), fromRuntime: () => fromRuntime.join("") },
      openSession: async () => {
        const session = await factory.createSession({ onPermissionRequest: approveAll });
        sessions.push(session);
        return session;
      },
      runtimeEnvironment: async () => {
        const pid = runtime.pid;
        if (pid === undefined) return "";
        const [environ, cmdline] = await Promise.all([
          readFile(`/proc/${pid}/environ`, "utf8"),
          readFile(`/proc/${pid}/cmdline`, "utf8"),
        ]);
        return `${environ}\0${cmdline}`;
      },
      homeFiles: () => filesUnder(home.path),
      close: async () => {
        await Promise.all(sessions.map((s) => s.disconnect().catch(() => undefined)));
        await Promise.resolve(app.dispose()).catch(() => undefined);
        await home.remove();
      },
    };
  } catch (error) {
    await Promise.resolve(app.dispose()).catch(() => undefined);
    await home.remove();
    throw error;
  }
}

async function filesUnder(dir: string): Promise<{ path: string; text: string }[]> {
  const found: { path: string; text: string }[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) found.push(...(await filesUnder(path)));
    else if (entry.isFile()) found.push({ path, text: await readFile(path, "utf8").catch(() => "") });
  }
  return found;
}

/**
 * The static-key module with a key file that nothing but a refusal makes it adopt in time: a poll every hour,
 * and a changed key seen by the poll or the directory watch adopted only after a minute (`settleMs`, which
 * `createStaticKeyModule` does not take: the module's `create` with the source's own options). `source()` is the
 * source it created.
 */
export function slowKeyFileModule() {
  let created: StaticKeyProviderConfigSource | undefined;
  const module: ProviderConfigSourceModule = {
    ...createStaticKeyModule(),
    create: (context) => {
      created = StaticKeyProviderConfigSource.fromEnv(context.env, {
        pollIntervalMs: 3_600_000,
        settleMs: 60_000,
      });
      return created;
    },
  };
  const source = () => {
    if (!created) throw new Error("the module created no source yet");
    return created;
  };
  return { module, source };
}

/** What a failed `sendAndWait` rejected with, or `undefined` when it answered. */
export async function failureOf(promise: Promise<unknown>): Promise<Error | undefined> {
  return promise.then(
    () => undefined,
    (error: unknown) => (error instanceof Error ? error : new Error(String(error))),
  );
}
