import { metrics, trace } from "@opentelemetry/api";
import {
  AggregationTemporality,
  InMemoryMetricExporter,
  MeterProvider,
  PeriodicExportingMetricReader,
  type ResourceMetrics,
} from "@opentelemetry/sdk-metrics";
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
} from "@opentelemetry/sdk-trace-base";

/** An OpenTelemetry SDK that keeps what it records in memory, registered as the global one. */
export interface InMemoryTelemetry {
  /** The metrics as of now (cumulative since the start), through the reader's export. */
  collectMetrics(): Promise<ResourceMetrics | undefined>;
  /** The spans ended so far. */
  spans(): readonly ReadableSpan[];
  /** Flushes, shuts the providers down and unregisters them. */
  shutdown(): Promise<void>;
}

/**
 * Registers a meter provider and a tracer provider as the global ones of `@opentelemetry/api`, the API core
 * records through: a real app does the same with an OTLP exporter (or `@opentelemetry/sdk-node`) in their place.
 */
export function startInMemoryTelemetry(): InMemoryTelemetry {
  const metricExporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
  // The interval is long: the example exports when it prints (forceFlush), as a real app's reader does on its own.
  const reader = new PeriodicExportingMetricReader({
    exporter: metricExporter,
    exportIntervalMillis: 3_600_000,
  });
  const meterProvider = new MeterProvider({ readers: [reader] });
  const spanExporter = new InMemorySpanExporter();
  const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spanExporter)] });
  metrics.setGlobalMeterProvider(meterProvider);
  trace.setGlobalTracerProvider(tracerProvider);
  return {
    async collectMetrics() {
      metricExporter.reset();
      await reader.forceFlush();
      return metricExporter.getMetrics().at(-1);
    },
    spans: () => spanExporter.getFinishedSpans(),
    async shutdown() {
      await Promise.allSettled([meterProvider.shutdown(), tracerProvider.shutdown()]);
      metrics.disable();
      trace.disable();
    },
  };
}
