import { subscribe, unsubscribe } from "node:diagnostics_channel";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createAzureEntraModule } from "@copilot-byok/azure-entra";
import {
  CopilotSessionFactory,
  type CredentialDelivery,
  createCopilotByokRequestHandler,
  type ProviderConfigSource,
  type ProviderConfigSourceModule,
  selectProviderConfigSource,
} from "@copilot-byok/core";
import { staticKeyModule } from "@copilot-byok/static-key";
import { type AzureEmulators, setIdentityEnv, startAzureEmulators } from "@copilot-byok/testing";
import * as sdk from "@github/copilot-sdk";
import { approveAll, CopilotClient, CopilotRequestHandler, type CopilotSession } from "@github/copilot-sdk";
import { fmt, median, medianDifferenceInterval, msSince, nowNs, percentile, round } from "./harness.js";
import { strip } from "./hotPath.js";
import type { BenchmarkResult, Check, DetailRow, DetailTable, Log } from "./types.js";

export interface RequestEdgeBenchOptions {
  /** Timed turns per variant with the small prompt (after the warm-up turns). */
  readonly smallTurns: number;
  /** Timed turns per variant with the large prompt. */
  readonly largeTurns: number;
  /** Turns per variant and size run first and thrown away (each client's first turns are slow). */
  readonly warmupTurns: number;
  /** The large prompt, in bytes (ASCII). */
  readonly largePromptBytes: number;
  /** First-turn trials with warm-up, per mode (static-key, Entra) and delivery (runtime, request edge). */
  readonly firstTurnTrials: number;
  /** The same without warm-up: the control that the token endpoint's delay reaches the first session. */
  readonly coldControlTrials: number;
  /** How long the managed-identity emulator takes to answer a token request in the first-turn trials. */
  readonly tokenEndpointDelayMs: number;
  /** Real turns per size through a client with the edge, timing the edge's own work around `next`. */
  readonly inFlowTurns: number;
  /** The handler alone: timed requests per candidate and size (after `handlerWarmup`). */
  readonly handlerRequests: number;
  readonly handlerWarmup: number;
  readonly log?: Log;
}

export const REQUEST_EDGE_FULL: Omit<RequestEdgeBenchOptions, "log"> = {
  smallTurns: 40,
  largeTurns: 30,
  warmupTurns: 3,
  largePromptBytes: 200 * 1024,
  firstTurnTrials: 20,
  coldControlTrials: 3,
  tokenEndpointDelayMs: 500,
  inFlowTurns: 20,
  handlerRequests: 600,
  handlerWarmup: 100,
};
export const REQUEST_EDGE_SMOKE: Omit<RequestEdgeBenchOptions, "log"> = {
  smallTurns: 2,
  largeTurns: 1,
  warmupTurns: 0,
  largePromptBytes: 200 * 1024,
  firstTurnTrials: 1,
  coldControlTrials: 1,
  tokenEndpointDelayMs: 200,
  inFlowTurns: 1,
  handlerRequests: 20,
  handlerWarmup: 5,
};

/** The request edge may add at most this much (ms, median) to what a bare pass-through handler costs. */
export const EDGE_MAX_ADDED_MS = 0.5;
/** With warm-up, the first turn in Entra mode may be at most this much (ms, median) slower than in static-key mode. */
export const FIRST_TURN_MAX_ENTRA_DELTA_MS = 5;

const KEY = "bench-edge-static-key-0123456789abcdef0123";
const MODEL = "gpt-4.1";
const SMALL_PROMPT = "Say hello to the request-edge benchmark.";
const SESSION_CONFIG = { onPermissionRequest: approveAll } as const;

type Size = "small" | "large";
type VariantId = "static" | "entra" | "bare" | "bare-2" | "edge" | "edge-entra";
type Mode = "static-key" | "azure-entra";

/** A `CopilotRequestHandler` that overrides nothing: the SDK's own relay of each request through this process. */
class BarePassThrough extends CopilotRequestHandler {}

interface VariantSpec {
  readonly id: VariantId;
  readonly label: string;
  readonly mode: Mode;
  readonly handler: "none" | "bare" | "edge";
  readonly delivery: CredentialDelivery;
  /** How the Foundry emulator must see the credential. */
  readonly authKind: "bearer-key" | "bearer-jwt";
}

const VARIANTS: readonly VariantSpec[] = [
  {
    id: "static",
    label: "static-key mode, no handler (the runtime holds the key)",
    mode: "static-key",
    handler: "none",
    delivery: "runtime-key",
    authKind: "bearer-key",
  },
  {
    id: "entra",
    label: "Entra mode, no handler (the runtime asks bearerTokenProvider)",
    mode: "azure-entra",
    handler: "none",
    delivery: "runtime-token-provider",
    authKind: "bearer-jwt",
  },
  {
    id: "bare",
    label: "bare pass-through CopilotRequestHandler, static key",
    mode: "static-key",
    handler: "bare",
    delivery: "runtime-key",
    authKind: "bearer-key",
  },
  {
    id: "bare-2",
    label: "bare pass-through, a second client (A/A control: the noise floor)",
    mode: "static-key",
    handler: "bare",
    delivery: "runtime-key",
    authKind: "bearer-key",
  },
  {
    id: "edge",
    label: "copilot-byok request edge, static key",
    mode: "static-key",
    handler: "edge",
    delivery: "request-edge",
    authKind: "bearer-key",
  },
  {
    id: "edge-entra",
    label: "copilot-byok request edge, Entra",
    mode: "azure-entra",
    handler: "edge",
    delivery: "request-edge",
    authKind: "bearer-jwt",
  },
];

