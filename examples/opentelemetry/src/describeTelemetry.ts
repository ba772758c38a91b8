import type { Attributes, HrTime } from "@opentelemetry/api";
import { DataPointType, type ResourceMetrics } from "@opentelemetry/sdk-metrics";
import type { ReadableSpan } from "@opentelemetry/sdk-trace-base";

/** `name=value` pairs, in the order recorded. */
export function describeAttributes(attributes: Attributes | undefined): string {
  return Object.entries(attributes ?? {})
    .map(([name, value]) => `${name}=${Array.isArray(value) ? value.join(",") : String(value)}`)
    .join(" ");
}

/** The metrics, one line per instrument and one per data point (its value, then its attributes). */
export function describeMetrics(resourceMetrics: ResourceMetrics | undefined): string[] {
  const lines: string[] = [];
  for (const scope of resourceMetrics?.scopeMetrics ?? []) {
    lines.push(`meter ${scope.scope.name}`);
    for (const metric of scope.metrics) {
      const { name, unit } = metric.descriptor;
      const kind = metric.dataPointType === DataPointType.SUM ? "counter" : "gauge";
      lines.push(`  ${name} (${kind}${unit ? `, ${unit}` : ""})`);
      if (metric.dataPoints.length === 0) lines.push("    (no data point)");
      for (const point of metric.dataPoints) {
        const value = typeof point.value === "number" ? String(point.value) : JSON.stringify(point.value);
        lines.push(`    ${value.padStart(4)}  ${describeAttributes(point.attributes)}`);
      }
    }
  }
  return lines.length > 0 ? lines : ["(no metrics)"];
}

const millis = ([seconds, nanos]: HrTime) => seconds * 1000 + nanos / 1e6;

/** The spans, in the order they ended, each with its attributes and events. */
export function describeSpans(spans: readonly ReadableSpan[]): string[] {
  const lines: string[] = [];
  for (const span of spans) {
    const status = span.attributes["http.response.status_code"] ?? "?";
    lines.push(`span "${span.name}" ${status} (${Math.round(millis(span.duration))} ms)`);
    lines.push(`    ${describeAttributes(span.attributes)}`);
    for (const event of span.events) {
      const attributes = describeAttributes(event.attributes);
      lines.push(`    event ${event.name}${attributes ? ` ${attributes}` : ""}`);
    }
  }
  return lines.length > 0 ? lines : ["(no spans)"];
}
