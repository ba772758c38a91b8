import "reflect-metadata";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { azureEntraModule } from "@copilot-byok/azure-entra";
import {
  CopilotSessionFactory,
  createConsoleLogger,
  type Env,
  type Logger,
  PROVIDER_CONFIG_SOURCE,
  registerCopilotByok,
} from "@copilot-byok/core";
import { staticKeyModule } from "@copilot-byok/static-key";
import { approveAll } from "@github/copilot-sdk";
import { container } from "tsyringe";

export interface ChatServer {
  readonly url: string;
  readonly mode: string;
  /** Stops accepting, lets in-flight requests finish (bounded), then stops the runtime and the token refresher. */
  close(): Promise<void>;
}

export interface ChatServerOptions {
  port?: number;
  host?: string;
  logger?: Logger;
  /** How long in-flight requests may take to finish on shutdown. */
  drainTimeoutMs?: number;
  /** Bound on one model call. */
  requestTimeoutMs?: number;
}

const MAX_BODY = 64 * 1024;

/**
 * An HTTP service that creates one Copilot session per request. Over hours, Entra tokens are refreshed
 * in the background by the source; a rotated key file is picked up by the static-key source.
 *   POST /ask {"prompt": "..."} → {"mode", "reply"}      GET /healthz → {"mode", "source"}
 */
export async function startChatServer(env: Env, options: ChatServerOptions = {}): Promise<ChatServer> {
  const logger = options.logger ?? createConsoleLogger("chat-server");
  const app = container.createChildContainer();
  const selection = registerCopilotByok(app, {
    env,
    modules: [staticKeyModule, azureEntraModule],
    logger,
    clientOptions: env.COPILOT_HOME ? { baseDirectory: env.COPILOT_HOME } : {},
  });
  const sessions = app.resolve(CopilotSessionFactory);
  const source = app.resolve(PROVIDER_CONFIG_SOURCE);
  const inFlight = new Set<Promise<void>>();
  let closing = false;

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.method === "GET" && req.url === "/healthz") {
      return send(res, closing ? 503 : 200, { mode: selection.mode, source: source.describe(), closing });
    }
    if (req.method !== "POST" || req.url !== "/ask")
      return send(res, 404, { error: "use POST /ask or GET /healthz" });
    if (closing) return send(res, 503, { error: "shutting down" });
    const body = await readJson(req);
    const prompt = typeof body?.prompt === "string" ? body.prompt.trim() : "";
    if (!prompt) return send(res, 400, { error: 'send {"prompt": "<text>"}' });
    const signal = AbortSignal.timeout(options.requestTimeoutMs ?? 60_000);
    const session = await sessions.createSession({ onPermissionRequest: approveAll }, { signal });
    try {
      const reply = await session.sendAndWait(prompt, options.requestTimeoutMs ?? 60_000);
      send(res, 200, { mode: selection.mode, reply: reply?.data.content ?? "" });
    } finally {
      await session.disconnect();
    }
  }

  const server = createServer((req, res) => {
    const work = handle(req, res)
      .catch((error: unknown) => {
        logger.error("request failed", { error });
        if (!res.headersSent) send(res, 502, { error: error instanceof Error ? error.name : "error" });
      })
      .finally(() => inFlight.delete(work));
    inFlight.add(work);
  });
  server.requestTimeout = 120_000;
  server.headersTimeout = 10_000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, options.host ?? "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  logger.info("listening", { port, mode: selection.mode });

  return {
    url: `http://${options.host ?? "127.0.0.1"}:${port}`,
    mode: selection.mode,
    async close() {
      if (closing) return;
      closing = true;
      const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      const drain = Promise.allSettled([...inFlight]);
      const bound = new Promise((resolve) => setTimeout(resolve, options.drainTimeoutMs ?? 30_000).unref());
      await Promise.race([drain, bound]);
      server.closeAllConnections();
      await stopped;
      await app.dispose();
      logger.info("stopped");
    },
  };
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
}

async function readJson(req: IncomingMessage): Promise<{ prompt?: unknown } | undefined> {
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) return undefined;
    chunks.push(chunk as Buffer);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString("utf8")) as { prompt?: unknown };
  } catch {
    return undefined;
  }
}