/** A started `CopilotClient` in a temp home. */
interface Runtime {
  readonly client: CopilotClient;
  readonly startMs: number;
  close(): Promise<void>;
}

async function startClient(requestHandler: CopilotRequestHandler | undefined): Promise<Runtime> {
  const baseDirectory = await mkdtemp(join(tmpdir(), "copilot-byok-bench-edge-"));
  const client = new CopilotClient({
    useLoggedInUser: false,
    baseDirectory,
    logLevel: "none",
    ...(requestHandler ? { requestHandler } : {}),
  });
  const started = nowNs();
  await client.start();
  return {
    client,
    startMs: msSince(started),
    close: async () => {
      await client.stop().catch(() => []);
      await rm(baseDirectory, { recursive: true, force: true });
    },
  };
}

/**
 * The request edge as an app creates it for a client of its own. `sdk` is passed: without it the handler
 * extends the SDK's CommonJS build (`requireCopilotSdk`), whose private `kHandle` symbol is not the one of the
 * ES module build this file's `CopilotClient` comes from, and every model request fails with
 * `handler[kHandle] is not a function` (see the README).
 */
function edgeHandler(next?: CopilotRequestHandler): CopilotRequestHandler {
  return createCopilotByokRequestHandler({ sdk, ...(next ? { next } : {}) });
}

/** Turn latencies and what each turn proved. */
interface Variant extends VariantSpec {
  readonly runtime: Runtime;
  readonly factory: CopilotSessionFactory;
  readonly source: ProviderConfigSource;
  deliveryFound: CredentialDelivery | undefined;
  readonly samples: Record<Size, number[]>;
  /** Model requests this process sent with `fetch` (the relay), per turn. */
  relayedPerTurn: number[];
  /** Turns whose provider request had another credential kind or status, or whose reply missed the prompt's end. */
  problems: string[];
}

/** What the Foundry emulator answers: the prompt's length and last characters (the whole body arrived). */
function replyFor(lastUserText: string): string {
  const text = lastUserText
    .replace(/<(current_datetime|reminder|environment_context)>[\s\S]*?<\/\1>/g, "")
    .trim();
  return `Echo: ${text.length} chars, ending ${JSON.stringify(text.slice(-24))}`;
}

/** ASCII text of `bytes` bytes that ends with a marker naming its length. */
function largePrompt(bytes: number): string {
  const end = ` [end of a ${bytes}-byte prompt]`;
  const sentence = "The quick brown fox jumps over the lazy dog while the benchmark counts milliseconds. ";
  return sentence.repeat(Math.ceil(bytes / sentence.length)).slice(0, bytes - end.length) + end;
}

/** Counts `fetch` calls this process makes to `origin` (undici's diagnostics channel). */
function countFetches(origin: string): { readonly count: () => number; stop(): void } {
  let n = 0;
  const listener = (message: unknown) => {
    const request = (message as { request?: { origin?: unknown } }).request;
    if (String(request?.origin ?? "") === origin) n += 1;
  };
  subscribe("undici:request:create", listener);
  return { count: () => n, stop: () => unsubscribe("undici:request:create", listener) };
}

const stats = (samples: readonly number[]) => ({
  medianMs: round(median(samples), 3),
  p90Ms: round(percentile(samples, 90), 3),
  p10Ms: round(percentile(samples, 10), 3),
  n: samples.length,
});

/**
 * Turn latency (`session.sendAndWait`) through the real Copilot runtime, on the Foundry and managed-identity
 * emulators, for each way a credential can reach the provider; the first turn with a slow token endpoint and
 * warm-up; and the request handler alone, replaying the runtime's own requests. See bench/README.md.
 */
