import type { IncomingMessage, ServerResponse } from "node:http";
import type { TLSSocket } from "node:tls";
import {
  type ClientCredentialsDirectory,
  checkClientCredentials,
  type EntraCredentialForm,
} from "./checkClientCredentials.js";
import type { IssuedToken, IssueTokenOptions } from "./createTokenAuthority.js";
import { instanceDiscovery, jsonWebKeySet, openIdConfiguration } from "./entraDiscovery.js";
import { ENTRA_ERRORS, type EntraError, entraErrorBody, faultError } from "./entraError.js";
import { applyFault, describeFault, type FaultQueue } from "./FaultQueue.js";
import { readBody } from "./readBody.js";
import { sendJson } from "./sendJson.js";
import type { TestHttpsServer } from "./startHttpsServer.js";

/** Which endpoint of the authority a request was for. */
export type EntraEndpoint = "token" | "openid-configuration" | "instance-discovery" | "keys" | "unknown";

/** One request the authority emulator received. Never holds a secret, an assertion or a token. */
export interface EntraRequestRecord {
  /** Milliseconds since the Unix epoch. */
  readonly at: number;
  readonly method: string;
  /** The host the client asked for (`Host` header, else the TLS server name), e.g. `login.microsoftonline.com`. */
  readonly host: string;
  /** The path, without the query. */
  readonly path: string;
  readonly endpoint: EntraEndpoint;
  /** First path segment (`common` for instance discovery). */
  readonly tenant: string | undefined;
  /** Token requests: `grant_type`, `client_id`, `scope` and how the client authenticated. */
  readonly grantType: string | undefined;
  readonly clientId: string | undefined;
  readonly scope: string | undefined;
  readonly credential: EntraCredentialForm | undefined;
  /** `jti` of the client assertion presented (workload identity). */
  readonly assertionId: string | undefined;
  /** HTTP status answered; `undefined` when the request hung, was reset or is still pending. */
  readonly status: number | undefined;
  /** OAuth `error` answered, e.g. `invalid_client`. */
  readonly error: string | undefined;
  /** AADSTS number answered, e.g. `7000215`. */
  readonly errorCode: number | undefined;
  /** The injected fault, described, e.g. `status 429`. */
  readonly fault: string | undefined;
  /** `jti` of the access token issued. */
  readonly tokenId: string | undefined;
}

export interface EntraRequestContext {
  readonly hosts: readonly string[];
  readonly directory: ClientCredentialsDirectory;
  readonly faults: FaultQueue;
  readonly issueToken: (options: IssueTokenOptions) => IssuedToken;
  readonly tokenLifetimeSeconds: () => number;
  readonly publicKey: string;
  readonly keyId: string;
  readonly record: (record: EntraRequestRecord) => void;
  readonly onTokenIssued: () => void;
  /** The server (for fault delays that end when it closes, and resets). */
  readonly server: () => TestHttpsServer;
}

type MutableRecord = { -readonly [K in keyof EntraRequestRecord]: EntraRequestRecord[K] };

/** Sorts a path into an endpoint: `/<tenant>/oauth2/v2.0/token`, the discovery documents, or none. */
function endpointOf(segments: readonly string[]): EntraEndpoint {
  const rest = segments.slice(1).join("/").toLowerCase();
  if (rest === "oauth2/v2.0/token") return "token";
  if (rest === "v2.0/.well-known/openid-configuration") return "openid-configuration";
  if (rest === "discovery/v2.0/keys") return "keys";
  if (segments[0]?.toLowerCase() === "common" && rest === "discovery/instance") return "instance-discovery";
  return "unknown";
}

