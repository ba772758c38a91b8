import { request } from "node:https";
import type { EntraAuthorityEmulator } from "../startEntraAuthorityEmulator.js";

export interface AuthorityResponse {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: Record<string, unknown>;
}

export interface AuthorityRequestOptions {
  readonly method?: string;
  /** A form body (POST). */
  readonly form?: Readonly<Record<string, string>>;
  /** Default `login.microsoftonline.com`: the TLS server name and `Host`. */
  readonly host?: string;
  /** Default 10 s. */
  readonly timeoutMs?: number;
}

/** Calls the emulator's TLS server directly (trusting its CA), as a client of `host` would. */
export function requestAuthority(
  emulator: EntraAuthorityEmulator,
  path: string,
  options: AuthorityRequestOptions = {},
): Promise<AuthorityResponse> {
  const host = options.host ?? "login.microsoftonline.com";
  const body = options.form ? new URLSearchParams(options.form).toString() : undefined;
  const url = new URL(emulator.url);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: "127.0.0.1",
        port: url.port,
        path,
        method: options.method ?? (body === undefined ? "GET" : "POST"),
        servername: host,
        ca: emulator.caCertificate,
        headers: {
          host,
          ...(body === undefined ? {} : { "content-type": "application/x-www-form-urlencoded" }),
        },
        signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
      },
      (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => {
          text += chunk;
        });
        res.on("error", reject);
        res.on("end", () => {
          let parsed: Record<string, unknown>;
          try {
            parsed = JSON.parse(text) as Record<string, unknown>;
          } catch {
            parsed = { unparsed: text };
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: parsed });
        });
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}