export async function runRequestEdge(options: RequestEdgeBenchOptions): Promise<BenchmarkResult> {
  const started = nowNs();
  const log = options.log ?? (() => {});
  // Tokens valid 240 s: MSAL keeps one process-wide token cache for managed identity and serves from it only
  // tokens valid for more than 5 minutes, so that every new Entra source asks the endpoint (see runFirstTurn).
  const emulators = await startAzureEmulators({
    identity: { tokenLifetimeSeconds: 240 },
    apiKeys: [KEY],
    reply: ({ lastUserText }) => replyFor(lastUserText),
  });
  const restoreEnv = setIdentityEnv(emulators.identity.env("app-service"));
  const runtimes: Runtime[] = [];
  const fetches = countFetches(new URL(emulators.foundry.baseUrl).origin);
  try {
    const baseEnv = {
      COPILOT_PROVIDER_BASE_URL: emulators.foundry.baseUrl,
      COPILOT_PROVIDER_MODEL_ID: MODEL,
    };
    const envs: Record<Mode, Record<string, string>> = {
      "static-key": { ...baseEnv, COPILOT_PROVIDER_API_KEY: KEY },
      "azure-entra": { ...baseEnv, ...emulators.env("app-service") },
    };
    const entraModule = createAzureEntraModule({ refreshWindowMs: 60_000 });
    const createSource = (mode: Mode): ProviderConfigSource => {
      const env = envs[mode];
      const selection = selectProviderConfigSource(env, [
        staticKeyModule,
        entraModule as ProviderConfigSourceModule,
      ]);
      if (selection.mode !== mode)
        throw new Error(`expected ${mode} mode, the selection chose ${selection.mode}`);
      return selection.module.create({ env, selection });
    };

    // One client per variant, created once.
    const variants: Variant[] = [];
    for (const spec of VARIANTS) {
      const handler =
        spec.handler === "bare" ? new BarePassThrough() : spec.handler === "edge" ? edgeHandler() : undefined;
      const runtime = await startClient(handler);
      runtimes.push(runtime);
      const source = createSource(spec.mode);
      const factory = new CopilotSessionFactory(source, runtime.client, envs[spec.mode]);
      const ready = await factory.ready();
      variants.push({
        ...spec,
        runtime,
        source,
        factory,
        deliveryFound: ready.credentialDelivery,
        samples: { small: [], large: [] },
        relayedPerTurn: [],
        problems: [],
      });
    }
    log(
      `  request edge: ${variants.length} clients started (${variants.map((v) => fmt(v.runtime.startMs, 0)).join(", ")} ms)`,
    );

    const prompts: Record<Size, string> = {
      small: SMALL_PROMPT,
      large: largePrompt(options.largePromptBytes),
    };
    /** One turn on a new session (so that every turn carries the same history: none); returns its ms. */
    const turn = async (variant: Variant, size: Size): Promise<number> => {
      const session = await variant.factory.createSession(SESSION_CONFIG);
      try {
        const requestsBefore = emulators.foundry.requests.length;
        const fetchesBefore = fetches.count();
        const t0 = nowNs();
        const reply = await session.sendAndWait(prompts[size], 120_000);
        const ms = msSince(t0);
        variant.relayedPerTurn.push(fetches.count() - fetchesBefore);
        const records = emulators.foundry.requests.slice(requestsBefore);
        const prompt = prompts[size];
        const expected = replyFor(prompt);
        if ((reply?.data.content ?? "") !== expected)
          variant.problems.push(`${size}: reply ${JSON.stringify((reply?.data.content ?? "").slice(0, 80))}`);
        if (records.length !== 1)
          variant.problems.push(`${size}: ${records.length} provider requests in one turn`);
        for (const r of records)
          if (r.status !== 200 || r.authKind !== variant.authKind)
            variant.problems.push(`${size}: provider saw ${r.authKind}, answered ${r.status}`);
        return ms;
      } finally {
        await session.disconnect().catch(() => undefined);
      }
    };

    // Interleaved rounds: each round runs one turn of every variant, the order rotating, small then large.
    const rounds = options.warmupTurns + Math.max(options.smallTurns, options.largeTurns);
    for (let r = 0; r < rounds; r++) {
      for (const size of ["small", "large"] as const) {
        const wanted = size === "small" ? options.smallTurns : options.largeTurns;
        if (r >= options.warmupTurns + wanted) continue;
        for (let k = 0; k < variants.length; k++) {
          const variant = variants[(r + k) % variants.length] as Variant;
          const ms = await turn(variant, size);
          if (r >= options.warmupTurns) variant.samples[size].push(ms);
        }
      }
      if ((r + 1) % 10 === 0 || r + 1 === rounds) log(`  request edge: round ${r + 1}/${rounds}`);
    }

    const firstTurn = await runFirstTurn(options, emulators, createSource, variants, prompts.small, log);
    const foundryOrigin = new URL(emulators.foundry.baseUrl).origin;
    const alone = await runHandlerAlone(options, runtimes, foundryOrigin, prompts, log);

    return report(options, started, variants, firstTurn, alone, emulators);
  } finally {
    fetches.stop();
    for (const runtime of runtimes) await runtime.close();
    restoreEnv();
    await emulators.close();
  }
}

// ---------------------------------------------------------------------------------------------------------------
// The first turn, the token endpoint taking `tokenEndpointDelayMs`.

type Delivery = "runtime" | "request-edge";

interface FirstTurnTrial {
  readonly warmUpMs: number;
  readonly createSessionMs: number;
  readonly turnMs: number;
  /** Token requests the trial's new source made (Entra: must be 1, each delayed). */
  readonly tokenRequests: number;
}

type FirstTurnResults = Record<Delivery, Record<"warm" | "cold", Record<Mode, FirstTurnTrial[]>>>;

/**
 * An app that starts: a new source (an empty token cache) and factory on a client that has served turns
 * already; with warm-up (`factory.ready()` awaited before the first session, as a readiness probe does), then
 * the first session and its first turn. Static-key and Entra trials alternate on the same client (one with no
 * handler: the runtime gets the credential; one with the request edge). Without warm-up: the control.
 *
 * Tokens are issued for 240 s (the whole run): MSAL keeps one token cache per process for managed identity and
 * serves from it only tokens valid for more than 5 minutes, so that every new source really asks the endpoint
 * (counted); the sources use a 1-minute refresh window, so a token is renewed 3 minutes after it was issued,
 * in the background (never during a trial: a trial takes well under a second).
 */
