import { type Counter, type MeterProvider, metrics } from "@opentelemetry/api";

// The refreshing caches' counter, through @opentelemetry/api only (a no-op without an SDK); made again when the
// global meter provider changes, like the request edge's instruments. Attributes: names and outcomes, never a value.

/** Name of the counter of credential refreshes (every RefreshingCache: tokens, keys with a TTL). */
export const REFRESHES_METRIC = "copilot_byok.credential.refreshes";

let made: { readonly provider: MeterProvider; readonly counter: Counter } | undefined;

/** Counts one finished refresh of `credential` (its name, e.g. `DefaultAzureCredential`). */
export function countRefresh(
  credential: string,
  outcome: "succeeded" | "failed",
  background: boolean,
  renewal: boolean,
): void {
  const provider = metrics.getMeterProvider();
  if (made?.provider !== provider) {
    const counter = provider.getMeter("@copilot-byok/core").createCounter(REFRESHES_METRIC, {
      description: "Credential refreshes (background, on demand, or renewals after a 401), by outcome",
    });
    made = { provider, counter };
  }
  made.counter.add(1, {
    "copilot_byok.credential": credential,
    "copilot_byok.outcome": outcome,
    "copilot_byok.background": background,
    "copilot_byok.renewal": renewal,
  });
}
