import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { type ConnectProxy, startConnectProxy } from "@copilot-byok/testing";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { fetchThroughProxy, proxyFor } from "./fetchThroughProxy.js";

// The proxy tunnels (CONNECT) to the server and records each tunnel: a record says the request went through
// the proxy, none that it went straight to the server.
let proxy: ConnectProxy;
let server: Server;
let port: number;
let url: string;

beforeAll(async () => {
  server = createServer((_req, res) => res.end("served"));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  port = (server.address() as AddressInfo).port;
  url = `http://127.0.0.1:${port}/ping`;
  proxy = await startConnectProxy({ routes: { [`127.0.0.1:${port}`]: { host: "127.0.0.1", port } } });
});
afterAll(async () => {
  await proxy?.close();
  await new Promise((resolve) => server?.close(resolve));
});
beforeEach(() => proxy.reset());

describe("fetchThroughProxy", () => {
  it("goes straight to the server when no proxy variable is set", async () => {
    const response = await fetchThroughProxy(url, {}, {});
    expect([response.status, await response.text()]).toEqual([200, "served"]);
    expect(proxy.requests).toEqual([]);
  });

  it.each(["HTTP_PROXY", "http_proxy"])("goes through %s", async (name) => {
    const response = await fetchThroughProxy(url, {}, { [name]: proxy.url });
    expect([response.status, await response.text()]).toEqual([200, "served"]);
    expect(proxy.requests.map((r) => [r.method, r.target, r.tunnelled])).toEqual([
      ["CONNECT", `127.0.0.1:${port}`, true],
    ]);
  });

  it.each(["NO_PROXY", "no_proxy"])("keeps the hosts of %s off the proxy", async (name) => {
    const response = await fetchThroughProxy(url, {}, { HTTP_PROXY: proxy.url, [name]: "127.0.0.1" });
    expect([response.status, await response.text()]).toEqual([200, "served"]);
    expect(proxy.requests).toEqual([]);
  });

  it("reads only the env it is given, not process.env", async () => {
    const saved = process.env.NO_PROXY;
    process.env.NO_PROXY = "127.0.0.1";
    try {
      const response = await fetchThroughProxy(url, {}, { HTTP_PROXY: proxy.url });
      await response.body?.cancel();
      expect(proxy.requests.map((r) => r.tunnelled)).toEqual([true]);
    } finally {
      if (saved === undefined) delete process.env.NO_PROXY;
      else process.env.NO_PROXY = saved;
    }
  });

  it("an empty proxy variable is no proxy", async () => {
    const response = await fetchThroughProxy(url, {}, { HTTPS_PROXY: " ", HTTP_PROXY: "" });
    expect(response.status).toBe(200);
    await response.body?.cancel();
    expect(proxy.requests).toEqual([]);
  });
});

describe("proxyFor", () => {
  it.each([
    ["https://r.openai.azure.com/x", { HTTPS_PROXY: "http://p:1" }, "HTTPS_PROXY"],
    ["https://r.openai.azure.com/x", { https_proxy: "http://p:1", HTTPS_PROXY: "http://q:1" }, "https_proxy"],
    ["https://r.openai.azure.com/x", { HTTP_PROXY: "http://p:1" }, "HTTP_PROXY"],
    ["http://127.0.0.1:8/x", { HTTPS_PROXY: "http://p:1" }, undefined],
    ["https://r.openai.azure.com/x", { HTTPS_PROXY: "http://p:1", NO_PROXY: ".azure.com" }, undefined],
    [
      "https://r.openai.azure.com/x",
      { HTTPS_PROXY: "http://p:1", NO_PROXY: "a, *.openai.azure.com" },
      undefined,
    ],
    ["https://r.openai.azure.com/x", { HTTPS_PROXY: "http://p:1", NO_PROXY: "azure.us" }, "HTTPS_PROXY"],
    ["https://r.openai.azure.com/x", { HTTPS_PROXY: "http://p:1", no_proxy: "*" }, undefined],
    ["https://r.openai.azure.com/x", {}, undefined],
  ])("%s with %o → %s", (url, env, name) => {
    expect(proxyFor(url, env)?.name).toBe(name);
  });
});
