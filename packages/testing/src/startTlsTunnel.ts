import type { AddressInfo, Socket } from "node:net";
import { connect } from "node:net";
import { createServer, type TLSSocket } from "node:tls";

export interface TlsTunnelOptions {
  /** PEM: the server certificate (valid for every host of `targets`), then its CA. */
  readonly certificateChain: string;
  readonly privateKey: string;
  /** Host (the TLS server name a client asks for, lower case) → loopback port of a plain HTTP server. */
  readonly targets: Readonly<Record<string, number>>;
}

export interface TlsTunnel {
  readonly port: number;
  /** Server names of the connections made so far, in order. */
  readonly served: readonly string[];
  close(): Promise<void>;
}

/**
 * A TLS front for plain-HTTP emulators: a client that reaches `https://<host>` (through the CONNECT proxy)
 * gets a certificate for `<host>`, and the bytes in clear go to the emulator behind it. So a process that
 * trusts the emulators' CA (`NODE_EXTRA_CA_CERTS`) talks to a "public" host, e.g. an Azure Government
 * endpoint, without anything but its environment changed.
 */
export async function startTlsTunnel(options: TlsTunnelOptions): Promise<TlsTunnel> {
  const sockets = new Set<Socket>();
  const served: string[] = [];
  const track = (socket: Socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  };
  const server = createServer(
    { cert: options.certificateChain, key: options.privateKey },
    (socket: TLSSocket) => {
      const name = typeof socket.servername === "string" ? socket.servername.toLowerCase() : "";
      const port = options.targets[name];
      served.push(name);
      if (port === undefined) return void socket.destroy();
      const upstream = connect(port, "127.0.0.1");
      track(upstream);
      upstream.on("error", () => socket.destroy());
      socket.on("error", () => upstream.destroy());
      socket.pipe(upstream).pipe(socket);
    },
  );
  server.on("connection", track);
  server.on("tlsClientError", (_error, socket) => socket.destroy());
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    served,
    close: async () => {
      const done = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      await done;
    },
  };
}
