import type { IncomingMessage } from "node:http";
import { type ApiKeySource, ApiKeys, keyFingerprint } from "./ApiKeys.js";
import { CredentialRevocations, type TokenRevocationFilter } from "./CredentialRevocations.js";
import { DEFAULT_AUDIENCE, type TokenVerifier } from "./createTokenAuthority.js";
import { applyFault, describeFault, type Fault, FaultQueue } from "./FaultQueue.js";
import { preciseNow } from "./preciseNow.js";
import { type DenyRoleOptions, RoleDenials } from "./RoleDenials.js";
import { readBody } from "./readBody.js";
import { sendJson } from "./sendJson.js";
import { startHttpServer } from "./startHttpServer.js";
import { countTokens, type WireApi, writeModelReply } from "./writeModelReply.js";

/** What a scripted `reply` function is given. */
export interface FoundryReplyRequest {
  readonly wireApi: WireApi;
  readonly model: string;
  readonly stream: boolean;
  /** The text of the last user message ("" when there is none). */
  readonly lastUserText: string;
  /** The parsed request body. */
  readonly body: Readonly<Record<string, unknown>>;
}

export interface FoundryEmulatorOptions {
  /**
   * Keys accepted: in `api-key` or `Authorization: Bearer` on the OpenAI routes, in `x-api-key` or `api-key` on
   * the Claude route (`/anthropic/v1/messages`). A function is read on each request (rotation); a list can be
   * changed with `regenerateKey`.
   */
  readonly apiKeys?: ApiKeySource;
  /** Verifies Entra ID bearer tokens, e.g. the managed-identity emulator. Without it, no JWT is accepted. */
  readonly identity?: TokenVerifier;
  /** Accepted token audience(s). Default `https://cognitiveservices.azure.com`. */
  readonly audience?: string | readonly string[];
  /** When set, a `model` outside this list is refused with 404 `DeploymentNotFound`. */
  readonly deployments?: readonly string[];
  /**
   * The assistant's reply. Default: `Echo: <last user text>`, without the context tags the Copilot runtime
   * adds to user messages (`<current_datetime>…</current_datetime>`). A throw answers 500 with its message.
   */
  readonly reply?: (request: FoundryReplyRequest) => string | Promise<string>;
  /**
   * Foundry project names served: the OpenAI routes also answer under `/api/projects/<name>` (a project
   * endpoint, `https://<resource>.services.ai.azure.com/api/projects/<name>/openai/v1/`). Default none.
   */
  readonly projects?: readonly string[];
  /** Default: a random free port. */
  readonly port?: number;
}

/**
 * How a request authenticated: the `api-key` header, the `x-api-key` header (the Claude route only),
 * `Authorization: Bearer <key>` (the OpenAI routes only), or `Bearer <JWT>`.
 */
export type FoundryAuthKind = "api-key" | "x-api-key" | "bearer-key" | "bearer-jwt" | "none";

/** One request the emulator received. Never holds a key or a token. */
export interface FoundryRequestRecord {
  /** Milliseconds since the Unix epoch. */
  readonly at: number;
  readonly method: string;
  readonly path: string;
  /** The route's wire API: `responses`, `completions`, or `messages` (Anthropic's, Claude's route). */
  readonly wireApi: WireApi | undefined;
  readonly model: string | undefined;
  readonly stream: boolean;
  readonly authKind: FoundryAuthKind;
  /** The key sent (valid or not), as `sha256:` + 8 hex digits (core's `fingerprint`); never the key. */
  readonly keyFingerprint: string | undefined;
  /** `jti` of the bearer token, when its signature verified. */
  readonly tokenId: string | undefined;
  /** Expiry of the bearer token in milliseconds since the Unix epoch, when its signature verified. */
  readonly tokenExpiresAt: number | undefined;
  /** HTTP status answered; `undefined` when the request hung, was reset or is still pending. */
  readonly status: number | undefined;
  /**
   * Why the credential was refused, e.g. `token expired`, `token revoked`, `permission denied` (403),
   * `audience mismatch: expected …, got …`.
   */
  readonly rejectReason: string | undefined;
  /** The injected fault, described, e.g. `status 429`. */
  readonly fault: string | undefined;
}