async function runFirstTurn(
  options: RequestEdgeBenchOptions,
  emulators: AzureEmulators,
  createSource: (mode: Mode) => ProviderConfigSource,
  variants: readonly Variant[],
  prompt: string,
  log: Log,
): Promise<FirstTurnResults> {
  const clients: Record<Delivery, CopilotClient> = {
    runtime: (variants.find((v) => v.id === "static") as Variant).runtime.client,
    "request-edge": (variants.find((v) => v.id === "edge") as Variant).runtime.client,
  };
  const empty = () => ({ "static-key": [] as FirstTurnTrial[], "azure-entra": [] as FirstTurnTrial[] });
  const results: FirstTurnResults = {
    runtime: { warm: empty(), cold: empty() },
    "request-edge": { warm: empty(), cold: empty() },
  };
  const identity = emulators.identity;
  identity.setDown({ delayMs: options.tokenEndpointDelayMs });
  try {
    const trial = async (delivery: Delivery, mode: Mode, warm: boolean): Promise<FirstTurnTrial> => {
      const source = createSource(mode);
      const tokensBefore = identity.tokensIssued;
      const factory = new CopilotSessionFactory(source, clients[delivery]);
      let session: CopilotSession | undefined;
      try {
        const t0 = nowNs();
        if (warm) await factory.ready();
        const warmUpMs = msSince(t0);
        const t1 = nowNs();
        session = await factory.createSession(SESSION_CONFIG);
        const createSessionMs = msSince(t1);
        const t2 = nowNs();
        const reply = await session.sendAndWait(prompt, 60_000);
        const turnMs = msSince(t2);
        if (reply?.data.content !== replyFor(prompt))
          throw new Error(`first turn (${mode}): unexpected reply`);
        return { warmUpMs, createSessionMs, turnMs, tokenRequests: identity.tokensIssued - tokensBefore };
      } finally {
        await session?.disconnect().catch(() => undefined);
        await source.dispose?.();
      }
    };
    const total = options.firstTurnTrials + options.coldControlTrials;
    for (let i = 0; i < total; i++) {
      const warm = i < options.firstTurnTrials;
      for (const delivery of ["runtime", "request-edge"] as const) {
        const order: Mode[] = i % 2 === 0 ? ["static-key", "azure-entra"] : ["azure-entra", "static-key"];
        for (const mode of order)
          results[delivery][warm ? "warm" : "cold"][mode].push(await trial(delivery, mode, warm));
      }
      if ((i + 1) % 5 === 0 || i + 1 === total) log(`  request edge: first-turn trial ${i + 1}/${total}`);
    }
  } finally {
    identity.setDown(false);
  }
  return results;
}

// ---------------------------------------------------------------------------------------------------------------
// The handler alone: the runtime's own requests, replayed through the edge and through a bare fetch.

interface CapturedRequest {
  readonly url: string;
  readonly method: string;
  readonly headers: readonly [string, string][];
  readonly body: Uint8Array;
}

interface HandlerAlone {
  /** Median and p90 µs per request from the call to the response body read, per size and candidate. */
  readonly overLoopback: Record<Size, { bare: number[]; edge: number[] }>;
  /** The same with an answer from memory (no I/O): the edge's own CPU time. */
  readonly inMemory: Record<Size, { bare: number[]; edge: number[] }>;
  /** In real turns through the runtime: the edge's own µs per request, before `next` and after its answer. */
  readonly inFlow: Record<Size, { before: number[]; after: number[] }>;
  readonly headerNames: readonly string[];
  readonly bodyBytes: Record<Size, number>;
  readonly credentialSet: boolean;
}

/**
 * The request handler alone: one more client with the request edge, whose `next` handler first passes real
 * turns through (the first of each size records the request the runtime sent, placeholder and all; the others
 * time the edge's own work in the real flow: from its `sendRequest` to `next`, and from `next`'s answer to its
 * own), then sends to a local HTTP server (or answers from memory). Timed per request, alternating: the edge's
 * `sendRequest` (placeholder found, body buffered, credential set, new Request, span) and a bare `fetch` of the
 * same request (what the bare pass-through handler does). Each request is built as the SDK builds it
 * (`new Request(url, { method, headers, body: Uint8Array })`), outside the timing.
 */
