import { createHash, timingSafeEqual } from "node:crypto";
import type { IncomingMessage } from "node:http";
import { DEFAULT_AUDIENCE, type TokenVerifier } from "./createTokenAuthority.js";
import { applyFault, describeFault, type Fault, FaultQueue } from "./FaultQueue.js";
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
  /** Keys accepted in `api-key` or `Authorization: Bearer`; a function is read on each request (rotation). */
  readonly apiKeys?: readonly string[] | (() => readonly string[]);
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
  /** Default: a random free port. */
  readonly port?: number;
}

/** How a request authenticated: `api-key` header, `Authorization: Bearer <key>`, or `Bearer <JWT>`. */
export type FoundryAuthKind = "api-key" | "bearer-key" | "bearer-jwt" | "none";

/** One request the emulator received. Never holds a key or a token. */
export interface FoundryRequestRecord {
  /** Milliseconds since the Unix epoch. */
  readonly at: number;
  readonly method: string;
  readonly path: string;
  readonly wireApi: WireApi | undefined;
  readonly model: string | undefined;
  readonly stream: boolean;
  readonly authKind: FoundryAuthKind;
  /** `jti` of the bearer token, when its signature verified. */
  readonly tokenId: string | undefined;
  /** Expiry of the bearer token in milliseconds since the Unix epoch, when its signature verified. */
  readonly tokenExpiresAt: number | undefined;
  /** HTTP status answered; `undefined` when the request hung, was reset or is still pending. */
  readonly status: number | undefined;
  /** Why the credential was refused, e.g. `token expired`, `audience mismatch: expected …, got …`. */
  readonly rejectReason: string | undefined;
  /** The injected fault, described, e.g. `status 429`. */
  readonly fault: string | undefined;
}

export interface FoundryEmulator {
  /** `http://127.0.0.1:<port>/openai/v1/`: the provider `baseUrl` for `type: "openai"`. */
  readonly baseUrl: string;
  /** `http://127.0.0.1:<port>`: `AZURE_AI_FOUNDRY_RESOURCE_URL`, or `baseUrl` for `type: "azure"`. */
  readonly resourceUrl: string;
  readonly port: number;
  readonly requests: readonly FoundryRequestRecord[];
  readonly requestCount: number;
  /** Scripted faults, consumed one per API request, in order. */
  enqueueFaults(faults: readonly Fault[]): void;
  /** `true`: every API request answers 503; a `Fault`: applied to every API request; `false`: back up. */
  setDown(down: boolean | Fault): void;
  /** Clears the request log, the count and the faults. */
  reset(): void;
  /** Stops the server and destroys every open socket, hung ones included. */
  close(): Promise<void>;
}

type MutableRecord = { -readonly [K in keyof FoundryRequestRecord]: FoundryRequestRecord[K] };
type AuthOutcome = Pick<FoundryRequestRecord, "authKind" | "tokenId" | "tokenExpiresAt" | "rejectReason"> & {
  readonly message?: string;
};

const ROUTES: Readonly<Record<string, WireApi>> = {
  "/openai/v1/responses": "responses",
  "/openai/v1/chat/completions": "completions",
};
const azureError = (status: number, message: string, code = String(status)) => ({ error: { code, message } });
const digest = (value: string) => createHash("sha256").update(value).digest();
const sameSecret = (a: string, b: string) => timingSafeEqual(digest(a), digest(b));
const JWT_SHAPE = /^[\w-]+\.[\w-]+\.[\w-]+$/;

/**
 * Starts an OpenAI-compatible Azure AI Foundry endpoint (`/openai/v1/responses`, `/openai/v1/chat/completions`)
 * on 127.0.0.1 that authenticates like Azure: API keys, and Entra ID tokens checked against `identity`.
 */
