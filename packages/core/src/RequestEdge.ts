import { type CredentialHeader, createPlaceholder, findPlaceholder } from "./credentialPlaceholder.js";
import { describeErrorBriefly } from "./describeErrorBriefly.js";
import { EdgeTelemetry } from "./edgeTelemetry.js";
import { fingerprint } from "./fingerprint.js";
import { type Logger, silentLogger } from "./Logger.js";
import { deliverEdgeEvent, type RequestEdgeEvent } from "./RequestEdgeEvent.js";
import type { ProviderConfigSource, ProviderCredential } from "./types.js";

// The request edge: the runtime's model requests come back through the client's request handler, in the app's
// process, carrying a placeholder; the edge sets the source's current credential. Its rules:
// - only a request carrying a placeholder of a bound source, to that source's origin, is touched; any other
//   passes through as it is;
// - on a 401 the source is told which credential was refused; a different credential is tried ONCE (the body
//   was buffered before the first send); the same one is not replayed: the source explains the 401 instead;
// - a credential the provider refused after a renewal is not renewed from again (the runtime retries a failed
//   request: that must not become a renewal per retry); a 403 is never replayed.

/** What the edge knows of one source: where its requests go and how to tell them. */
interface Binding {
  readonly source: ProviderConfigSource;
  readonly mode: string;
  readonly placeholder: string;
  /** `https://host:port` of the source's base URL: requests elsewhere are not given its credential. */
  readonly origin: string;
  inUse: ProviderCredential | undefined;
  /** Credentials refused again after a renewal: not renewed from once more. */
  readonly exhausted: string[];
}

/** What the request handler gives the edge about one request. */
export interface EdgeRequestContext {
  readonly sessionId?: string | undefined;
  readonly signal: AbortSignal;
}

/** Options of the request edge (`createCopilotByokRequestHandler`): where its events go. */
export interface RequestEdgeOptions {
  /** Where events are logged (a replay: info; a 401 or 403 not recovered: warn). Default: silent. */
  logger?: Logger;
  /** Called with every event; what it throws is ignored. */
  onEvent?: (event: RequestEdgeEvent) => void;
}

export type SendRequest = (request: Request) => Promise<Response>;

/** What a replay needs: the request as the runtime sent it, where its placeholder was, its buffered body. */
interface Replay {
  readonly request: Request;
  readonly header: CredentialHeader;
  readonly body: ArrayBuffer | undefined;
  readonly sendRequest: SendRequest;
}

type SpanEvents = { addEvent(name: string, attributes?: Record<string, string | number | boolean>): unknown };

/** Applies sources' credentials to the runtime's requests: see the rules at the top of this file. */
export class RequestEdge {
  readonly #bindings = new Map<string, Binding>();
  readonly #bySource = new WeakMap<ProviderConfigSource, Binding>();
  readonly #logger: Logger;
  readonly #onEvent: ((event: RequestEdgeEvent) => void) | undefined;
  readonly #telemetry: EdgeTelemetry;
  /** The last unrecovered refusal per session (a 401 not recovered, a 403), until a request of it succeeds. */
  readonly #refusals = new Map<string, RequestEdgeEvent>();

  constructor(options: RequestEdgeOptions = {}) {
    this.#logger = options.logger ?? silentLogger;
    this.#onEvent = options.onEvent;
    this.#telemetry = new EdgeTelemetry(
      () => [...this.#bindings.values()].flatMap((b) => (b.inUse ? [{ mode: b.mode, ...b.inUse }] : [])),
      () => Date.now(),
    );
  }

  /**
   * The placeholder the runtime is given for `source`'s sessions to `baseUrl` (one per source and origin).
   *
   * @throws TypeError when the source has no `getCredential` (the edge cannot serve it) or `baseUrl` is invalid.
   */
  bind(source: ProviderConfigSource, baseUrl: string): string {
    if (typeof source.getCredential !== "function")
      throw new TypeError(
        `source "${String(source.mode)}" has no getCredential(): the request edge cannot serve it`,
      );
    const origin = new URL(baseUrl).origin;
    const known = this.#bySource.get(source);
    if (known?.origin === origin) return known.placeholder;
    const binding: Binding = {
      source,
      mode: String(source.mode),
      placeholder: createPlaceholder(),
      origin,
      inUse: undefined,
      exhausted: [],
    };
    this.#bindings.set(binding.placeholder, binding);
    this.#bySource.set(source, binding);
    return binding.placeholder;
  }

