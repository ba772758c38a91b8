import { createServer, type Server } from "node:http";
import { request } from "node:https";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createServerCertificate, type ServerCertificate } from "./createServerCertificate.js";
import { startTlsTunnel, type TlsTunnel } from "./startTlsTunnel.js";

const HOST = "e2e-res.openai.azure.us";
let certificate: ServerCertificate;
let backend: Server;
let tunnel: TlsTunnel;
const seen: string[] = [];

beforeAll(async () => {
  certificate = await createServerCertificate({ hosts: [HOST, "other.openai.azure.us"] });
  backend = createServer((req, res) => {
    seen.push(`${req.method} ${req.headers.host} ${req.url}`);
    res.end("from the emulator");
  });
  await new Promise<void>((resolve) => backend.listen(0, "127.0.0.1", resolve));
  tunnel = await startTlsTunnel({
    ...certificate,
    targets: { [HOST]: (backend.address() as AddressInfo).port },
  });
});
afterAll(async () => {
  await tunnel?.close();
  await new Promise((resolve) => backend?.close(resolve));
});

/** GET https://<servername>/path, connecting to the tunnel, trusting only the test CA. */
function get(servername: string): Promise<{ status: number | undefined; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: "127.0.0.1",
        port: tunnel.port,
        servername,
        path: "/openai/v1/models",
        headers: { host: servername },
        ca: certificate.caCertificate,
        agent: false,
        timeout: 10_000,
      },
      (res) => {
        let body = "";
        res.on("data", (chunk: Buffer) => {
          body += chunk.toString();
        });
        res.on("end", () => resolve({ status: res.statusCode, body }));
      },
    );
    req.on("timeout", () => req.destroy(new Error("no answer within 10 s")));
    req.on("error", reject);
    req.end();
  });
}

describe("startTlsTunnel", () => {
  it("presents a certificate for the host and passes the bytes in clear to its emulator", async () => {
    expect(await get(HOST)).toEqual({ status: 200, body: "from the emulator" });
    expect(seen).toEqual([`GET ${HOST} /openai/v1/models`]);
    expect(tunnel.served).toEqual([HOST]);
  });

  it("closes a connection for a host it has no target for", async () => {
    await expect(get("other.openai.azure.us")).rejects.toThrow();
    expect(tunnel.served.at(-1)).toBe("other.openai.azure.us");
    expect(seen).toHaveLength(1);
  });

  it("a client that does not trust the CA is refused by its own TLS check", async () => {
    const untrusted = new Promise((resolve, reject) => {
      const req = request(
        { host: "127.0.0.1", port: tunnel.port, servername: HOST, path: "/", agent: false, timeout: 10_000 },
        resolve,
      );
      req.on("error", reject);
      req.end();
    });
    await expect(untrusted).rejects.toMatchObject({ code: "SELF_SIGNED_CERT_IN_CHAIN" });
  });
});
