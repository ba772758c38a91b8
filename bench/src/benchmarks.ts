import { COLD_START_FULL, COLD_START_SMOKE, runColdStart } from "./coldStart.js";
import { DAY_FULL, DAY_SMOKE, runDay } from "./day.js";
import { HERD_FULL, HERD_SMOKE, runHerd } from "./herd.js";
import { HOT_PATH_FULL, HOT_PATH_SMOKE, runHotPath } from "./hotPath.js";
import { MEMORY_FULL, MEMORY_SMOKE, runMemory } from "./memory.js";
import { REQUEST_EDGE_FULL, REQUEST_EDGE_SMOKE, runRequestEdge } from "./requestEdge.js";
import type { BenchmarkResult, Log } from "./types.js";

export interface Benchmark {
  /** Id for `--only`. */
  readonly name: string;
  readonly run: (smoke: boolean, log?: Log) => Promise<BenchmarkResult>;
}

const withLog = <T extends object>(options: T, log: Log | undefined): T & { log?: Log } =>
  log ? { ...options, log } : options;

/** Every benchmark, in the order they run (the timing-sensitive ones first, on a quiet heap). */
export const BENCHMARKS: readonly Benchmark[] = [
  {
    name: "hot-path",
    run: (smoke, log) => runHotPath(withLog(smoke ? HOT_PATH_SMOKE : HOT_PATH_FULL, log)),
  },
  { name: "memory", run: (smoke, log) => runMemory(withLog(smoke ? MEMORY_SMOKE : MEMORY_FULL, log)) },
  { name: "herd", run: (smoke, log) => runHerd(withLog(smoke ? HERD_SMOKE : HERD_FULL, log)) },
  {
    name: "cold-start",
    run: (smoke, log) => runColdStart(withLog(smoke ? COLD_START_SMOKE : COLD_START_FULL, log)),
  },
  {
    name: "request-edge",
    run: (smoke, log) => runRequestEdge(withLog(smoke ? REQUEST_EDGE_SMOKE : REQUEST_EDGE_FULL, log)),
  },
  { name: "day", run: (smoke, log) => runDay(withLog(smoke ? DAY_SMOKE : DAY_FULL, log)) },
];
