import { X509Certificate } from "node:crypto";
import { createServer, request } from "node:https";
import type { AddressInfo } from "node:net";
import { describe, expect, it } from "vitest";
import { createServerCertificate } from "./createServerCertificate.js";

describe("createServerCertificate", () => {
  it("issues a server certificate for every host (and 127.0.0.1) signed by a CA of its own", async () => {
    const { caCertificate, certificateChain } = await createServerCertificate({
      hosts: ["login.microsoftonline.com", "LOGIN.microsoftonline.us"],
    });
    const ca = new X509Certificate(caCertificate);
    const leaf = new X509Certificate(certificateChain);
    expect(ca.ca).toBe(true);
    expect(leaf.ca).toBe(false);
    expect(leaf.checkIssued(ca)).toBe(true);
    expect(leaf.verify(ca.publicKey)).toBe(true);
    expect(leaf.subjectAltName).toBe(
      "DNS:login.microsoftonline.com, DNS:login.microsoftonline.us, IP Address:127.0.0.1",
    );
    expect(leaf.checkHost("login.microsoftonline.us")).toBe("login.microsoftonline.us");
    expect(leaf.checkHost("login.chinacloudapi.cn")).toBeUndefined();
    expect(leaf.keyUsage).toEqual(["1.3.6.1.5.5.7.3.1"]);
  });

  it("makes a new CA each time: one emulator's CA does not trust another's certificate", async () => {
    const [a, b] = await Promise.all([
      createServerCertificate({ hosts: ["example.test"] }),
      createServerCertificate({ hosts: ["example.test"] }),
    ]);
    expect(new X509Certificate(a.certificateChain).checkIssued(new X509Certificate(b.caCertificate))).toBe(
      false,
    );
  });

  it("is accepted by Node's TLS client that trusts the CA", async () => {
    const cert = await createServerCertificate({ hosts: ["login.microsoftonline.com"] });
    const server = createServer({ cert: cert.certificateChain, key: cert.privateKey }, (_req, res) =>
      res.end("ok"),
    );
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const get = (servername: string) =>
        new Promise<string>((resolve, reject) => {
          const req = request(
            {
              host: "127.0.0.1",
              port,
              servername,
              ca: cert.caCertificate,
              signal: AbortSignal.timeout(5000),
            },
            (res) => res.on("data", (d: Buffer) => resolve(d.toString())).on("error", reject),
          );
          req.on("error", reject).end();
        });
      await expect(get("login.microsoftonline.com")).resolves.toBe("ok");
      await expect(get("login.microsoftonline.us")).rejects.toThrow(/altnames/);
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it("refuses an empty or invalid host list, naming the culprit", async () => {
    await expect(createServerCertificate({ hosts: [] })).rejects.toThrow("at least one host");
    await expect(createServerCertificate({ hosts: ["https://login.microsoftonline.com"] })).rejects.toThrow(
      '"https://login.microsoftonline.com" is not a DNS name',
    );
  });
});
