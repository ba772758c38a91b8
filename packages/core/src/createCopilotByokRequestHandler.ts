import type {
  CopilotClient,
  CopilotRequestContext,
  CopilotRequestHandler,
  CopilotWebSocketHandler,
} from "@github/copilot-sdk";
import { ConfigurationError } from "./ConfigurationError.js";
import { CREDENTIAL_HEADERS } from "./credentialPlaceholder.js";
import { type CopilotSdk, requireCopilotSdk } from "./loadCopilotSdk.js";
import { RequestEdge, type RequestEdgeOptions } from "./RequestEdge.js";

/** Options of {@link createCopilotByokRequestHandler}. */
export interface CopilotByokRequestHandlerOptions extends RequestEdgeOptions {
  /**
   * A request handler of your own, composed with this one: copilot-byok sets the credential, then yours sends
   * the request (and sees it with the credential set: keep it out of your logs). Default: the SDK's own sending.
   */
  next?: CopilotRequestHandler;
  /** The `@github/copilot-sdk` module to extend. Default: the one the app installed (loaded synchronously). */
  sdk?: CopilotSdk;
}

const edges = new WeakMap<object, RequestEdge>();

/**
 * The request handler of copilot-byok, for `new CopilotClient({ requestHandler })`: a `CopilotRequestHandler`
 * that sets, on each model request of a session made by `CopilotSessionFactory` on that client, its source's
 * current credential (the runtime holds a placeholder only), and on a 401 renews it and replays the request once.
 * Requests of other sessions and to other hosts pass through untouched. `registerCopilotByok` installs one on its
 * default client; for a client of your own, resolve `COPILOT_BYOK_REQUEST_HANDLER` or call this.
 *
 * @throws ConfigurationError when `@github/copilot-sdk` is not installed or has no usable `CopilotRequestHandler`
 *   (an experimental API of the SDK): then leave `requestHandler` out, and sessions get their credential as before.
 */
export function createCopilotByokRequestHandler(
  options: CopilotByokRequestHandlerOptions = {},
): CopilotRequestHandler {
  const sdk = options.sdk ?? requireCopilotSdk();
  const problem = requestHandlerProblem(sdk);
  if (problem) throw new ConfigurationError([problem]);
  const edge = new RequestEdge(options);
  const next = options.next as unknown as Hooks | undefined;

  class CopilotByokRequestHandler extends sdk.CopilotRequestHandler {
    protected override sendRequest(request: Request, ctx: CopilotRequestContext): Promise<Response> {
      const send = next
        ? (r: Request) => next.sendRequest(r, ctx)
        : (r: Request) => super.sendRequest(r, ctx);
      return edge.send(request, ctx, send);
    }

    protected override async openWebSocket(ctx: CopilotRequestContext) {
      await applyToWebSocket(edge, ctx);
      return next ? next.openWebSocket(ctx) : super.openWebSocket(ctx);
    }
  }
  const handler = new CopilotByokRequestHandler();
  edges.set(handler, edge);
  return handler;
}

/** The hooks of a `CopilotRequestHandler`, protected in its type: a composed handler is called through them. */
interface Hooks {
  sendRequest(request: Request, ctx: CopilotRequestContext): Promise<Response>;
  openWebSocket(ctx: CopilotRequestContext): Promise<CopilotWebSocketHandler>;
}

/**
 * Why this SDK cannot carry the request edge, or `undefined` when it can: `requestHandler` is experimental in
 * `@github/copilot-sdk` (seen in 1.0.14), so it is detected, not assumed.
 */
export function requestHandlerProblem(sdk: CopilotSdk): string | undefined {
  const base = (sdk as { CopilotRequestHandler?: unknown }).CopilotRequestHandler;
  if (typeof base !== "function")
    return "this @github/copilot-sdk has no CopilotRequestHandler (the experimental requestHandler option): credentials go to the runtime with the session config";
  const proto = base.prototype as Record<string, unknown>;
  if (typeof proto.sendRequest !== "function" || typeof proto.openWebSocket !== "function")
    return "this @github/copilot-sdk's CopilotRequestHandler has no sendRequest/openWebSocket hooks: credentials go to the runtime with the session config";
  return undefined;
}

/**
 * The request edge of the handler `client` was created with, when it is copilot-byok's (read from the client's
 * `requestHandler`: experimental, so a client that keeps it elsewhere simply gets no edge).
 */
export function requestEdgeOf(client: CopilotClient): RequestEdge | undefined {
  const handler = (client as unknown as { requestHandler?: unknown }).requestHandler;
  return typeof handler === "object" && handler !== null ? edges.get(handler) : undefined;
}

/** Sets the credential in the headers a WebSocket is opened with (the SDK reads `ctx.headers` then). */
async function applyToWebSocket(edge: RequestEdge, ctx: CopilotRequestContext): Promise<void> {
  const headers = new Headers();
  for (const [name, values] of Object.entries(ctx.headers))
    for (const value of values ?? []) headers.append(name, value);
  const credential = await edge.webSocketCredential(ctx.url, headers, ctx);
  if (!credential) return;
  for (const name of Object.keys(ctx.headers))
    if ((CREDENTIAL_HEADERS as readonly string[]).includes(name.toLowerCase())) delete ctx.headers[name];
  ctx.headers[credential.header] = [credential.value];
}
