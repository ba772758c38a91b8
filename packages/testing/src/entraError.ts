import { randomUUID } from "node:crypto";

/** An Entra ID token-endpoint error: HTTP status, OAuth `error`, AADSTS number and description. */
export interface EntraError {
  readonly status: number;
  /** OAuth 2 `error`, e.g. `invalid_client`. */
  readonly error: string;
  /** The AADSTS number, e.g. `7000215`. */
  readonly code: number;
  readonly description: string;
}

/** Entra's error body: `error`, `error_description` (`AADSTS<code>: …` + trace ids), `error_codes`, … */
export function entraErrorBody(e: EntraError): Record<string, unknown> {
  const traceId = randomUUID();
  const correlationId = randomUUID();
  const timestamp = `${new Date()
    .toISOString()
    .replace("T", " ")
    .replace(/\.\d+Z$/, "")}Z`;
  return {
    error: e.error,
    error_description: `AADSTS${e.code}: ${e.description} Trace ID: ${traceId} Correlation ID: ${correlationId} Timestamp: ${timestamp}`,
    error_codes: [e.code],
    timestamp,
    trace_id: traceId,
    correlation_id: correlationId,
    error_uri: `https://login.microsoftonline.com/error?code=${e.code}`,
  };
}

const err = (status: number, error: string, code: number, description: string): EntraError => ({
  status,
  error,
  code,
  description,
});
const iso = (seconds: number) => new Date(seconds * 1000).toISOString();

/** The errors the emulator answers, with Entra's numbers and (abridged) wording. */
export const ENTRA_ERRORS = {
  tenantNotFound: (tenant: string) =>
    err(
      400,
      "invalid_request",
      90002,
      `Tenant '${tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud.`,
    ),
  missingParameter: (name: string) =>
    err(400, "invalid_request", 900144, `The request body must contain the following parameter: '${name}'.`),
  unsupportedGrant: (grant: string) =>
    err(400, "unsupported_grant_type", 70003, `The app requested an unsupported grant type '${grant}'.`),
  invalidScope: (scope: string) =>
    err(
      400,
      "invalid_scope",
      1002012,
      `The provided value for scope ${scope} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).`,
    ),
  applicationNotFound: (clientId: string, tenant: string) =>
    err(
      400,
      "unauthorized_client",
      700016,
      `Application with identifier '${clientId}' was not found in the directory '${tenant}'.`,
    ),
  missingCredential: () =>
    err(
      401,
      "invalid_client",
      7000216,
      "'client_assertion', 'client_secret' or 'request' is required for the 'client_credentials' grant type.",
    ),
  invalidSecret: (clientId: string) =>
    err(
      401,
      "invalid_client",
      7000215,
      `Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${clientId}'.`,
    ),
  unsupportedAssertionType: (type: string) =>
    err(
      400,
      "invalid_request",
      50027,
      `client_assertion_type '${type}' is not supported: use urn:ietf:params:oauth:client-assertion-type:jwt-bearer.`,
    ),
  malformedAssertion: () => err(400, "invalid_request", 50027, "JWT token is invalid or malformed."),
  badAssertionSignature: () =>
    err(401, "invalid_client", 700027, "Client assertion failed signature validation."),
  assertionExpired: (nbf: number | undefined, exp: number) =>
    err(
      400,
      "invalid_client",
      700024,
      `Client assertion is not within its valid time range. Current time: ${new Date().toISOString()}, assertion valid from ${nbf === undefined ? "(not set)" : iso(nbf)}, expiry time of assertion ${iso(exp)}.`,
    ),
  noFederatedSubject: (subject: string) =>
    err(
      400,
      "invalid_request",
      700213,
      `No matching federated identity record found for presented assertion subject '${subject}'. Please check your federated identity credential Subject, Audience and Issuer against the presented assertion.`,
    ),
  noFederatedMatch: (issuer: string, subject: string, audience: string, why: string) =>
    err(
      400,
      "invalid_request",
      70021,
      `No matching federated identity record found for presented assertion. Assertion Issuer: '${issuer}'. Assertion Subject: '${subject}'. Assertion Audience: '${audience}'. (emulator: ${why})`,
    ),
  notFound: (path: string) => err(404, "invalid_request", 900561, `The endpoint ${path} is not served.`),
  methodNotAllowed: (method: string, allowed: string) =>
    err(
      405,
      "invalid_request",
      900561,
      `The endpoint only accepts ${allowed} requests. Received a ${method} request.`,
    ),
} as const;

/** The error body of an injected `Fault` with `status`. */
export function faultError(status: number, message: string): EntraError {
  if (status === 429) return err(status, "temporarily_unavailable", 50196, message);
  if (status >= 500)
    return err(status, status === 503 ? "temporarily_unavailable" : "server_error", 50000, message);
  return err(status, status === 401 ? "invalid_client" : "invalid_request", 90014, message);
}