  /** Sends `request` with `send`, its credential set when it carries one of this edge's placeholders. */
  async send(request: Request, context: EdgeRequestContext, send: SendRequest): Promise<Response> {
    const found = findPlaceholder(request.headers);
    const binding = found && this.#bindings.get(found.placeholder);
    if (!found || !binding || !sameOrigin(request.url, binding.origin)) return send(request);
    const span = this.#telemetry.startSpan(binding.mode, request, context.sessionId);
    try {
      const response = await this.#sendWithCredential(request, found.header, binding, context, send, span);
      if (response.status < 400 && context.sessionId) this.#refusals.delete(context.sessionId);
      this.#telemetry.endSpan(span, response.status);
      return response;
    } catch (error) {
      this.#telemetry.failSpan(span, error);
      throw error;
    }
  }

  /**
   * Why the last request of session `sessionId` was refused, when it was and was not recovered (`credential-rejected`,
   * `replay-rejected`, `access-denied`): what to tell a user whose turn failed with the runtime's "HTTP 401".
   * Forgotten once a request of that session succeeds.
   */
  lastRefusal(sessionId: string): RequestEdgeEvent | undefined {
    return this.#refusals.get(sessionId);
  }

  /** The header and value to open a WebSocket with, for a request that carries a placeholder: see `send`. */
  async webSocketCredential(
    url: string,
    headers: Headers,
    context: EdgeRequestContext,
  ): Promise<{ readonly header: string; readonly value: string } | undefined> {
    const found = findPlaceholder(headers);
    const binding = found && this.#bindings.get(found.placeholder);
    if (!found || !binding || !sameOrigin(url.replace(/^ws/, "http"), binding.origin)) return undefined;
    const credential = await this.#current(binding, context);
    return headerFor(found.header, credential);
  }

