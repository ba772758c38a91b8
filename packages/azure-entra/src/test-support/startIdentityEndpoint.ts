import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { makeJwt } from "@copilot-byok/test-utils/makeJwt";

/** A request the endpoint received. */
export interface IdentityRequest {
  readonly path: string;
  readonly resource: string | null;
  readonly clientId: string | null;
  readonly apiVersion: string | null;
  readonly identityHeader: string | undefined;
}

export interface IdentityEndpoint {
  /** Value for `IDENTITY_ENDPOINT`. */
  readonly url: string;
  /** Value for `IDENTITY_HEADER`. */
  readonly header: string;
  readonly requests: IdentityRequest[];
  /** Answers of the next requests: `ok` (default), or an error status. */
  failNext(count: number, status?: number): void;
  /** `IDENTITY_ENDPOINT`/`IDENTITY_HEADER`, to set in `process.env`. */
  env(): Record<string, string>;
  close(): Promise<void>;
}

/**
 * A tiny Azure App Service managed-identity endpoint (the protocol `@azure/identity` speaks when
 * `IDENTITY_ENDPOINT` and `IDENTITY_HEADER` are set), on 127.0.0.1 with a random port. Tokens are unsigned
 * JWTs whose audience is the requested resource, expiring in `lifetimeSeconds`.
 * Stands in until `@copilot-byok/testing`'s managed-identity emulator is available.
 */
export async function startIdentityEndpoint(
  options: { lifetimeSeconds?: number; header?: string; tenantId?: string } = {},
): Promise<IdentityEndpoint> {
  const lifetime = options.lifetimeSeconds ?? 3600;
  const header = options.header ?? "identity-header-secret-0a1b2c3d";
  const tenantId = options.tenantId ?? "00000000-0000-4000-8000-00000000000a";
  const requests: IdentityRequest[] = [];
  let failures: { count: number; status: number } = { count: 0, status: 500 };

  const handle = (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const identityHeader = req.headers["x-identity-header"];
    const record: IdentityRequest = {
      path: url.pathname,
      resource: url.searchParams.get("resource"),
      clientId: url.searchParams.get("client_id"),
      apiVersion: url.searchParams.get("api-version"),
      identityHeader: typeof identityHeader === "string" ? identityHeader : undefined,
    };
    requests.push(record);
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { "content-type": "application/json" });
      res.end(JSON.stringify(body));
    };
    if (record.identityHeader !== header) {
      send(401, { error: "unauthorized", error_description: "missing or wrong X-IDENTITY-HEADER" });
      return;
    }
    if (!record.resource) {
      send(400, { error: "invalid_request", error_description: "resource is required" });
      return;
    }
    if (failures.count > 0) {
      failures = { ...failures, count: failures.count - 1 };
      send(failures.status, {
        error: "invalid_resource",
        error_description: "scripted failure of the test endpoint",
      });
      return;
    }
    const now = Math.floor(Date.now() / 1000);
    const clientId = record.clientId ?? "11111111-1111-4111-8111-111111111111";
    const token = makeJwt({
      aud: record.resource,
      iss: `https://sts.windows.net/${tenantId}/`,
      tid: tenantId,
      oid: "22222222-2222-4222-8222-222222222222",
      appid: clientId,
      iat: now,
      nbf: now,
      exp: now + lifetime,
      n: requests.length,
    });
    send(200, {
      access_token: token,
      expires_on: String(now + lifetime),
      resource: record.resource,
      token_type: "Bearer",
      client_id: clientId,
    });
  };

  const server = createServer(handle);
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}/msi/token`;
  return {
    url,
    header,
    requests,
    failNext(count, status = 400) {
      failures = { count, status };
    },
    env: () => ({ IDENTITY_ENDPOINT: url, IDENTITY_HEADER: header }),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
