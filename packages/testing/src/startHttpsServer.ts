import { createServer } from "node:https";
import type { AddressInfo, Socket } from "node:net";
import type { RequestHandler, TestHttpServer } from "./startHttpServer.js";

export interface HttpsServerOptions {
  /** PEM: the server certificate, then its CA. */
  readonly certificateChain: string;
  /** PEM private key of the server certificate. */
  readonly privateKey: string;
  /** Default: a random free port. */
  readonly port?: number;
}

/** `TestHttpServer` over TLS. */
export interface TestHttpsServer extends TestHttpServer {
  /**
   * Resets (TCP RST) the connection under a request's TLS socket: `socket.resetAndDestroy()` only works on a
   * plain TCP socket.
   */
  resetConnection(tlsSocket: Socket): void;
}

/**
 * Starts an HTTPS server on 127.0.0.1: the TLS twin of `startHttpServer`, whose `close()` likewise leaves
 * nothing behind (open, idle and hung sockets, timers). `origin` is `https://127.0.0.1:<port>`.
 */
export async function startHttpsServer(
  handler: RequestHandler,
  options: HttpsServerOptions,
): Promise<TestHttpsServer> {
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  let closed = false;
  const server = createServer({ cert: options.certificateChain, key: options.privateKey }, (req, res) => {
    handler(req, res).catch((error: unknown) => {
      if (res.headersSent) return void res.destroy();
      res.writeHead(500, { "content-type": "application/json" });
      res.end(
        JSON.stringify({ error: "server_error", error_description: `emulator error: ${String(error)}` }),
      );
    });
  });
  // The raw TCP sockets, so close() also ends connections still in the TLS handshake.
  server.on("connection", (socket: Socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  // A client that drops the handshake (or a tunnel cut by the proxy) is not an emulator error.
  server.on("tlsClientError", (_error, socket) => socket.destroy());
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, "127.0.0.1", () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    origin: `https://127.0.0.1:${port}`,
    port,
    sleep: (ms) =>
      new Promise((resolve) => {
        if (closed) return;
        const timer = setTimeout(() => {
          timers.delete(timer);
          resolve();
        }, ms);
        timers.add(timer);
      }),
    resetConnection: (tlsSocket) => {
      const raw = [...sockets].find(
        (s) => s.remotePort === tlsSocket.remotePort && s.remoteAddress === tlsSocket.remoteAddress,
      );
      if (raw) raw.resetAndDestroy();
      else tlsSocket.destroy();
    },
    close: async () => {
      if (closed) return;
      closed = true;
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      const done = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      await done;
    },
  };
}
