// The benchmarks with tiny counts, as part of the test suite: the correctness half of each target
// (upstream call counts, nobody blocked, @azure/identity not loaded in static-key mode). Speed is not
// asserted here: `npm run bench` measures it (bench/README.md).
import { describe, expect, it } from "vitest";
import { COLD_START_SMOKE, missingBuilds, runColdStart } from "./coldStart.js";
import { DAY_MAX_UPSTREAM, DAY_SMOKE, type DaySimulationResult, runDay } from "./day.js";
import { HERD_SMOKE, runHerd } from "./herd.js";
import { HOT_PATH_SMOKE, runHotPath } from "./hotPath.js";
import { MAX_HEAP_GROWTH_BYTES, MEMORY_SMOKE, runMemory } from "./memory.js";
import { REQUEST_EDGE_SMOKE, runRequestEdge } from "./requestEdge.js";
import type { BenchmarkResult } from "./types.js";

/** Correctness checks that failed (speed checks are left to the full run). */
function failedCorrectness(result: BenchmarkResult): string[] {
  return result.checks
    .filter((c) => c.kind === "correctness" && !c.pass)
    .map((c) => `${c.name}: ${c.measured}`);
}

describe("benchmarks, smoke run", () => {
  it("hot path: the three candidates answer from memory, no upstream call", async () => {
    const result = await runHotPath(HOT_PATH_SMOKE);
    const metrics = result.metrics as {
      candidates: Record<string, { medianNsPerCall: number }>;
      upstreamCallsDuringMeasurement: number;
    };
    expect(metrics.upstreamCallsDuringMeasurement).toBe(0);
    for (const id of ["ours", "cache", "anchor", "floor"])
      expect(metrics.candidates[id]?.medianNsPerCall).toBeGreaterThan(0);
    expect(failedCorrectness(result)).toEqual([]);
  });

  it("memory: the hot path keeps nothing", async () => {
    const result = await runMemory(MEMORY_SMOKE);
    const ours = (result.metrics as { ours: { growthBytes: number } }).ours;
    expect(ours.growthBytes).toBeLessThan(MAX_HEAP_GROWTH_BYTES);
  });

  it("herd: 10,000 concurrent callers, exactly one upstream getToken per herd", async () => {
    const result = await runHerd(HERD_SMOKE);
    type Summary = { upstreamCalls: number[]; waited: number[]; errors: number };
    const ours = (result.metrics as { ours: Record<string, Summary> }).ours;
    for (const scenario of ["cold", "refresh-window", "expired"]) {
      expect(ours[scenario]?.upstreamCalls, scenario).toEqual([1]);
      expect(ours[scenario]?.errors, scenario).toBe(0);
    }
    expect(ours["refresh-window"]?.waited).toEqual([0]);
    expect(ours.cold?.waited).toEqual([HERD_SMOKE.callers]);
    expect(failedCorrectness(result)).toEqual([]);
  });

  it.skipIf(missingBuilds().length > 0)(
    "cold start: static-key mode does not load @azure/identity (Entra mode does)",
    async () => {
      const result = await runColdStart(COLD_START_SMOKE);
      const metrics = result.metrics as Record<
        "staticKey" | "azureEntra",
        { identityModulesResolved: number; configHas: string }
      >;
      expect(metrics.staticKey.identityModulesResolved).toBe(0);
      expect(metrics.azureEntra.identityModulesResolved).toBeGreaterThan(0);
      expect(metrics.staticKey.configHas).toBe("apiKey");
      expect(metrics.azureEntra.configHas).toBe("bearerTokenProvider");
      expect(failedCorrectness(result)).toEqual([]);
    },
    30_000,
  );

  it("request edge: every variant reaches the provider through the real runtime, credentials delivered as intended", async () => {
    const result = await runRequestEdge(REQUEST_EDGE_SMOKE);
    const metrics = result.metrics as {
      turns: Record<string, { delivery: string; small: { n: number }; large: { n: number } }>;
      firstTurn: Record<string, Record<string, Record<string, { tokenRequests: number[] }>>>;
      handlerAlone: { credentialSet: boolean; bodyBytes: { small: number; large: number } };
    };
    expect(Object.fromEntries(Object.entries(metrics.turns).map(([id, t]) => [id, t.delivery]))).toEqual({
      static: "runtime-key",
      entra: "runtime-token-provider",
      bare: "runtime-key",
      "bare-2": "runtime-key",
      edge: "request-edge",
      "edge-entra": "request-edge",
    });
    for (const [id, t] of Object.entries(metrics.turns)) {
      expect(t.small.n, id).toBe(REQUEST_EDGE_SMOKE.smallTurns);
      expect(t.large.n, id).toBe(REQUEST_EDGE_SMOKE.largeTurns);
    }
    // Every new Entra source asked the (slow) token endpoint once; static-key sources never.
    for (const delivery of ["runtime", "request-edge"])
      for (const warm of ["warm", "cold"]) {
        expect(metrics.firstTurn[delivery]?.[warm]?.["azure-entra"]?.tokenRequests).toEqual(
          Array(
            warm === "warm" ? REQUEST_EDGE_SMOKE.firstTurnTrials : REQUEST_EDGE_SMOKE.coldControlTrials,
          ).fill(1),
        );
        expect(metrics.firstTurn[delivery]?.[warm]?.["static-key"]?.tokenRequests.every((n) => n === 0)).toBe(
          true,
        );
      }
    expect(metrics.handlerAlone.credentialSet).toBe(true);
    expect(metrics.handlerAlone.bodyBytes.large).toBeGreaterThan(REQUEST_EDGE_SMOKE.largePromptBytes);
    expect(failedCorrectness(result)).toEqual([]);
  }, 60_000);

  it("a simulated day: few upstream requests, nobody blocked while a valid token existed", async () => {
    const result = await runDay(DAY_SMOKE);
    const runs = (
      result.metrics as { runs: (DaySimulationResult & { label: string; targetsApply: boolean })[] }
    ).runs;
    const ours = runs.filter((r) => r.targetsApply);
    expect(ours.map((r) => r.latencyMs)).toEqual([...DAY_SMOKE.latenciesMs]);
    for (const run of runs) {
      expect(run.blockedWhileValidToken, run.label).toBe(0);
      expect(run.errors, run.label).toBe(0);
      expect(run.answered, run.label).toBe(run.asks);
    }
    // The checked runs (refresh window as getBearerTokenProvider's, 2 min): the target, ≤ 25.
    for (const run of ours) {
      expect(run.refreshWindowMs, run.label).toBe(DAY_SMOKE.refreshWindowMs);
      expect(run.upstreamCalls, run.label).toBeLessThanOrEqual(DAY_MAX_UPSTREAM);
      expect(run.upstreamCalls, run.label).toBeGreaterThanOrEqual(24);
    }
    // The default window (5 min): one upstream request per 55 minutes, 27 in 24 hours, nobody blocked.
    const defaults = runs.filter((r) => r.library === "ours" && !r.targetsApply);
    expect(defaults.length).toBe(DAY_SMOKE.latenciesMs.length);
    for (const run of defaults) {
      expect(run.refreshWindowMs, run.label).toBe(5 * 60_000);
      expect(run.upstreamCalls, run.label).toBe(Math.ceil((24 * 60) / 55));
    }
    // getBearerTokenProvider beside it, same credential and clock: same 2-minute window, same count.
    for (const run of runs.filter((r) => r.library === "anchor"))
      expect(run.upstreamCalls, run.label).toBeLessThanOrEqual(DAY_MAX_UPSTREAM);
  }, 40_000);
});