export interface FoundryEmulator {
  /** `http://127.0.0.1:<port>/openai/v1/`: the provider `baseUrl` for `type: "openai"`. */
  readonly baseUrl: string;
  /** `http://127.0.0.1:<port>`: `AZURE_AI_FOUNDRY_RESOURCE_URL`, or `baseUrl` for `type: "azure"`. */
  readonly resourceUrl: string;
  /**
   * `http://127.0.0.1:<port>/anthropic`: the provider `baseUrl` for `type: "anthropic"` (Claude on Foundry;
   * the runtime appends `/v1/messages`).
   */
  readonly anthropicBaseUrl: string;
  readonly port: number;
  readonly requests: readonly FoundryRequestRecord[];
  readonly requestCount: number;
  /** Scripted faults, consumed one per API request, in order. */
  enqueueFaults(faults: readonly Fault[]): void;
  /** `true`: every API request answers 503; a `Fault`: applied to every API request; `false`: back up. */
  setDown(down: boolean | Fault): void;
  /**
   * Revokes bearer tokens: from now on those issued at or before now (or `filter.issuedBefore`), and matching
   * `filter`'s `tokenIds` and `objectId` when given, are refused with 401 (`token revoked`). Tokens issued
   * later are accepted. Keys are not affected.
   */
  revokeTokens(filter?: TokenRevocationFilter): void;
  /**
   * Regenerates a key when `apiKeys` is a list: `oldKey` (default: the first, Azure's `key1`) is replaced by
   * a new random key, returned; the old key answers 401 from now on. Throws when `apiKeys` is a function
   * (rotate by changing what it returns) or `oldKey` is not a key.
   */
  regenerateKey(oldKey?: string): string;
  /**
   * Takes the data-plane role from a principal (`oid`): its valid tokens are refused with 403 (or
   * `options.status`) `PermissionDenied`, naming the data action it lacks (`permission denied`). Keys are not
   * affected.
   */
  denyRole(objectId: string, options?: DenyRoleOptions): void;
  /** Gives the role back to a principal `denyRole` took it from. */
  grantRole(objectId: string): void;
  /**
   * Clears the request log, the count, the faults, the revocations and the denied roles, and brings back the
   * keys the emulator was started with.
   */
  reset(): void;
  /** Stops the server and destroys every open socket, hung ones included. */
  close(): Promise<void>;
}

type MutableRecord = { -readonly [K in keyof FoundryRequestRecord]: FoundryRequestRecord[K] };
type AuthOutcome = Pick<
  FoundryRequestRecord,
  "authKind" | "keyFingerprint" | "tokenId" | "tokenExpiresAt" | "rejectReason"
> & {
  readonly message?: string;
  /** Default 401. */
  readonly status?: number;
  /** The Azure error code; default the status. */
  readonly code?: string;
};

const ROUTES: Readonly<Record<string, WireApi>> = {
  "/openai/v1/responses": "responses",
  "/openai/v1/chat/completions": "completions",
  "/anthropic/v1/messages": "messages",
};
const azureError = (status: number, message: string, code = String(status)) => ({ error: { code, message } });
/** Anthropic's error types by status (https://docs.claude.com/en/api/errors). */
const ANTHROPIC_ERROR_TYPES: Readonly<Record<number, string>> = {
  400: "invalid_request_error",
  401: "authentication_error",
  403: "permission_error",
  404: "not_found_error",
  413: "request_too_large",
  429: "rate_limit_error",
  529: "overloaded_error",
};
/** The Messages API's error body: `{ type: "error", error: { type, message } }`. */
const anthropicError = (status: number, message: string) => ({
  type: "error",
  error: { type: ANTHROPIC_ERROR_TYPES[status] ?? "api_error", message },
});
const JWT_SHAPE = /^[\w-]+\.[\w-]+\.[\w-]+$/;

