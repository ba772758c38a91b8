import { EDGE_METRICS } from "@copilot-byok/core";
import type { Attributes } from "@opentelemetry/api";
import type { ResourceMetrics } from "@opentelemetry/sdk-metrics";
import { beforeAll, describe, expect, it } from "vitest";
import { type ExampleRun, NEW_KEY, OLD_KEY, runExample } from "./runExample.js";

const MODE = "static-key";
let run: ExampleRun;
const printed: string[] = [];
beforeAll(async () => {
  run = await runExample((line) => printed.push(line));
}, 90_000);

/** The data points of one instrument of core's meter: attributes and value. */
function points(
  metrics: ResourceMetrics | undefined,
  name: string,
): { attributes: Attributes; value: unknown }[] {
  const scopes = (metrics?.scopeMetrics ?? []).filter((s) => s.scope.name === "@copilot-byok/core");
  const metric = scopes.flatMap((s) => s.metrics).find((m) => m.descriptor.name === name);
  return (metric?.dataPoints ?? []).map((p) => ({ attributes: p.attributes, value: p.value }));
}

describe("the example: a turn, a key rotation, a turn (401 → renewal → replay)", () => {
  it("answers both turns; the provider refused the old key once, then accepted the new one", () => {
    expect(run.replies).toEqual(["Echo: hello before the rotation", "Echo: hello after the rotation"]);
    const statuses = run.providerRequests.map((r) => r.status);
    expect(statuses.filter((s) => s === 401)).toHaveLength(1);
    expect(statuses.at(-1)).toBe(200);
    expect(statuses.filter((s) => s === 200)).toHaveLength(2);
  });

  it("counts every request sent to the provider by status class: one 2xx, one 401 (refused), one 2xx replayed", () => {
    const requests = points(run.metrics, EDGE_METRICS.requests);
    const point = (statusClass: string, replayed: boolean) => ({
      attributes: {
        "copilot_byok.mode": MODE,
        "http.response.status_class": statusClass,
        "copilot_byok.replayed": replayed,
      },
      value: 1,
    });
    expect(requests).toHaveLength(3);
    expect(requests).toEqual(
      expect.arrayContaining([point("2xx", false), point("4xx", false), point("2xx", true)]),
    );
    // Every request the provider answered is in the counter.
    const counted = requests.reduce((sum, p) => sum + Number(p.value), 0);
    expect(counted).toBe(run.providerRequests.length);
  });

  it("counts one replay accepted and one renewal renewed", () => {
    expect(points(run.metrics, EDGE_METRICS.replays)).toEqual([
      { attributes: { "copilot_byok.mode": MODE, "copilot_byok.outcome": "accepted" }, value: 1 },
    ]);
    expect(points(run.metrics, EDGE_METRICS.renewals)).toEqual([
      { attributes: { "copilot_byok.mode": MODE, "copilot_byok.outcome": "renewed" }, value: 1 },
    ]);
  });

  it("gauges the key's age; a static key has no expiry, so no time-to-expiry point", () => {
    const age = points(run.metrics, EDGE_METRICS.age);
    expect(age).toEqual([{ attributes: { "copilot_byok.mode": MODE }, value: expect.any(Number) }]);
    expect(age[0]?.value).toBeGreaterThanOrEqual(0);
    expect(points(run.metrics, EDGE_METRICS.timeToExpiry)).toEqual([]);
  });

  it("has a span per provider request; the replayed one carries the request_replayed event", () => {
    expect(run.spans).toHaveLength(2);
    for (const span of run.spans) {
      expect(span.name).toBe("copilot_byok provider request");
      expect(span.attributes).toMatchObject({
        "copilot_byok.mode": MODE,
        "http.request.method": "POST",
        "http.response.status_code": 200,
      });
    }
    const events = run.spans.flatMap((s) =>
      s.events.map((e) => ({ name: e.name, attributes: e.attributes })),
    );
    expect(events).toEqual([
      { name: "copilot_byok.request_replayed", attributes: { "copilot_byok.outcome": "accepted" } },
    ]);
  });

  it("prints the counters and the span event", () => {
    const text = printed.join("\n");
    expect(text).toContain("reply 1: Echo: hello before the rotation\nrotated:");
    expect(text).toMatch(
      /copilot_byok\.credential\.replays \(counter\)\n +1 {2}copilot_byok\.mode=static-key copilot_byok\.outcome=accepted/,
    );
    expect(text).toMatch(
      /copilot_byok\.credential\.renewals \(counter\)\n +1 {2}copilot_byok\.mode=static-key copilot_byok\.outcome=renewed/,
    );
    expect(text).toContain("event copilot_byok.request_replayed copilot_byok.outcome=accepted");
  });

  it("holds neither key in any attribute, resource, event or printed line (canary)", () => {
    const recorded = JSON.stringify({
      metrics: run.metrics,
      spans: run.spans.map((s) => ({
        name: s.name,
        attributes: s.attributes,
        events: s.events,
        status: s.status,
        resource: s.resource.attributes,
      })),
      printed,
    });
    expect(recorded).toContain("copilot_byok.request_replayed"); // the serialization did take the spans in
    for (const secret of [OLD_KEY, NEW_KEY, "CANARY"]) expect(recorded).not.toContain(secret);
  });
});
