import { once } from "node:events";
import { connect, createServer, type Server, type Socket } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ConnectProxy, startConnectProxy } from "./startConnectProxy.js";

let echo: Server;
let proxy: ConnectProxy;
let echoPort: number;
const serverSockets = new Set<Socket>();

/** Sends a CONNECT and returns the proxy's status line and the socket (tunnel) after it. */
async function connectThrough(target: string, via = proxy): Promise<{ status: string; socket: Socket }> {
  const socket = connect(via.port, "127.0.0.1");
  socket.setTimeout(5000, () => socket.destroy(new Error("timeout")));
  await once(socket, "connect");
  socket.write(`CONNECT ${target} HTTP/1.1\r\nHost: ${target}\r\n\r\n`);
  const [chunk] = (await once(socket, "data")) as [Buffer];
  return { status: chunk.toString().split("\r\n")[0] ?? "", socket };
}

beforeAll(async () => {
  echo = createServer((socket) => {
    serverSockets.add(socket);
    socket.pipe(socket);
  });
  await new Promise<void>((resolve) => echo.listen(0, "127.0.0.1", resolve));
  echoPort = (echo.address() as { port: number }).port;
  proxy = await startConnectProxy({
    routes: { "login.microsoftonline.com:443": { host: "127.0.0.1", port: echoPort } },
  });
});
afterAll(async () => {
  await proxy.close();
  for (const s of serverSockets) s.destroy();
  await new Promise((resolve) => echo.close(resolve));
});

describe("startConnectProxy", () => {
  it("tunnels a routed target (any case) to its server, both ways", async () => {
    proxy.reset();
    const { status, socket } = await connectThrough("LOGIN.microsoftonline.com:443");
    expect(status).toBe("HTTP/1.1 200 Connection Established");
    socket.write("ping");
    const [reply] = (await once(socket, "data")) as [Buffer];
    expect(reply.toString()).toBe("ping");
    socket.destroy();
    expect(proxy.requests).toMatchObject([
      { method: "CONNECT", target: "login.microsoftonline.com:443", tunnelled: true, error: undefined },
    ]);
  });

  it("refuses other targets with 403 and records them", async () => {
    proxy.reset();
    for (const target of ["login.microsoftonline.com:80", "graph.microsoft.com:443"]) {
      const { status, socket } = await connectThrough(target);
      expect(status).toBe("HTTP/1.1 403 Forbidden");
      socket.destroy();
    }
    expect(proxy.requests.map((r) => [r.target, r.tunnelled, r.error])).toEqual([
      ["login.microsoftonline.com:80", false, "no route"],
      ["graph.microsoft.com:443", false, "no route"],
    ]);
  });

  it("refuses plain (non-CONNECT) proxy requests", async () => {
    proxy.reset();
    const res = await fetch(`${proxy.url}/http://169.254.169.254/metadata`, {
      signal: AbortSignal.timeout(5000),
    });
    expect(res.status).toBe(403);
    expect(proxy.requests).toMatchObject([
      { method: "GET", tunnelled: false, error: "only CONNECT is served" },
    ]);
  });

  it("answers 502 when the route's server is gone, and close() ends open tunnels", async () => {
    const dead = await startConnectProxy({ routes: () => ({ host: "127.0.0.1", port: 1 }) });
    const socket = connect(dead.port, "127.0.0.1");
    socket.setTimeout(5000, () => socket.destroy(new Error("timeout")));
    await once(socket, "connect");
    socket.write("CONNECT a.test:443 HTTP/1.1\r\n\r\n");
    const [chunk] = (await once(socket, "data")) as [Buffer];
    expect(chunk.toString()).toMatch(/^HTTP\/1.1 502/);
    expect(dead.requests[0]?.error).toMatch(/^upstream: /);
    await dead.close();

    const own = await startConnectProxy({ routes: () => ({ host: "127.0.0.1", port: echoPort }) });
    const { socket: open } = await connectThrough("any.test:443", own);
    const closed = once(open, "close");
    await own.close();
    await closed;
  });
});
