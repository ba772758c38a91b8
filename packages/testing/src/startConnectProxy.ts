import { createServer } from "node:http";
import { type AddressInfo, connect, type Socket } from "node:net";

/** Where the proxy sends the tunnel for one `host:port` target. */
export interface ProxyRoute {
  readonly host: string;
  readonly port: number;
}

export interface ConnectProxyOptions {
  /**
   * Targets (`host:port`, lower case) tunnelled and where to: every other target is refused with 403.
   * A function is read on each request.
   */
  readonly routes: Readonly<Record<string, ProxyRoute>> | ((target: string) => ProxyRoute | undefined);
  /** Default: a random free port. */
  readonly port?: number;
  /** Longest wait for the route's server to accept the tunnel's connection. Default 5000 ms. */
  readonly connectTimeoutMs?: number;
}

/** One request the proxy received: a `CONNECT` or a plain (absolute-URL) proxy request. */
export interface ProxyRequestRecord {
  /** Milliseconds since the Unix epoch. */
  readonly at: number;
  readonly method: string;
  /** `host:port` for `CONNECT`, the URL for plain requests. */
  readonly target: string;
  /** Whether a tunnel was opened. */
  readonly tunnelled: boolean;
  /** Why it was refused or broke, e.g. `no route`. */
  readonly error: string | undefined;
}

export interface ConnectProxy {
  /** `http://127.0.0.1:<port>`: the value of `HTTPS_PROXY`. */
  readonly url: string;
  readonly port: number;
  readonly requests: readonly ProxyRequestRecord[];
  /** Clears the request log. */
  reset(): void;
  /** Stops the proxy and destroys every tunnel. */
  close(): Promise<void>;
}

type MutableRecord = { -readonly [K in keyof ProxyRequestRecord]: ProxyRequestRecord[K] };

/**
 * Starts a loopback HTTP proxy that opens `CONNECT` tunnels only to the targets in `routes`, handing each to
 * a local server, so a client with `HTTPS_PROXY` set reaches a fake of a public host (TLS stays end to end:
 * the proxy never sees the bytes in clear). Anything else is refused and recorded.
 */
export async function startConnectProxy(options: ConnectProxyOptions): Promise<ConnectProxy> {
  const sockets = new Set<Socket>();
  const track = (socket: Socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  };
  let requests: ProxyRequestRecord[] = [];
  const routeOf = (target: string) =>
    typeof options.routes === "function" ? options.routes(target) : options.routes[target];
  const server = createServer((req, res) => {
    // Plain proxying (`HTTP_PROXY`, absolute URLs) is not offered: the tests use TLS end to end.
    requests.push({
      at: Date.now(),
      method: req.method ?? "",
      target: req.url ?? "",
      tunnelled: false,
      error: "only CONNECT is served",
    });
    res.writeHead(403, { "content-type": "text/plain", connection: "close" });
    res.end("copilot-byok test proxy: only CONNECT to an emulated host is served\n");
  });
  server.on("connection", track);
  server.on("connect", (req, client: Socket, head: Buffer) => {
    const target = (req.url ?? "").toLowerCase();
    const record: MutableRecord = {
      at: Date.now(),
      method: "CONNECT",
      target,
      tunnelled: false,
      error: undefined,
    };
    requests.push(record);
    client.on("error", () => client.destroy());
    const route = routeOf(target);
    if (!route) {
      record.error = "no route";
      client.end(`HTTP/1.1 403 Forbidden\r\ncontent-type: text/plain\r\nconnection: close\r\n\r\n`);
      return;
    }
    const upstream = connect(route.port, route.host);
    track(upstream);
    upstream.setTimeout(options.connectTimeoutMs ?? 5000, () => {
      record.error = "upstream connect timeout";
      upstream.destroy();
    });
    upstream.on("error", (error) => {
      record.error ??= `upstream: ${error.message}`;
      if (!record.tunnelled && client.writable) client.end("HTTP/1.1 502 Bad Gateway\r\n\r\n");
      else client.destroy();
    });
    upstream.on("connect", () => {
      upstream.setTimeout(0); // connected: a tunnel may stay idle as long as its ends like
      record.tunnelled = true;
      client.write("HTTP/1.1 200 Connection Established\r\n\r\n");
      if (head.length > 0) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    client.on("close", () => upstream.destroy());
    upstream.on("close", () => client.destroy());
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, "127.0.0.1", () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  let closed = false;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    get requests() {
      return requests;
    },
    reset: () => {
      requests = [];
    },
    close: async () => {
      if (closed) return;
      closed = true;
      const done = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      await done;
    },
  };
}