/** The HTTPS handler of the authority emulator: routes, faults, token grants and the request log. */
export function createEntraRequestHandler(context: EntraRequestContext) {
  const { directory, faults } = context;
  const knownTenant = (tenant: string | undefined) =>
    ["common", "organizations", directory.tenantId.toLowerCase()].includes(String(tenant).toLowerCase());

  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? "/", "https://emulator.invalid");
    const segments = url.pathname.split("/").filter(Boolean);
    const endpoint = endpointOf(segments);
    const servername = (req.socket as TLSSocket).servername;
    const host = (req.headers.host ?? (servername || "")).replace(/:\d+$/, "").toLowerCase();
    const record: MutableRecord = {
      at: Date.now(),
      method: req.method ?? "",
      host,
      path: url.pathname,
      endpoint,
      tenant: segments[0],
      grantType: undefined,
      clientId: undefined,
      scope: undefined,
      credential: undefined,
      assertionId: undefined,
      status: undefined,
      error: undefined,
      errorCode: undefined,
      fault: undefined,
      tokenId: undefined,
    };
    context.record(record);
    const answer = (status: number, body: unknown) => {
      record.status = status;
      sendJson(res, status, body, { "cache-control": "no-store, no-cache" });
    };
    const refuse = (e: EntraError) => {
      record.error = e.error;
      record.errorCode = e.code;
      answer(e.status, entraErrorBody(e));
    };
    const allowed = endpoint === "token" ? "POST" : "GET";
    if (endpoint === "unknown") return refuse(ENTRA_ERRORS.notFound(url.pathname));

    const fault = faults.next();
    if (fault) {
      record.fault = describeFault(fault);
      const errorBody = (status: number, message: string) => {
        const e = faultError(status, message);
        record.error = e.error;
        record.errorCode = e.code;
        return entraErrorBody(e);
      };
      if (fault.reset && !fault.hang) {
        // applyFault's reset needs a TCP socket; a TLS one is reset through the server.
        if (fault.delayMs) await context.server().sleep(fault.delayMs);
        if (res.socket) context.server().resetConnection(res.socket);
        return;
      }
      const outcome = await applyFault(context.server(), res, fault, errorBody);
      if (outcome !== undefined) {
        if (typeof outcome === "number") record.status = outcome;
        return;
      }
    }
    if (req.method !== allowed) return refuse(ENTRA_ERRORS.methodNotAllowed(req.method ?? "", allowed));
    if (endpoint === "instance-discovery") {
      const body = instanceDiscovery(url.searchParams.get("authorization_endpoint"), context.hosts);
      if (body) return answer(200, body);
      record.error = "invalid_instance";
      record.errorCode = 50049;
      return answer(400, {
        error: "invalid_instance",
        error_description: "AADSTS50049: Unknown or invalid instance.",
        error_codes: [50049],
      });
    }
    if (endpoint !== "token") {
      const tenant = segments[0] ?? "";
      if (!knownTenant(tenant))
        return refuse({ ...ENTRA_ERRORS.tenantNotFound(tenant), error: "invalid_tenant" });
      if (endpoint === "keys") return answer(200, jsonWebKeySet(context.publicKey, context.keyId));
      return answer(200, openIdConfiguration(host, tenant));
    }

    const form = new URLSearchParams(await readBody(req));
    const outcome = await checkClientCredentials(segments[0] ?? "", form, directory);
    record.grantType = outcome.grantType;
    record.clientId = outcome.clientId;
    record.scope = outcome.scope;
    record.credential = outcome.credential;
    record.assertionId = outcome.assertionId;
    if (!outcome.grant) return refuse(outcome.refusal ?? ENTRA_ERRORS.missingCredential());
    const lifetime = fault?.lifetimeSeconds ?? context.tokenLifetimeSeconds();
    const issued = context.issueToken({
      audience: outcome.grant.resource,
      lifetimeSeconds: lifetime,
      tenantId: directory.tenantId,
      clientId: outcome.grant.clientId,
      objectId: outcome.grant.objectId,
    });
    record.tokenId = issued.claims.jti;
    context.onTokenIssued();
    answer(200, {
      token_type: "Bearer",
      expires_in: lifetime,
      ext_expires_in: lifetime,
      access_token: issued.token,
    });
  };
}
