import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { probeProvider, redactSecrets } from "./probeProvider.js";

const KEY = "sk-canary-probe-key-8c41d2e7b05f";
const TOKEN = "canary-probe-token-3a9f61c0d2e4";

let server: Server | undefined;
afterEach(async () => {
  server?.closeAllConnections();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
});

/** A provider answering 401 echoing the credential it got, in JSON or as plain text (across the 300-character cut). */
async function echoingProvider(as: "json" | "text"): Promise<string> {
  server = createServer((req, res) => {
    const sent = String(req.headers.authorization ?? req.headers["api-key"] ?? "").replace(/^Bearer /, "");
    const message = `Incorrect API key provided: ${sent}. Also ${encodeURIComponent(sent)}.`;
    res.writeHead(401, { "content-type": as === "json" ? "application/json" : "text/plain" });
    res.end(as === "json" ? JSON.stringify({ error: { message } }) : `${"x".repeat(257)}${message}`);
  });
  await new Promise<void>((resolve) => server?.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/openai/v1/`;
}

describe("probeProvider", () => {
  it.each([
    ["an API key, openai", { apiKey: KEY }, KEY],
    ["an API key, azure (api-key header)", { apiKey: KEY, type: "azure" as const }, KEY],
    ["a bearer token", { bearerToken: TOKEN }, TOKEN],
    ["a bearer token provider", { bearerTokenProvider: async () => TOKEN }, TOKEN],
  ])("masks %s the provider's error message echoes", async (_, credential, secret) => {
    for (const as of ["json", "text"] as const) {
      const baseUrl = await echoingProvider(as);
      const result = await probeProvider(
        {
          ...credential,
          baseUrl: "type" in credential ? baseUrl.replace(/openai\/v1\/$/, "") : baseUrl,
        },
        { model: "gpt-4.1", timeoutMs: 5_000 },
      );
      expect(result.status).toBe(401);
      const text = JSON.stringify(result);
      expect(text).not.toContain(secret);
      expect(text).not.toContain(secret.slice(0, 12));
      if (as === "json") expect(result.message).toContain("Incorrect API key provided: [REDACTED].");
      server?.closeAllConnections();
      await new Promise<void>((resolve) => server?.close(() => resolve()));
      server = undefined;
    }
  });
});

describe("redactSecrets", () => {
  it("replaces every occurrence, URL-encoded ones too, and leaves other text alone", () => {
    expect(redactSecrets("a k/y+1 b k/y+1 c k%2Fy%2B1", ["k/y+1"])).toBe(
      "a [REDACTED] b [REDACTED] c [REDACTED]",
    );
    expect(redactSecrets("nothing here", ["", "secret"])).toBe("nothing here");
  });
});
