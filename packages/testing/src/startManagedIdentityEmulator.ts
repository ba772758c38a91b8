import { randomBytes, randomUUID } from "node:crypto";
import {
  createTokenAuthority,
  type IssuedToken,
  type IssueTokenOptions,
  type TokenVerifier,
} from "./createTokenAuthority.js";
import { applyFault, describeFault, type Fault, FaultQueue } from "./FaultQueue.js";
import { sendJson } from "./sendJson.js";
import { startHttpServer } from "./startHttpServer.js";

/** How `@azure/identity` reaches the emulator: App Service / Functions, or IMDS (VMs, AKS pod identity). */
export type ManagedIdentityProtocol = "app-service" | "imds";

export interface ManagedIdentityEmulatorOptions {
  /** Default: a fixed test GUID. */
  readonly tenantId?: string;
  /** Client id of the (system-assigned) identity; the `appid` claim. */
  readonly clientId?: string;
  /** Object (principal) id of the identity; the `oid` claim. */
  readonly objectId?: string;
  /** Subscription the fake `az` reports. */
  readonly subscriptionId?: string;
  /** Default 3600. Negative: tokens that have already expired. */
  readonly tokenLifetimeSeconds?: number;
  /** Unit of `expires_on` in answers. Default `seconds`, as Azure does. */
  readonly expiresOnUnit?: "seconds" | "milliseconds";
  /** The App Service secret (`IDENTITY_HEADER`). Default: random. */
  readonly identityHeader?: string;
  /** When set, a request naming another `client_id` is refused with 400 "Identity not found", as IMDS does. */
  readonly userAssignedClientIds?: readonly string[];
  /** Default: a random free port. */
  readonly port?: number;
}

/** One request the emulator received. Never holds a token or the identity header. */
export interface ManagedIdentityRequestRecord {
  /** Milliseconds since the Unix epoch. */
  readonly at: number;
  readonly protocol: ManagedIdentityProtocol | "azure-cli" | "unknown";
  readonly path: string;
  /** `resource` query parameter (the fake `az`'s `--resource` or `--scope`). */
  readonly resource: string | undefined;
  /** User-assigned identity requested by `client_id`, `object_id`, `mi_res_id`/`msi_res_id`. */
  readonly clientId: string | undefined;
  readonly objectId: string | undefined;
  readonly resourceId: string | undefined;
  /** HTTP status answered; `undefined` when the request hung, was reset or is still pending. */
  readonly status: number | undefined;
  /** The injected fault, described, e.g. `status 429`. */
  readonly fault: string | undefined;
  /** Why the request was refused. */
  readonly error: string | undefined;
  /** `jti` of the token issued. */
  readonly tokenId: string | undefined;
}

export interface ManagedIdentityEmulator extends TokenVerifier {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  readonly port: number;
  /** App Service endpoint: `<url>/msi/token` (`IDENTITY_ENDPOINT`). */
  readonly identityEndpoint: string;
  /** App Service secret (`IDENTITY_HEADER`). */
  readonly identityHeader: string;
  readonly tenantId: string;
  readonly clientId: string;
  readonly objectId: string;
  readonly subscriptionId: string;
  /** `https://sts.windows.net/<tenantId>/` */
  readonly issuer: string;
  /** PEM (SPKI) public key of the RS256 signing key. */
  readonly publicKey: string;
  /** Lifetime of tokens issued from now on (negative: already expired). */
  tokenLifetimeSeconds: number;
  /** Unit of `expires_on` in answers from now on. */
  expiresOnUnit: "seconds" | "milliseconds";
  readonly requests: readonly ManagedIdentityRequestRecord[];
  /** Every HTTP request received, probes and refused ones included. */
  readonly requestCount: number;
  /** Tokens issued over HTTP (not by `issueToken`). */
  readonly tokensIssued: number;
  /** Env vars that point the real `@azure/identity` at this emulator. */
  env(protocol?: ManagedIdentityProtocol): Record<string, string>;
  /** Mints a token directly, signed like the ones served. */
  issueToken(options?: IssueTokenOptions): IssuedToken;
  /** Scripted faults, consumed one per token request, in order. */
  enqueueFaults(faults: readonly Fault[]): void;
  /** `true`: every token request answers 503; a `Fault` (e.g. `{ reset: true }`): applied to every request. */
  setDown(down: boolean | Fault): void;
  /** Clears the request log, counters and faults. */
  reset(): void;
  /** Stops the server and destroys every open socket, hung ones included. */
  close(): Promise<void>;
}

