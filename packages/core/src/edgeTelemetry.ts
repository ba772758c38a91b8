import {
  type Attributes,
  type Counter,
  type MeterProvider,
  metrics,
  type ObservableResult,
  type Span,
  SpanKind,
  SpanStatusCode,
  trace,
} from "@opentelemetry/api";

// OpenTelemetry through @opentelemetry/api only: a no-op until the app registers an SDK. Instruments are made
// again when the global meter provider changes (the API's default one is no proxy: instruments made before the
// app's SDK was registered would stay no-ops). Attributes name modes and outcomes, never a credential.

const SCOPE = "@copilot-byok/core";

/** The names of what the request edge measures. */
export const EDGE_METRICS = Object.freeze({
  requests: "copilot_byok.provider.requests",
  replays: "copilot_byok.credential.replays",
  renewals: "copilot_byok.credential.renewals",
  timeToExpiry: "copilot_byok.credential.time_to_expiry",
  age: "copilot_byok.credential.age",
});

/** What the gauges read: each source's credential in use, as last applied. */
export interface CredentialInUse {
  readonly mode: string;
  readonly expiresOn?: number | undefined;
  readonly obtainedOn?: number | undefined;
}

interface Instruments {
  readonly provider: MeterProvider;
  readonly requests: Counter;
  readonly replays: Counter;
  readonly renewals: Counter;
}

/** The request edge's metrics and spans. */
export class EdgeTelemetry {
  #instruments: Instruments | undefined;

  constructor(
    private readonly inUse: () => Iterable<CredentialInUse>,
    private readonly now: () => number,
  ) {}

  /** A span for one provider request, ended by the caller. */
  startSpan(mode: string, request: Request, sessionId: string | undefined): Span {
    const url = new URL(request.url);
    return trace.getTracer(SCOPE).startSpan("copilot_byok provider request", {
      kind: SpanKind.CLIENT,
      attributes: {
        "copilot_byok.mode": mode,
        "http.request.method": request.method,
        "server.address": url.hostname,
        ...(url.port ? { "server.port": Number(url.port) } : {}),
        "url.path": url.pathname,
        ...(sessionId ? { "copilot.session_id": sessionId } : {}),
      },
    });
  }

  /** Ends `span` for a request that threw (network error, abort): the exception's name only, never its message. */
  failSpan(span: Span, error: unknown): void {
    const name = error instanceof Error ? error.name : typeof error;
    span.recordException({ name, message: name });
    span.setStatus({ code: SpanStatusCode.ERROR, message: name });
    span.end();
  }

  endSpan(span: Span, status: number): void {
    span.setAttribute("http.response.status_code", status);
    if (status >= 400) span.setStatus({ code: SpanStatusCode.ERROR, message: `HTTP ${status}` });
    span.end();
  }

  request(mode: string, status: number, replayed: boolean): void {
    this.#get().requests.add(1, {
      "copilot_byok.mode": mode,
      "http.response.status_class": `${Math.floor(status / 100)}xx`,
      "copilot_byok.replayed": replayed,
    });
  }

  replay(mode: string, outcome: "accepted" | "rejected" | "failed"): void {
    this.#get().replays.add(1, { "copilot_byok.mode": mode, "copilot_byok.outcome": outcome });
  }

  renewal(mode: string, outcome: "renewed" | "same" | "failed"): void {
    this.#get().renewals.add(1, { "copilot_byok.mode": mode, "copilot_byok.outcome": outcome });
  }

  #get(): Instruments {
    const provider = metrics.getMeterProvider();
    if (this.#instruments?.provider === provider) return this.#instruments;
    const meter = provider.getMeter(SCOPE);
    const requests = meter.createCounter(EDGE_METRICS.requests, {
      description: "Model requests to the provider through the request edge, by status class",
    });
    const replays = meter.createCounter(EDGE_METRICS.replays, {
      description: "Requests sent once more with a renewed credential after a 401",
    });
    const renewals = meter.createCounter(EDGE_METRICS.renewals, {
      description: "Credential renewals asked for after a 401, by outcome",
    });
    const timeToExpiry = meter.createObservableGauge(EDGE_METRICS.timeToExpiry, {
      description: "Time left before the credential in use expires",
      unit: "s",
    });
    const age = meter.createObservableGauge(EDGE_METRICS.age, {
      description: "Time since the source obtained the credential in use (a key's age)",
      unit: "s",
    });
    timeToExpiry.addCallback((result) => this.#observe(result, "expiresOn"));
    age.addCallback((result) => this.#observe(result, "obtainedOn"));
    this.#instruments = { provider, requests, replays, renewals };
    return this.#instruments;
  }

  #observe(result: ObservableResult<Attributes>, field: "expiresOn" | "obtainedOn"): void {
    const now = this.now();
    for (const credential of this.inUse()) {
      const at = credential[field];
      if (typeof at !== "number") continue;
      const seconds = field === "expiresOn" ? (at - now) / 1000 : (now - at) / 1000;
      result.observe(Math.round(seconds), { "copilot_byok.mode": credential.mode });
    }
  }
}