  async #sendWithCredential(
    request: Request,
    header: CredentialHeader,
    binding: Binding,
    context: EdgeRequestContext,
    sendRequest: SendRequest,
    span: SpanEvents,
  ): Promise<Response> {
    // Buffered once: the SDK hands the request over in full, and a replay needs the same bytes.
    const body =
      request.method === "GET" || request.method === "HEAD" ? undefined : await request.arrayBuffer();
    const credential = await this.#current(binding, context);
    const first = await sendRequest(withCredential(request, header, credential, body, context.signal));
    // Every attempt counts, the refused one too.
    this.#telemetry.request(binding.mode, first.status, false);
    if (first.status === 403) {
      span.addEvent("copilot_byok.access_denied");
      this.#event(binding, context, {
        type: "access-denied",
        status: 403,
        replayed: false,
        message: `the provider answered 403 to a request of session ${context.sessionId ?? "(unknown)"}: the ${credential.kind} is valid but not allowed; not replayed`,
        explanation: this.#explain(binding, credential, 403),
      });
      return first;
    }
    if (first.status !== 401) return first;
    return this.#recover(first, { request, header, body, sendRequest }, binding, credential, context, span);
  }

  async #recover(
    first: Response,
    replay: Replay,
    binding: Binding,
    rejected: ProviderCredential,
    context: EdgeRequestContext,
    span: SpanEvents,
  ): Promise<Response> {
    const { mode } = binding;
    const refused = `the provider refused the ${rejected.kind} (${fingerprint(rejected.value)}) with 401`;
    const notReplayed = (extra: Partial<RequestEdgeEvent> & { message: string }) => {
      span.addEvent("copilot_byok.credential_rejected", { "copilot_byok.replayed": false });
      this.#event(binding, context, {
        type: "credential-rejected",
        status: 401,
        replayed: false,
        explanation: this.#explain(binding, rejected, 401),
        ...extra,
      });
      return first;
    };
    if (binding.exhausted.includes(rejected.value))
      return notReplayed({ message: `${refused} again, after a renewal: not renewed again, not replayed` });
    let renewed: ProviderCredential;
    try {
      renewed = binding.source.renewCredential
        ? await binding.source.renewCredential({ credential: rejected, status: 401, signal: context.signal })
        : rejected;
    } catch (error) {
      this.#telemetry.renewal(mode, "failed");
      return notReplayed({
        message: `${refused}; renewing it failed: not replayed`,
        renewalError: describeErrorBriefly(error),
      });
    }
    if (renewed.value === rejected.value) {
      this.#telemetry.renewal(mode, "same");
      const why = binding.source.renewCredential
        ? "the source has no other credential"
        : "the source cannot renew a credential (no renewCredential)";
      return notReplayed({ message: `${refused}; ${why}: not replayed` });
    }
    this.#telemetry.renewal(mode, "renewed");
    binding.inUse = renewed;
    await first.body?.cancel().catch(() => {});
    const { request, header, body, sendRequest } = replay;
    let second: Response;
    try {
      second = await sendRequest(withCredential(request, header, renewed, body, context.signal));
    } catch (error) {
      this.#telemetry.replay(mode, "failed");
      throw error;
    }
    this.#telemetry.request(mode, second.status, true);
    if (second.status === 401) {
      if (binding.exhausted.unshift(renewed.value) > 4) binding.exhausted.pop();
      this.#telemetry.replay(mode, "rejected");
      span.addEvent("copilot_byok.request_replayed", { "copilot_byok.outcome": "rejected" });
      this.#event(binding, context, {
        type: "replay-rejected",
        status: 401,
        replayed: true,
        message: `${refused}; replayed once with a renewed ${renewed.kind} (${fingerprint(renewed.value)}), refused too: the 401 is returned`,
        explanation: this.#explain(binding, renewed, 401),
      });
      return second;
    }
    this.#telemetry.replay(mode, "accepted");
    span.addEvent("copilot_byok.request_replayed", { "copilot_byok.outcome": "accepted" });
    this.#event(binding, context, {
      type: "request-replayed",
      status: second.status,
      replayed: true,
      message: `${refused}; replayed once with a renewed ${renewed.kind} (${fingerprint(renewed.value)}): ${second.status}`,
    });
    return second;
  }

  async #current(binding: Binding, context: EdgeRequestContext): Promise<ProviderCredential> {
    const getCredential = binding.source.getCredential as NonNullable<ProviderConfigSource["getCredential"]>;
    const credential = await getCredential.call(binding.source, { signal: context.signal });
    binding.inUse = credential;
    return credential;
  }

  #explain(binding: Binding, credential: ProviderCredential, status: number): readonly string[] {
    try {
      const lines = binding.source.explainRejection?.(credential, status);
      if (lines && lines.length > 0) return lines;
    } catch {
      // a source's explanation must not break the request
    }
    return status === 403
      ? [
          `the provider knows the ${credential.kind} but refuses this operation: the identity lacks a role on the resource, or a network rule blocks it`,
        ]
      : [
          `the provider does not accept the ${credential.kind} (${fingerprint(credential.value)}) of source "${binding.mode}"`,
        ];
  }

  #event(
    binding: Binding,
    context: EdgeRequestContext,
    event: Omit<RequestEdgeEvent, "mode" | "sessionId">,
  ): void {
    const delivered = deliverEdgeEvent(
      {
        ...event,
        mode: binding.mode,
        ...(context.sessionId ? { sessionId: context.sessionId } : {}),
      },
      this.#logger,
      this.#onEvent,
    );
    const { sessionId } = context;
    if (!sessionId || delivered.type === "request-replayed") return;
    this.#refusals.delete(sessionId);
    this.#refusals.set(sessionId, delivered);
    // Bounded: the oldest session's refusal goes first.
    if (this.#refusals.size > 256) this.#refusals.delete(this.#refusals.keys().next().value as string);
  }
}

function sameOrigin(url: string, origin: string): boolean {
  try {
    return new URL(url).origin === origin;
  } catch {
    return false;
  }
}

/** The header to send: a token always as `Authorization: Bearer`; a key where the runtime put the placeholder. */
function headerFor(
  placeholderHeader: CredentialHeader,
  credential: ProviderCredential,
): { readonly header: string; readonly value: string } {
  if (credential.kind === "bearer" || placeholderHeader === "authorization")
    return { header: "authorization", value: `Bearer ${credential.value}` };
  return { header: placeholderHeader, value: credential.value };
}

/** `request` with `credential` in place of the placeholder, and the buffered body. */
function withCredential(
  request: Request,
  placeholderHeader: CredentialHeader,
  credential: ProviderCredential,
  body: ArrayBuffer | undefined,
  signal: AbortSignal,
): Request {
  const headers = new Headers(request.headers);
  headers.delete(placeholderHeader);
  const { header, value } = headerFor(placeholderHeader, credential);
  headers.set(header, value);
  return new Request(request.url, {
    method: request.method,
    headers,
    ...(body !== undefined && body.byteLength > 0 ? { body } : {}),
    signal,
  });
}