/** Application id of the Azure CLI: the `appid` of tokens the fake `az` gets. */
export const AZURE_CLI_APP_ID = "04b07795-8ddb-461a-bbee-02f9e1bf7b46";

const PATHS: Readonly<Record<string, ManagedIdentityRequestRecord["protocol"]>> = {
  "/msi/token": "app-service",
  "/metadata/identity/oauth2/token": "imds",
  "/azure-cli/token": "azure-cli",
};

type MutableRecord = { -readonly [K in keyof ManagedIdentityRequestRecord]: ManagedIdentityRequestRecord[K] };

/**
 * Starts an Azure managed-identity token endpoint on 127.0.0.1 that speaks the App Service protocol
 * (`IDENTITY_ENDPOINT`/`IDENTITY_HEADER`), the IMDS protocol (`AZURE_POD_IDENTITY_AUTHORITY_HOST`) and a
 * private one for the fake `az`, and issues RS256 JWTs it can verify.
 */
export async function startManagedIdentityEmulator(
  options: ManagedIdentityEmulatorOptions = {},
): Promise<ManagedIdentityEmulator> {
  const tenantId = options.tenantId ?? "72f988bf-0000-4000-8000-00000000a11c";
  const clientId = options.clientId ?? "11111111-0000-4000-8000-00000000c11e";
  const objectId = options.objectId ?? "22222222-0000-4000-8000-00000000001d";
  const subscriptionId = options.subscriptionId ?? "33333333-0000-4000-8000-0000000005b5";
  const identityHeader = options.identityHeader ?? randomBytes(16).toString("hex");
  const faults = new FaultQueue();
  let requests: ManagedIdentityRequestRecord[] = [];
  let requestCount = 0;
  let tokensIssued = 0;
  const state = {
    tokenLifetimeSeconds: options.tokenLifetimeSeconds ?? 3600,
    expiresOnUnit: options.expiresOnUnit ?? ("seconds" as "seconds" | "milliseconds"),
  };
  const authority = await createTokenAuthority({
    tenantId,
    clientId,
    objectId,
    lifetimeSeconds: () => state.tokenLifetimeSeconds,
  });

  const server = await startHttpServer(async (req, res) => {
    requestCount += 1;
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const q = url.searchParams;
    const protocol = PATHS[url.pathname.toLowerCase().replace(/\/+$/, "")] ?? "unknown";
    const record: MutableRecord = {
      at: Date.now(),
      protocol,
      path: url.pathname,
      resource: q.get("resource") ?? q.get("scope") ?? undefined,
      clientId: q.get("client_id") ?? undefined,
      objectId: q.get("object_id") ?? undefined,
      resourceId: q.get("mi_res_id") ?? q.get("msi_res_id") ?? undefined,
      status: undefined,
      fault: undefined,
      error: undefined,
      tokenId: undefined,
    };
    requests.push(record);
    const errorBody = (status: number, message: string): unknown => {
      if (protocol === "app-service") return { statusCode: status, message, correlationId: randomUUID() };
      if (protocol === "azure-cli") return { error: message };
      const error = status === 429 ? "too_many_requests" : status >= 500 ? "server_error" : "invalid_request";
      return { error, error_description: message };
    };
    const refuse = (status: number, message: string) => {
      record.status = status;
      record.error = message;
      sendJson(res, status, errorBody(status, message));
    };
    if (protocol === "unknown") return refuse(404, `no token endpoint at ${url.pathname}`);

    const fault = faults.next();
    if (fault) {
      record.fault = describeFault(fault);
      const outcome = await applyFault(server, res, fault, errorBody);
      if (outcome !== undefined) {
        if (typeof outcome === "number") record.status = outcome;
        return;
      }
    }
    if (req.method !== "GET") return refuse(405, `method ${req.method} not allowed: use GET`);
    if (protocol === "app-service") {
      const secret = req.headers["x-identity-header"];
      if (secret === undefined) return refuse(400, "the X-IDENTITY-HEADER header is missing");
      if (secret !== identityHeader)
        return refuse(401, "the X-IDENTITY-HEADER header does not match IDENTITY_HEADER");
      const version = q.get("api-version");
      if (version !== "2019-08-01")
        return refuse(400, `api-version ${version ?? "(missing)"} is not 2019-08-01`);
    } else if (protocol === "imds") {
      if (String(req.headers.metadata).toLowerCase() !== "true")
        return refuse(400, "Required metadata header not specified");
      if (!q.get("api-version")) return refuse(400, "Required query variable 'api-version' is missing");
    }
    if (!record.resource) return refuse(400, "Required query variable 'resource' is missing");
    const known = options.userAssignedClientIds;
    if (record.clientId && known && !known.includes(record.clientId))
      return refuse(400, "Identity not found");

    const lifetime = fault?.lifetimeSeconds ?? state.tokenLifetimeSeconds;
    const inMilliseconds = (fault?.expiresOnUnit ?? state.expiresOnUnit) === "milliseconds";
    const tenant = protocol === "azure-cli" ? (q.get("tenant") ?? tenantId) : tenantId;
    const issued = authority.issueToken({
      audience: record.resource,
      lifetimeSeconds: lifetime,
      tenantId: tenant,
      clientId: protocol === "azure-cli" ? AZURE_CLI_APP_ID : (record.clientId ?? clientId),
      objectId: record.objectId ?? objectId,
      claims: record.resourceId ? { xms_mirid: record.resourceId } : undefined,
    });
    const { exp, nbf, jti, aud, appid } = issued.claims;
    const expiresOn = inMilliseconds ? exp * 1000 : exp;
    tokensIssued += 1;
    record.tokenId = jti;
    record.status = 200;
    if (protocol === "app-service") {
      const body = {
        access_token: issued.token,
        expires_on: String(expiresOn),
        resource: aud,
        token_type: "Bearer",
      };
      return sendJson(res, 200, { ...body, client_id: appid });
    }
    if (protocol === "imds") {
      return sendJson(res, 200, {
        access_token: issued.token,
        refresh_token: "",
        client_id: appid,
        expires_in: String(lifetime),
        expires_on: String(expiresOn),
        ext_expires_in: String(lifetime),
        not_before: String(nbf),
        resource: aud,
        token_type: "Bearer",
      });
    }
    sendJson(res, 200, {
      accessToken: issued.token,
      expiresOn: azureCliLocalTime(exp),
      expires_on: expiresOn,
      subscription: q.get("subscription") ?? subscriptionId,
      tenant,
      tokenType: "Bearer",
    });
  }, options.port);

  const identityEndpoint = `${server.origin}/msi/token`;
  return {
    url: server.origin,
    port: server.port,
    identityEndpoint,
    identityHeader,
    tenantId,
    clientId,
    objectId,
    subscriptionId,
    issuer: authority.issuer,
    publicKey: authority.publicKey,
    get tokenLifetimeSeconds() {
      return state.tokenLifetimeSeconds;
    },
    set tokenLifetimeSeconds(value) {
      state.tokenLifetimeSeconds = value;
    },
    get expiresOnUnit() {
      return state.expiresOnUnit;
    },
    set expiresOnUnit(value) {
      state.expiresOnUnit = value;
    },
    get requests() {
      return requests;
    },
    get requestCount() {
      return requestCount;
    },
    get tokensIssued() {
      return tokensIssued;
    },
    env: (protocol = "app-service"): Record<string, string> =>
      protocol === "app-service"
        ? { IDENTITY_ENDPOINT: identityEndpoint, IDENTITY_HEADER: identityHeader }
        : { AZURE_POD_IDENTITY_AUTHORITY_HOST: server.origin },
    issueToken: (o) => authority.issueToken(o),
    verifyToken: (token, o) => authority.verifyToken(token, o),
    enqueueFaults: (list) => faults.enqueue(list),
    setDown: (down) => faults.setDown(down),
    reset: () => {
      requests = [];
      requestCount = 0;
      tokensIssued = 0;
      faults.clear();
    },
    close: () => server.close(),
  };
}

/** `az`'s `expiresOn`: local time without a zone, e.g. `2025-01-31 13:45:07.000000`. */
function azureCliLocalTime(epochSeconds: number): string {
  const d = new Date(epochSeconds * 1000);
  const p = (n: number) => String(n).padStart(2, "0");
  const date = `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`;
  return `${date} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}.000000`;
}
