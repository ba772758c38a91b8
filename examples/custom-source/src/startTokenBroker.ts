import { randomBytes } from "node:crypto";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";

/** A token and its expiry, in seconds since the epoch. */
export interface BrokerToken {
  readonly token: string;
  readonly expiresOn: number;
}

/** A stand-in token broker on 127.0.0.1 (a real app has its own): `GET /token` hands out a token. */
export interface TokenBroker {
  /** `http://127.0.0.1:<port>/token`: the `TOKEN_BROKER_URL`. */
  readonly url: string;
  /** Tokens handed out so far, oldest first (a provider stand-in accepts these while they are valid). */
  readonly issued: readonly BrokerToken[];
  /** Tokens that are not expired now. */
  validTokens(): string[];
  close(): Promise<void>;
}

export interface TokenBrokerOptions {
  /** Lifetime of a minted token. Default one hour. */
  readonly lifetimeSeconds?: number;
  /** Where the tokens come from. Default: opaque random tokens minted here. */
  readonly mint?: () => Promise<BrokerToken>;
  /** Default: a free port. */
  readonly port?: number;
}

/** Starts the broker. A token that cannot be had is answered with 502 and the reason. */
export async function startTokenBroker(options: TokenBrokerOptions = {}): Promise<TokenBroker> {
  const lifetimeSeconds = options.lifetimeSeconds ?? 3600;
  const mint =
    options.mint ??
    (async () => ({
      token: `broker-${randomBytes(16).toString("hex")}`,
      expiresOn: Math.floor(Date.now() / 1000) + lifetimeSeconds,
    }));
  const issued: BrokerToken[] = [];
  const server = createServer((req, res) => {
    if (req.method !== "GET" || req.url !== "/token") return void res.writeHead(404).end();
    mint().then(
      (token) => {
        issued.push(token);
        res.writeHead(200, { "content-type": "application/json" });
        res.end(JSON.stringify({ access_token: token.token, expires_on: token.expiresOn }));
      },
      (error: unknown) => {
        res.writeHead(502, { "content-type": "application/json" });
        res.end(JSON.stringify({ error: error instanceof Error ? error.message : String(error) }));
      },
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, "127.0.0.1", resolve);
  });
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
