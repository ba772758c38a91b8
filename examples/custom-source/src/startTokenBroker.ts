import { randomBytes } from "node:crypto";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";

/** A stand-in token broker on 127.0.0.1 (a real app has its own): `GET /token` mints an opaque token. */
export interface TokenBroker {
  /** `http://127.0.0.1:<port>/token`: the `TOKEN_BROKER_URL`. */
  readonly url: string;
  /** Tokens minted so far, oldest first (a provider stand-in accepts these while they are valid). */
  readonly issued: readonly { readonly token: string; readonly expiresOn: number }[];
  /** Tokens that are not expired now. */
  validTokens(): string[];
  close(): Promise<void>;
}

/** Starts the broker; each token lives `lifetimeSeconds` (default one hour). */
export async function startTokenBroker(lifetimeSeconds = 3600): Promise<TokenBroker> {
  const issued: { token: string; expiresOn: number }[] = [];
  const server = createServer((req, res) => {
    if (req.method !== "GET" || req.url !== "/token") return void res.writeHead(404).end();
    const token = `broker-${randomBytes(16).toString("hex")}`;
    const expiresOn = Math.floor(Date.now() / 1000) + lifetimeSeconds;
    issued.push({ token, expiresOn });
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify({ access_token: token, expires_on: expiresOn }));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/token`,
    issued,
    validTokens: () => issued.filter((t) => t.expiresOn * 1000 > Date.now()).map((t) => t.token),
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