/**
 * Starts an Azure AI Foundry resource on 127.0.0.1: the OpenAI-compatible routes (`POST /openai/v1/responses`,
 * `POST /openai/v1/chat/completions`) and Claude's (`POST /anthropic/v1/messages`, Anthropic's Messages API),
 * authenticating like Azure: API keys (`api-key` or `Authorization: Bearer <key>` on the OpenAI routes;
 * `x-api-key` or `api-key` on Claude's), and Entra ID tokens (`Authorization: Bearer`) checked against
 * `identity`. Any other path is a 404 naming the routes there are.
 */
export async function startFoundryEmulator(options: FoundryEmulatorOptions = {}): Promise<FoundryEmulator> {
  const faults = new FaultQueue();
  let requests: FoundryRequestRecord[] = [];
  let requestCount = 0;
  const audiences =
    typeof options.audience === "string" ? [options.audience] : (options.audience ?? [DEFAULT_AUDIENCE]);
  const keys = new ApiKeys(options.apiKeys);
  const revocations = new CredentialRevocations();
  const roles = new RoleDenials();

  const authenticate = (req: IncomingMessage, wireApi: WireApi | undefined): AuthOutcome => {
    const none = {
      keyFingerprint: undefined,
      tokenId: undefined,
      tokenExpiresAt: undefined,
      rejectReason: undefined,
    };
    const reject = (authKind: FoundryAuthKind, rejectReason: string, message: string): AuthOutcome => ({
      ...none,
      authKind,
      rejectReason,
      message,
    });
    const invalidKey = (where: string) =>
      `Access denied due to invalid subscription key or wrong API endpoint: ${where} is not a key of this resource.`;
    // A key sent is recorded by its fingerprint, valid or not.
    const keyOutcome = (authKind: FoundryAuthKind, value: string, where: string): AuthOutcome => ({
      ...(keys.includes(value) ? { ...none, authKind } : reject(authKind, "invalid key", invalidKey(where))),
      keyFingerprint: keyFingerprint(value),
    });
    // Claude's route takes a key in x-api-key (what the Anthropic SDK sends) or api-key, and a bearer only as
    // an Entra ID token: Microsoft and Anthropic document no key as a bearer there.
    const claude = wireApi === "messages";
    const keyHeaders = claude ? (["x-api-key", "api-key"] as const) : (["api-key"] as const);
    for (const header of keyHeaders) {
      const value = req.headers[header];
      if (typeof value !== "string") continue;
      return keyOutcome(header, value, `the ${header} header`);
    }
    const authorization = req.headers.authorization;
    if (!authorization) {
      const message = claude
        ? "Access denied: no credential. Send an x-api-key (or api-key) header, or Authorization: Bearer <Entra ID token>."
        : "Access denied: no credential. Send an api-key header or Authorization: Bearer <key or Entra ID token>.";
      return reject("none", "missing credential", message);
    }
    const bearer = /^Bearer\s+(\S+)\s*$/i.exec(authorization)?.[1];
    if (!bearer)
      return reject(
        "none",
        "unsupported authorization scheme",
        "Access denied: Authorization must be Bearer.",
      );
    if (claude && !JWT_SHAPE.test(bearer)) {
      return reject(
        "bearer-key",
        "key as bearer",
        "Access denied: on /anthropic/v1/messages Authorization: Bearer takes an Entra ID token; send a key in the x-api-key (or api-key) header.",
      );
    }
    if (keys.includes(bearer) || !JWT_SHAPE.test(bearer))
      return keyOutcome("bearer-key", bearer, "the bearer value");
    const unauthorized = (detail: string) =>
      `Unauthorized. Access token is missing, invalid, audience is incorrect (${audiences.join(" or ")}), or have expired: ${detail}.`;
    if (!options.identity) {
      return reject(
        "bearer-jwt",
        "no identity provider",
        unauthorized("this resource accepts no Entra ID tokens"),
      );
    }
    const now = Date.now();
    const result = options.identity.verifyToken(bearer, { audience: audiences, now });
    const claims = result.claims;
    const known = {
      authKind: "bearer-jwt" as const,
      keyFingerprint: undefined,
      tokenId: claims?.jti,
      tokenExpiresAt: typeof claims?.exp === "number" ? claims.exp * 1000 : undefined,
    };
    if (result.ok) {
      const revoked = revocations.refusal(result);
      if (revoked) return { ...known, rejectReason: "token revoked", message: unauthorized(revoked) };
      const denied = wireApi && roles.refusal(result.claims.oid, wireApi);
      return denied ? { ...known, ...denied } : { ...known, rejectReason: undefined };
    }
    if (result.reason === "expired") {
      const at = known.tokenExpiresAt ? new Date(known.tokenExpiresAt).toISOString() : "an unknown time";
      const detail = `token expired at ${at} (now ${new Date(now).toISOString()})`;
      return { ...known, rejectReason: "token expired", message: unauthorized(detail) };
    }
    return { ...known, rejectReason: result.reason, message: unauthorized(result.reason) };
  };

  const projects = new Set((options.projects ?? []).map((name) => name.toLowerCase()));
  // A served project's prefix is dropped; Claude's route has no project form.
  const routeOf = (path: string) => {
    const match = /^\/api\/projects\/([^/]+)(\/openai\/.*)$/.exec(path);
    return match?.[1] && match[2] && projects.has(match[1]) ? match[2] : path;
  };
  const server = await startHttpServer(async (req, res) => {
    requestCount += 1;
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const wireApi = ROUTES[routeOf(url.pathname.toLowerCase().replace(/\/+$/, ""))];
    const text = await readBody(req);
    let body: Record<string, unknown> | undefined;
    try {
      const parsed: unknown = JSON.parse(text);
      if (parsed && typeof parsed === "object" && !Array.isArray(parsed))
        body = parsed as Record<string, unknown>;
    } catch {}
    const auth = authenticate(req, wireApi);
    const record: MutableRecord = {
      at: Date.now(),
      method: req.method ?? "",
      path: url.pathname,
      wireApi,
      model: typeof body?.model === "string" ? body.model : undefined,
      stream: body?.stream === true,
      authKind: auth.authKind,
      keyFingerprint: auth.keyFingerprint,
      tokenId: auth.tokenId,
      tokenExpiresAt: auth.tokenExpiresAt,
      status: undefined,
      rejectReason: undefined,
      fault: undefined,
    };
    requests.push(record);
    const errorBody = (status: number, message: string, code?: string) =>
      wireApi === "messages" ? anthropicError(status, message) : azureError(status, message, code);
    const fail = (status: number, message: string, code?: string) => {
      record.status = status;
      sendJson(res, status, errorBody(status, message, code));
    };
    if (!wireApi) return fail(404, notFoundMessage(req.method ?? "", url.pathname, server.origin));
    const fault = faults.next();
    if (fault) {
      record.fault = describeFault(fault);
      const outcome = await applyFault(server, res, fault, (status, message) => errorBody(status, message));
      if (outcome !== undefined) {
        if (typeof outcome === "number") record.status = outcome;
        return;
      }
    }
    if (req.method !== "POST") return fail(405, `method ${req.method} not allowed: use POST`);
    if (auth.rejectReason) {
      record.rejectReason = auth.rejectReason;
      return fail(auth.status ?? 401, auth.message ?? auth.rejectReason, auth.code);
    }
    if (!body) return fail(400, "the request body is not a JSON object", "invalid_request_error");
    const model = record.model;
    if (!model) return fail(400, "model is required: the deployment name", "invalid_request_error");
    if (wireApi === "messages") {
      const problem = messagesRequestProblem(req, body);
      if (problem) return fail(400, problem);
    }
    if (options.deployments && !options.deployments.includes(model)) {
      const message = `The API deployment for this resource does not exist: no deployment named "${model}".`;
      return fail(404, message, "DeploymentNotFound");
    }
    const lastUserText = findLastUserText(wireApi === "responses" ? body.input : body.messages);
    const request = { wireApi, model, stream: record.stream, lastUserText, body };
    let replyText: string;
    try {
      replyText = options.reply
        ? await options.reply(request)
        : `Echo: ${withoutRuntimeContext(lastUserText)}`;
    } catch (error) {
      return fail(
        500,
        `the scripted reply failed: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
    record.status = 200;
    const streamOptions = body.stream_options as { include_usage?: unknown } | undefined;
    writeModelReply(res, {
      wireApi,
      model,
      text: replyText,
      stream: record.stream,
      inputTokens: countTokens(
        JSON.stringify([body.instructions ?? body.system ?? "", body.input ?? body.messages ?? ""]),
      ),
      includeUsage: streamOptions?.include_usage === true,
    });
  }, options.port);

  return {
    baseUrl: `${server.origin}/openai/v1/`,
    resourceUrl: server.origin,
    anthropicBaseUrl: `${server.origin}/anthropic`,
    port: server.port,
    get requests() {
      return requests;
    },
    get requestCount() {
      return requestCount;
    },
    enqueueFaults: (list) => faults.enqueue(list),
    setDown: (down) => faults.setDown(down),
    revokeTokens: (filter) => revocations.revoke(filter, preciseNow()),
    regenerateKey: (oldKey) => keys.regenerate(oldKey),
    denyRole: (objectId, o) => roles.deny(objectId, o),
    grantRole: (objectId) => roles.grant(objectId),
    reset: () => {
      requests = [];
      requestCount = 0;
      faults.clear();
      revocations.clear();
      roles.clear();
      keys.restore();
    },
    close: () => server.close(),
  };
}

/**
 * What the Messages API refuses before it looks at the model: no `anthropic-version` header, no positive
 * integer `max_tokens`, no `messages` list. `undefined` when the request is well formed.
 */
function messagesRequestProblem(
  req: IncomingMessage,
  body: Readonly<Record<string, unknown>>,
): string | undefined {
  if (typeof req.headers["anthropic-version"] !== "string")
    return "anthropic-version: header is required (e.g. anthropic-version: 2023-06-01)";
  const maxTokens = body.max_tokens;
  if (typeof maxTokens !== "number" || !Number.isInteger(maxTokens) || maxTokens < 1)
    return "max_tokens: Field required (a positive integer)";
  if (!Array.isArray(body.messages)) return "messages: Field required (a list of messages)";
  return undefined;
}

/** The 404 of a path that is no route: the routes there are, and for a misplaced `/messages`, where Claude is. */
function notFoundMessage(method: string, path: string, origin: string): string {
  const routes = Object.keys(ROUTES)
    .map((route) => `POST ${route}`)
    .join(", ");
  const claude = /\/messages\/*$/i.test(path)
    ? ` Claude (Anthropic's Messages API) is served at POST /anthropic/v1/messages: with type "anthropic" use the base URL ${origin}/anthropic (the runtime appends /v1/messages).`
    : "";
  return `Resource not found: ${method} ${path} is not a route of this resource (routes: ${routes}).${claude}`;
}

/** The text of the last user message of a Responses `input` or a chat or Messages `messages` list. */
function findLastUserText(input: unknown): string {
  if (typeof input === "string") return input;
  if (!Array.isArray(input)) return "";
  for (let i = input.length - 1; i >= 0; i--) {
    const item = input[i] as { role?: unknown; content?: unknown } | null;
    if (item?.role !== "user") continue;
    if (typeof item.content === "string") return item.content;
    if (!Array.isArray(item.content)) return "";
    return item.content
      .map((part: { type?: unknown; text?: unknown } | null) =>
        typeof part?.text === "string" && (part.type === "input_text" || part.type === "text")
          ? part.text
          : "",
      )
      .join("");
  }
  return "";
}

/** The user's own words: the runtime prefixes user messages with context tags such as `<current_datetime>`. */
function withoutRuntimeContext(text: string): string {
  return text.replace(/<(current_datetime|reminder|environment_context)>[\s\S]*?<\/\1>/g, "").trim();
}
