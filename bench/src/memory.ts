import { getBearerTokenProvider } from "@azure/identity";
import { EntraIdProviderConfigSource } from "@copilot-byok/azure-entra";
import { BASE_URL, SCOPE, staticTokenCredential } from "./credentials.js";
import { collectGarbage, fmt, msSince, nowNs, round } from "./harness.js";
import type { BenchmarkResult, Log } from "./types.js";

export interface MemoryOptions {
  /** Hot-path calls between the two heap measurements. */
  readonly calls: number;
  /** Calls started together and awaited as a batch. */
  readonly batch: number;
  /** Calls before the first measurement (JIT, lazily created structures). */
  readonly warmupCalls: number;
  /** Also measure `getBearerTokenProvider` (for comparison, no target). */
  readonly anchor: boolean;
  readonly log?: Log;
}

export const MEMORY_FULL: Omit<MemoryOptions, "log"> = {
  calls: 1_000_000,
  batch: 1_000,
  warmupCalls: 100_000,
  anchor: true,
};
export const MEMORY_SMOKE: Omit<MemoryOptions, "log"> = {
  calls: 20_000,
  batch: 1_000,
  warmupCalls: 2_000,
  anchor: true,
};

export const MAX_HEAP_GROWTH_BYTES = 1024 * 1024;
const ARGS = Object.freeze({ providerName: "default", sessionId: "bench-memory" });

interface Growth {
  readonly heapUsedBefore: number;
  readonly heapUsedAfter: number;
  readonly growthBytes: number;
  readonly wallMs: number;
}

/** Heap growth over `calls` hot-path calls, each side of the calls after full garbage collections. */
export async function runMemory(options: MemoryOptions): Promise<BenchmarkResult> {
  const started = nowNs();
  const credential = staticTokenCredential();
  const source = new EntraIdProviderConfigSource({ baseUrl: BASE_URL, credential });
  const config = await source.getProviderConfig();
  const provider = config.bearerTokenProvider;
  if (!provider) throw new Error("no bearerTokenProvider");
  const ours = await measure(() => provider(ARGS), options);
  source.dispose();
  options.log?.(`  memory: this library ${fmt(ours.growthBytes / 1024)} KiB`);

  let anchor: Growth | undefined;
  if (options.anchor) {
    const anchorProvider = getBearerTokenProvider(credential, SCOPE);
    anchor = await measure(() => anchorProvider(), options);
    options.log?.(`  memory: getBearerTokenProvider ${fmt(anchor.growthBytes / 1024)} KiB`);
  }

  const kib = (b: number) => `${fmt(b / 1024)} KiB`;
  return {
    name: "memory",
    title: `Memory: heap growth over ${fmt(options.calls, 0)} hot-path calls`,
    settings: strip(options),
    metrics: { ours, ...(anchor ? { anchor } : {}) },
    checks: [
      {
        name: "memory: heap growth after the calls and a GC",
        target: "< 1 MiB",
        measured: `${kib(ours.growthBytes)} (${fmt(ours.heapUsedBefore / 1048576)} → ${fmt(ours.heapUsedAfter / 1048576)} MiB heap used)`,
        pass: ours.growthBytes < MAX_HEAP_GROWTH_BYTES,
        kind: "correctness",
      },
    ],
    detailColumns: ["heap used before, MiB", "after, MiB", "growth", "time for the calls, ms"],
    details: [
      { label: "this library: bearerTokenProvider", values: row(ours) },
      ...(anchor ? [{ label: "@azure/identity getBearerTokenProvider", values: row(anchor) }] : []),
    ],
    durationMs: round(msSince(started), 0),
  };

  function row(g: Growth): string[] {
    return [
      fmt(g.heapUsedBefore / 1048576, 2),
      fmt(g.heapUsedAfter / 1048576, 2),
      kib(g.growthBytes),
      fmt(g.wallMs, 0),
    ];
  }
}

async function measure(call: () => Promise<unknown>, options: MemoryOptions): Promise<Growth> {
  await calls(call, options.warmupCalls, options.batch);
  settle();
  const heapUsedBefore = process.memoryUsage().heapUsed;
  const t0 = nowNs();
  await calls(call, options.calls, options.batch);
  const wallMs = msSince(t0);
  settle();
  const heapUsedAfter = process.memoryUsage().heapUsed;
  return {
    heapUsedBefore,
    heapUsedAfter,
    growthBytes: heapUsedAfter - heapUsedBefore,
    wallMs: round(wallMs),
  };
}

async function calls(call: () => Promise<unknown>, count: number, batch: number): Promise<void> {
  const pending: Promise<unknown>[] = new Array(batch);
  for (let done = 0; done < count; done += batch) {
    const n = Math.min(batch, count - done);
    pending.length = n;
    for (let i = 0; i < n; i++) pending[i] = call();
    await Promise.all(pending);
  }
}

/** Two full collections (the second catches what the first's finalizers released). */
function settle(): void {
  collectGarbage();
  collectGarbage();
}

function strip(options: MemoryOptions): Omit<MemoryOptions, "log"> {
  const { log: _log, ...rest } = options;
  return rest;
}