export async function startFoundryEmulator(options: FoundryEmulatorOptions = {}): Promise<FoundryEmulator> {
  const faults = new FaultQueue();
  let requests: FoundryRequestRecord[] = [];
  let requestCount = 0;
  const audiences =
    typeof options.audience === "string" ? [options.audience] : (options.audience ?? [DEFAULT_AUDIENCE]);
  const keys = () => (typeof options.apiKeys === "function" ? options.apiKeys() : (options.apiKeys ?? []));
  const isKey = (value: string) => keys().some((key) => sameSecret(key, value));

  const authenticate = (req: IncomingMessage): AuthOutcome => {
    const none = { tokenId: undefined, tokenExpiresAt: undefined, rejectReason: undefined };
    const reject = (authKind: FoundryAuthKind, rejectReason: string, message: string): AuthOutcome => ({
      ...none,
      authKind,
      rejectReason,
      message,
    });
    const invalidKey = (where: string) =>
      `Access denied due to invalid subscription key or wrong API endpoint: ${where} is not a key of this resource.`;
    const apiKey = req.headers["api-key"];
    if (typeof apiKey === "string") {
      return isKey(apiKey)
        ? { ...none, authKind: "api-key" }
        : reject("api-key", "invalid key", invalidKey("the api-key header"));
    }
    const authorization = req.headers.authorization;
    if (!authorization) {
      const message =
        "Access denied: no credential. Send an api-key header or Authorization: Bearer <key or Entra ID token>.";
      return reject("none", "missing credential", message);
    }
    const bearer = /^Bearer\s+(\S+)\s*$/i.exec(authorization)?.[1];
    if (!bearer)
      return reject(
        "none",
        "unsupported authorization scheme",
        "Access denied: Authorization must be Bearer.",
      );
    if (isKey(bearer)) return { ...none, authKind: "bearer-key" };
    if (!JWT_SHAPE.test(bearer)) return reject("bearer-key", "invalid key", invalidKey("the bearer value"));
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
      tokenId: claims?.jti,
      tokenExpiresAt: typeof claims?.exp === "number" ? claims.exp * 1000 : undefined,
    };
    if (result.ok) return { ...known, rejectReason: undefined };
    if (result.reason === "expired") {
      const at = known.tokenExpiresAt ? new Date(known.tokenExpiresAt).toISOString() : "an unknown time";
      const detail = `token expired at ${at} (now ${new Date(now).toISOString()})`;
      return { ...known, rejectReason: "token expired", message: unauthorized(detail) };
    }
    return { ...known, rejectReason: result.reason, message: unauthorized(result.reason) };
  };

  const server = await startHttpServer(async (req, res) => {
    requestCount += 1;
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const wireApi = ROUTES[url.pathname.toLowerCase().replace(/\/+$/, "")];
    const text = await readBody(req);
    let body: Record<string, unknown> | undefined;
    try {
      const parsed: unknown = JSON.parse(text);
      if (parsed && typeof parsed === "object" && !Array.isArray(parsed))
        body = parsed as Record<string, unknown>;
    } catch {}
    const auth = authenticate(req);
    const record: MutableRecord = {
      at: Date.now(),
      method: req.method ?? "",
      path: url.pathname,
      wireApi,
      model: typeof body?.model === "string" ? body.model : undefined,
      stream: body?.stream === true,
      authKind: auth.authKind,
      tokenId: auth.tokenId,
      tokenExpiresAt: auth.tokenExpiresAt,
      status: undefined,
      rejectReason: undefined,
      fault: undefined,
    };
    requests.push(record);
    const fail = (status: number, message: string, code?: string) => {
      record.status = status;
      sendJson(res, status, azureError(status, message, code));
    };
    if (!wireApi) return fail(404, "Resource not found");
    const fault = faults.next();
    if (fault) {
      record.fault = describeFault(fault);
      const outcome = await applyFault(server, res, fault, (status, message) => azureError(status, message));
      if (outcome !== undefined) {
        if (typeof outcome === "number") record.status = outcome;
        return;
      }
    }
    if (req.method !== "POST") return fail(405, `method ${req.method} not allowed: use POST`);
    if (auth.rejectReason) {
      record.rejectReason = auth.rejectReason;
      return fail(401, auth.message ?? auth.rejectReason);
    }
    if (!body) return fail(400, "the request body is not a JSON object", "invalid_request_error");
    const model = record.model;
    if (!model) return fail(400, "model is required: the deployment name", "invalid_request_error");
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
      inputTokens: countTokens(JSON.stringify([body.instructions ?? "", body.input ?? body.messages ?? ""])),
      includeUsage: streamOptions?.include_usage === true,
    });
  }, options.port);

  return {
    baseUrl: `${server.origin}/openai/v1/`,
    resourceUrl: server.origin,
    port: server.port,
    get requests() {
      return requests;
    },
    get requestCount() {
      return requestCount;
    },
    enqueueFaults: (list) => faults.enqueue(list),
    setDown: (down) => faults.setDown(down),
    reset: () => {
      requests = [];
      requestCount = 0;
      faults.clear();
    },
    close: () => server.close(),
  };
}

/** The text of the last user message of a Responses `input` or a chat `messages` list. */
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