async function runHandlerAlone(
  options: RequestEdgeBenchOptions,
  runtimes: Runtime[],
  foundryOrigin: string,
  prompts: Record<Size, string>,
  log: Log,
): Promise<HandlerAlone> {
  const answer = `data: ${JSON.stringify({ type: "response.completed", response: { id: "bench", output: [] } })}\n\n`;
  const server: Server = createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      res.writeHead(200, { "content-type": "text/event-stream" });
      res.end(answer);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const sinkOrigin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  let credentialSet = false;
  const placeholderSeen = (headers: Headers) => /copilot-byok-edge-/.test(headers.get("authorization") ?? "");
  const fromMemory = () => Promise.resolve(new Response(answer, { status: 200 }));
  let where: "capture" | "loopback" | "memory" = "capture";
  /** Sees `next`'s call (at `called`) and its answer, in the timed real turns. */
  let nextHook = (promise: Promise<Response>, _called?: bigint): Promise<Response> => promise;

  /** After the edge: during capture, to Foundry (a real turn); then as the SDK sends (`fetch`), or from memory. */
  class Next extends CopilotRequestHandler {
    protected override sendRequest(request: Request, ctx: sdk.CopilotRequestContext): Promise<Response> {
      if (where === "memory") return fromMemory();
      if (where === "loopback") return super.sendRequest(request, ctx);
      const hook = nextHook;
      const called = nowNs();
      credentialSet = request.headers.get("authorization") === `Bearer ${KEY}`;
      const url = new URL(request.url);
      const forwarded = super.sendRequest(
        new Request(foundryOrigin + url.pathname + url.search, request),
        ctx,
      );
      return hook(forwarded, called);
    }
  }
  const handler = edgeHandler(new Next());
  type Hooked = { sendRequest(request: Request, ctx: sdk.CopilotRequestContext): Promise<Response> };
  const hooked = handler as unknown as Hooked;
  const runtime = await startClient(handler);
  runtimes.push(runtime);
  // The source's provider is the loopback server: the edge sets the credential for its origin.
  const env = {
    COPILOT_PROVIDER_BASE_URL: `${sinkOrigin}/openai/v1/`,
    COPILOT_PROVIDER_MODEL_ID: MODEL,
    COPILOT_PROVIDER_API_KEY: KEY,
  };
  const selection = selectProviderConfigSource(env, [staticKeyModule]);
  const factory = new CopilotSessionFactory(selection.module.create({ env, selection }), runtime.client, env);

  // Real turns: the first of each size records the request as the runtime sent it (with its placeholder); the
  // others time the edge's own work around `next` (no clone, no capture on those).
  const captured: Partial<Record<Size, CapturedRequest>> = {};
  const inFlow: HandlerAlone["inFlow"] = {
    small: { before: [], after: [] },
    large: { before: [], after: [] },
  };
  const original = hooked.sendRequest;
  let capturing: Size | undefined;
  let timing: Size | undefined;
  let entered = 0n;
  let nextCalled = 0n;
  let nextAnswered = 0n;
  nextHook = (promise, called) => {
    nextCalled = called ?? nowNs();
    return promise.then((response) => {
      nextAnswered = nowNs();
      return response;
    });
  };
  Object.defineProperty(handler, "sendRequest", {
    configurable: true,
    value: async function (this: Hooked, request: Request, ctx: sdk.CopilotRequestContext) {
      if (capturing && placeholderSeen(request.headers) && !captured[capturing]) {
        captured[capturing] = {
          url: request.url,
          method: request.method,
          headers: [...request.headers],
          body: new Uint8Array(await request.clone().arrayBuffer()),
        };
      }
      if (!timing) return original.call(this, request, ctx);
      entered = nowNs();
      const response = await original.call(this, request, ctx);
      const left = nowNs();
      inFlow[timing].before.push(Number(nextCalled - entered) / 1000);
      inFlow[timing].after.push(Number(left - nextAnswered) / 1000);
      return response;
    },
  });
  try {
    for (let i = 0; i < 1 + options.inFlowTurns; i++) {
      for (const size of ["small", "large"] as const) {
        capturing = i === 0 ? size : undefined;
        timing = i === 0 ? undefined : size;
        const session = await factory.createSession(SESSION_CONFIG);
        const reply = await session.sendAndWait(prompts[size], 120_000);
        await session.disconnect().catch(() => undefined);
        if (reply?.data.content !== replyFor(prompts[size]))
          throw new Error(`the handler alone: a ${size} turn through the edge got an unexpected reply`);
      }
    }
  } finally {
    capturing = undefined;
    timing = undefined;
    nextHook = (promise) => promise;
    delete (handler as unknown as Record<string, unknown>).sendRequest; // back to the class's own method
  }

  /** A request as the SDK builds it (buildFetchRequest) and the context of its exchange, each with its own signal. */
  const build = (c: CapturedRequest) => ({
    request: new Request(c.url, { method: c.method, headers: [...c.headers], body: c.body.slice() }),
    ctx: {
      requestId: "bench",
      sessionId: "bench-session",
      transport: "http",
      url: c.url,
      headers: {},
      signal: new AbortController().signal,
    } as unknown as sdk.CopilotRequestContext,
  });
  /** What the bare pass-through handler does: the SDK's `sendRequest`, `fetch(request, { signal })`. */
  const bareSend = (request: Request, ctx: sdk.CopilotRequestContext) =>
    where === "memory" ? fromMemory() : fetch(request, { signal: ctx.signal });
  const timeOne = async (send: () => Promise<Response>): Promise<number> => {
    const t0 = nowNs();
    const response = await send();
    await response.arrayBuffer(); // as the SDK streams the response back
    return Number(nowNs() - t0) / 1000;
  };
  const measure = async (c: CapturedRequest) => {
    const bare: number[] = [];
    const edge: number[] = [];
    for (let i = 0; i < options.handlerWarmup + options.handlerRequests; i++) {
      const order = i % 2 === 0 ? (["bare", "edge"] as const) : (["edge", "bare"] as const);
      for (const which of order) {
        const { request, ctx } = build(c);
        const us =
          which === "bare"
            ? await timeOne(() => bareSend(request, ctx))
            : await timeOne(() => hooked.sendRequest(request, ctx));
        if (i >= options.handlerWarmup) (which === "bare" ? bare : edge).push(us);
      }
    }
    return { bare, edge };
  };
  const overLoopback = {} as HandlerAlone["overLoopback"];
  const inMemory = {} as HandlerAlone["inMemory"];
  try {
    for (const size of ["small", "large"] as const) {
      const c = captured[size];
      if (!c) throw new Error(`the handler alone: no ${size} request of the runtime was captured`);
      where = "loopback";
      overLoopback[size] = await measure(c);
      where = "memory";
      inMemory[size] = await measure(c);
    }
  } finally {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
  log("  request edge: the handler alone, done");
  return {
    overLoopback,
    inMemory,
    inFlow,
    headerNames: (captured.small?.headers ?? []).map(([name]) => name),
    bodyBytes: { small: captured.small?.body.byteLength ?? 0, large: captured.large?.body.byteLength ?? 0 },
    credentialSet,
  };
}

// ---------------------------------------------------------------------------------------------------------------

function report(
  options: RequestEdgeBenchOptions,
  started: bigint,
  variants: readonly Variant[],
  firstTurn: FirstTurnResults,
  alone: HandlerAlone,
  emulators: AzureEmulators,
): BenchmarkResult {
  const byId = (id: VariantId) => variants.find((v) => v.id === id) as Variant;
  const med = (id: VariantId, size: Size) => median(byId(id).samples[size]);
  const delta = (a: VariantId, b: VariantId, size: Size) => med(a, size) - med(b, size);
  const sizes = ["small", "large"] as const;
  const sizeLabel = (size: Size) =>
    size === "small" ? "small prompt" : `${fmt(options.largePromptBytes / 1024, 0)} KB prompt`;
  const signed = (ms: number, digits = 1) => `${ms >= 0 ? "+" : "−"}${fmt(Math.abs(ms), digits)}`;

  const turnStats = Object.fromEntries(
    variants.map((v) => [
      v.id,
      {
        label: v.label,
        delivery: v.deliveryFound,
        runtimeStartMs: round(v.runtime.startMs, 1),
        small: { ...stats(v.samples.small), samplesMs: v.samples.small.map((x) => round(x, 2)) },
        large: { ...stats(v.samples.large), samplesMs: v.samples.large.map((x) => round(x, 2)) },
      },
    ]),
  );
  const deltas = Object.fromEntries(
    (
      [
        ["sdkRelay", "bare", "static"],
        ["bearerTokenProvider", "entra", "static"],
        ["edgeOverBare", "edge", "bare"],
        ["aaNoiseFloor", "bare-2", "bare"],
        ["edgeEntraOverBare", "edge-entra", "bare"],
        ["edgeOverStatic", "edge", "static"],
      ] as const
    ).map(([name, a, b]) => [
      name,
      { small: round(delta(a, b, "small"), 3), large: round(delta(a, b, "large"), 3) },
    ]),
  );

  // The handler alone.
  const aloneStats = (where: "overLoopback" | "inMemory") =>
    Object.fromEntries(
      sizes.map((size) => {
        const { bare, edge } = alone[where][size];
        return [
          size,
          {
            bareMedianUs: round(median(bare), 2),
            bareP90Us: round(percentile(bare, 90), 2),
            edgeMedianUs: round(median(edge), 2),
            edgeP90Us: round(percentile(edge, 90), 2),
            addedMedianUs: round(median(edge) - median(bare), 2),
          },
        ];
      }),
    ) as Record<
      Size,
      {
        bareMedianUs: number;
        bareP90Us: number;
        edgeMedianUs: number;
        edgeP90Us: number;
        addedMedianUs: number;
      }
    >;
  const loopback = aloneStats("overLoopback");
  const memory = aloneStats("inMemory");

  // The first turn.
  const ft = (delivery: Delivery, warm: "warm" | "cold", mode: Mode) => firstTurn[delivery][warm][mode];
  const total = (t: FirstTurnTrial) => t.createSessionMs + t.turnMs;
  const summarize = (trials: readonly FirstTurnTrial[]) => ({
    trials: trials.length,
    medianWarmUpMs: round(median(trials.map((t) => t.warmUpMs)), 2),
    medianCreateSessionMs: round(median(trials.map((t) => t.createSessionMs)), 2),
    medianTurnMs: round(median(trials.map((t) => t.turnMs)), 2),
    p90TurnMs: round(
      percentile(
        trials.map((t) => t.turnMs),
        90,
      ),
      2,
    ),
    medianSessionAndTurnMs: round(median(trials.map(total)), 2),
    tokenRequests: trials.map((t) => t.tokenRequests),
    turnMs: trials.map((t) => round(t.turnMs, 2)),
    sessionAndTurnMs: trials.map((t) => round(total(t), 2)),
  });
  const per = <T>(f: (delivery: Delivery, warm: "warm" | "cold", mode: Mode) => T) =>
    Object.fromEntries(
      (["runtime", "request-edge"] as const).map((d) => [
        d,
        Object.fromEntries(
          (["warm", "cold"] as const).map((w) => [
            w,
            Object.fromEntries((["static-key", "azure-entra"] as const).map((m) => [m, f(d, w, m)])),
          ]),
        ),
      ]),
    ) as Record<Delivery, Record<"warm" | "cold", Record<Mode, T>>>;
  const firstTurnStats = per((d, w, m) => summarize(ft(d, w, m)));
  const ftMedian = (
    delivery: Delivery,
    warm: "warm" | "cold",
    mode: Mode,
    f: (t: FirstTurnTrial) => number,
  ) => median(ft(delivery, warm, mode).map(f));
  const ftDelta = (delivery: Delivery, warm: "warm" | "cold", f: (t: FirstTurnTrial) => number) =>
    ftMedian(delivery, warm, "azure-entra", f) - ftMedian(delivery, warm, "static-key", f);

  // Correctness.
  const problems = variants.flatMap((v) => v.problems.map((p) => `${v.id}: ${p}`));
  const deliveryWrong = variants.filter((v) => v.deliveryFound !== v.delivery);
  const relayWrong = variants.filter((v) =>
    v.relayedPerTurn.some((n) => n !== (v.handler === "none" ? 0 : 1)),
  );
  const entraTrials = (["runtime", "request-edge"] as const).flatMap((d) =>
    (["warm", "cold"] as const).flatMap((w) => ft(d, w, "azure-entra")),
  );
  const staticTrials = (["runtime", "request-edge"] as const).flatMap((d) =>
    (["warm", "cold"] as const).flatMap((w) => ft(d, w, "static-key")),
  );
  const delay = options.tokenEndpointDelayMs;
  const eachEntraAsked =
    entraTrials.every((t) => t.tokenRequests === 1) && staticTrials.every((t) => t.tokenRequests === 0);
  const warmEntra = (["runtime", "request-edge"] as const).flatMap((d) => ft(d, "warm", "azure-entra"));
  const warmUpWaited = warmEntra.every((t) => t.warmUpMs >= delay);
  const coldDeltas = (["runtime", "request-edge"] as const).map((d) => ftDelta(d, "cold", total));
  // Without warm-up the first session waits for the token endpoint; with it, it does not.
  const coldEntra = (["runtime", "request-edge"] as const).flatMap((d) => ft(d, "cold", "azure-entra"));
  const coldWaited = coldEntra.every((t) => t.createSessionMs >= delay);
  const warmDidNotWait = warmEntra.every((t) => t.createSessionMs < delay);
  const turnsTotal = variants.reduce((n, v) => n + v.relayedPerTurn.length, 0);

  /** The difference of two variants' median turns and its 90% bootstrap interval. */
  const turnDelta = (a: VariantId, b: VariantId, size: Size) => {
    const ci = medianDifferenceInterval(byId(a).samples[size], byId(b).samples[size]);
    return { delta: delta(a, b, size), low: ci.low, high: ci.high };
  };
  const withInterval = (d: { delta: number; low: number; high: number }, digits = 1) =>
    `${signed(d.delta, digits)} (90% CI ${signed(d.low, digits)} to ${signed(d.high, digits)})`;
  const flow = (size: Size) => {
    const { before, after } = alone.inFlow[size];
    const sums = before.map((b, i) => b + (after[i] ?? 0));
    return {
      beforeMedianUs: round(median(before), 2),
      afterMedianUs: round(median(after), 2),
      totalMedianUs: round(median(sums), 2),
      totalP90Us: round(percentile(sums, 90), 2),
      turns: sums.length,
    };
  };
  const edgeCheck = (size: Size): Check => {
    const s = loopback[size];
    const runtime = turnDelta("edge", "bare", size);
    const aa = turnDelta("bare-2", "bare", size);
    return {
      name: `request edge vs bare handler, ${sizeLabel(size)}`,
      target: `≤ ${EDGE_MAX_ADDED_MS} ms added per request (median; the runtime's own request replayed through both, side by side, over loopback)`,
      measured: `${signed(s.addedMedianUs / 1000, 3)} ms (${fmt(s.edgeMedianUs)} vs ${fmt(s.bareMedianUs)} µs); in real turns the edge's own work: ${fmt(flow(size).totalMedianUs / 1000, 3)} ms; through the runtime (median turn, ${byId("edge").samples[size].length} turns each, not resolvable to 0.5 ms): ${withInterval(runtime)} ms, A/A control ${withInterval(aa)} ms`,
      pass: s.addedMedianUs / 1000 <= EDGE_MAX_ADDED_MS,
      kind: "speed",
    };
  };
  const firstTurnCheck = (delivery: Delivery): Check => {
    const d = ftDelta(delivery, "warm", total);
    const dTurn = ftDelta(delivery, "warm", (t) => t.turnMs);
    const ci = medianDifferenceInterval(
      ft(delivery, "warm", "azure-entra").map(total),
      ft(delivery, "warm", "static-key").map(total),
    );
    return {
      name: `first turn with warm-up, Entra vs static-key, ${delivery === "runtime" ? "no handler" : "request edge"}`,
      target: `≤ ${FIRST_TURN_MAX_ENTRA_DELTA_MS} ms slower (median createSession + first sendAndWait; token endpoint taking ${delay} ms)`,
      measured: `${withInterval({ delta: d, ...ci })} ms (${fmt(ftMedian(delivery, "warm", "azure-entra", total))} vs ${fmt(ftMedian(delivery, "warm", "static-key", total))} ms, ${ft(delivery, "warm", "azure-entra").length} trials each); sendAndWait alone ${signed(dTurn)} ms`,
      pass: d <= FIRST_TURN_MAX_ENTRA_DELTA_MS,
      kind: "speed",
    };
  };

  const checks: Check[] = [
    edgeCheck("small"),
    edgeCheck("large"),
    firstTurnCheck("runtime"),
    firstTurnCheck("request-edge"),
    {
      name: "request edge: every turn reached the provider with the right credential",
      target:
        "each turn: one provider request, answered 200, key or Entra token as the mode says, reply naming the whole prompt",
      measured:
        problems.length === 0
          ? `yes, ${turnsTotal} turns (${variants.length} variants)`
          : `${problems.length} problem(s): ${problems.slice(0, 3).join("; ")}`,
      pass: problems.length === 0 && turnsTotal > 0,
      kind: "correctness",
    },
    {
      name: "request edge: credential delivery and relay as intended",
      target:
        "runtime-key / runtime-token-provider without the edge, request-edge with it; one fetch from this process per turn with a handler, none without",
      measured:
        deliveryWrong.length === 0 && relayWrong.length === 0
          ? `yes (${variants.map((v) => `${v.id}: ${v.deliveryFound}`).join(", ")}); the edge set the key: ${alone.credentialSet ? "yes" : "no"}`
          : `delivery: ${deliveryWrong.map((v) => `${v.id} ${v.deliveryFound}`).join(", ") || "ok"}; relay: ${relayWrong.map((v) => `${v.id} ${v.relayedPerTurn.join(",")}`).join(", ") || "ok"}`,
      pass: deliveryWrong.length === 0 && relayWrong.length === 0 && alone.credentialSet,
      kind: "correctness",
    },
    {
      name: "first turn: the slow token endpoint was met",
      target: `each new Entra source: 1 token request (${delay} ms), waited by warm-up and not by the first session; without warm-up the first session waits for it`,
      measured: `${eachEntraAsked ? "1 token request per Entra trial, 0 per static-key trial" : "token requests differ"}; warm-up waited ≥ ${delay} ms: ${warmUpWaited ? "yes" : "no"}, the first session then did not: ${warmDidNotWait ? "yes" : "no"}; without warm-up, Entra − static-key: ${coldDeltas.map((d) => `${fmt(d, 0)} ms`).join(" (no handler), ")} (request edge)`,
      pass: eachEntraAsked && warmUpWaited && warmDidNotWait && coldWaited,
      kind: "correctness",
    },
  ];

  const cell = (v: Variant, size: Size) =>
    `${fmt(median(v.samples[size]))} (p90 ${fmt(percentile(v.samples[size], 90))})`;
  const deltaRow = (label: string, a: VariantId, b: VariantId): DetailRow => ({
    label,
    values: sizes.map((size) => withInterval(turnDelta(a, b, size))),
  });
  const details: DetailRow[] = [
    ...variants.map((v) => ({ label: v.label, values: sizes.map((size) => cell(v, size)) })),
    deltaRow("Δ relay of the SDK's handler: bare − static-key", "bare", "static"),
    deltaRow("Δ bearerTokenProvider: Entra − static-key (no handler)", "entra", "static"),
    deltaRow("Δ edge − bare (what the edge adds, as far as turns resolve it)", "edge", "bare"),
    deltaRow("Δ noise floor: second bare client − bare", "bare-2", "bare"),
    deltaRow("Δ edge with Entra − bare", "edge-entra", "bare"),
    deltaRow("Δ edge − static-key (no handler): the whole cost of the edge", "edge", "static"),
  ];
  const moreDetails: DetailTable[] = [
    {
      title: `The first turn, token endpoint taking ${delay} ms (a new source each trial, a client that served turns already)`,
      columns: [
        "trials",
        "warm-up (ready()), ms",
        "createSession, ms",
        "first sendAndWait, ms (p90)",
        "createSession + first turn, ms",
      ],
      rows: (["runtime", "request-edge"] as const).flatMap((delivery) =>
        (["warm", "cold"] as const).flatMap((warm) =>
          (["static-key", "azure-entra"] as const).map((mode) => {
            const s = firstTurnStats[delivery][warm][mode];
            return {
              label: `${mode}, ${delivery === "runtime" ? "no handler" : "request edge"}, ${warm === "warm" ? "warm-up on" : "no warm-up (control)"}`,
              values: [
                String(s.trials),
                warm === "warm" ? fmt(s.medianWarmUpMs) : "—",
                fmt(s.medianCreateSessionMs as number),
                `${fmt(s.medianTurnMs as number)} (${fmt(s.p90TurnMs as number)})`,
                fmt(s.medianSessionAndTurnMs as number),
              ],
            };
          }),
        ),
      ),
    },
    {
      title: "The handler alone: the runtime's request replayed, µs per request (median, p90)",
      columns: ["bare fetch", "request edge", "edge adds"],
      rows: sizes.flatMap((size) =>
        (
          [
            ["over loopback (a local HTTP server)", loopback],
            ["answered from memory (no I/O: the edge's own CPU time)", memory],
          ] as const
        )
          .map(([where, s]) => ({
            label: `${sizeLabel(size)} (${fmt(alone.bodyBytes[size], 0)}-byte body), ${where}`,
            values: [
              `${fmt(s[size].bareMedianUs)} (${fmt(s[size].bareP90Us)})`,
              `${fmt(s[size].edgeMedianUs)} (${fmt(s[size].edgeP90Us)})`,
              `${signed(s[size].addedMedianUs)}`,
            ],
          }))
          .concat({
            label: `${sizeLabel(size)}, in ${flow(size).turns} real turns: the edge's own work (before next ${fmt(flow(size).beforeMedianUs)} + after ${fmt(flow(size).afterMedianUs)} µs)`,
            values: ["—", "—", `+${fmt(flow(size).totalMedianUs)} (p90 ${fmt(flow(size).totalP90Us)})`],
          }),
      ),
    },
  ];

  return {
    name: "request-edge",
    title: "Request edge: turn latency through the real runtime",
    settings: {
      ...strip(options),
      model: MODEL,
      wireApi: "responses (the default)",
      variants: VARIANTS.map((v) => v.id),
    },
    metrics: {
      turns: turnStats,
      deltasMs: deltas,
      handlerAlone: {
        overLoopback: loopback,
        inMemory: memory,
        inFlow: { small: flow("small"), large: flow("large") },
        capturedHeaderNames: alone.headerNames,
        bodyBytes: alone.bodyBytes,
        credentialSet: alone.credentialSet,
      },
      firstTurn: firstTurnStats,
      foundryRequests: emulators.foundry.requestCount,
    },
    checks,
    detailColumns: sizes.map((size) => `${sizeLabel(size)}: median turn, ms (p90)`),
    details,
    moreDetails,
    durationMs: round(msSince(started), 0),
  };
}
