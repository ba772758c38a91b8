import { getBearerTokenProvider } from "@azure/identity";
import { EntraIdProviderConfigSource } from "@copilot-byok/azure-entra";
import { BASE_URL, SCOPE, staticTokenCredential } from "./credentials.js";
import { fmt, median, msSince, nowNs, percentile, round, timeSequential } from "./harness.js";
import type { BenchmarkResult, Log } from "./types.js";

export interface HotPathOptions {
  /** Measured rounds; each runs one batch of every candidate. */
  readonly rounds: number;
  /** Rounds run first and thrown away (JIT warm-up). */
  readonly warmupRounds: number;
  /** Calls per batch for the fast candidates (this library, the floor). */
  readonly batchCalls: number;
  /** Calls per batch for `getBearerTokenProvider` (about 10× slower: fewer calls, similar batch time). */
  readonly anchorBatchCalls: number;
  readonly log?: Log;
}

export const HOT_PATH_FULL: Omit<HotPathOptions, "log"> = {
  rounds: 150,
  warmupRounds: 20,
  batchCalls: 20_000,
  anchorBatchCalls: 2_000,
};
export const HOT_PATH_SMOKE: Omit<HotPathOptions, "log"> = {
  rounds: 5,
  warmupRounds: 1,
  batchCalls: 2_000,
  anchorBatchCalls: 200,
};

/** What the runtime passes to `bearerTokenProvider` (the SDK's `ProviderTokenArgs`). */
interface TokenArgs {
  readonly providerName: string;
  readonly sessionId: string;
}
const TOKEN_ARGS: TokenArgs = Object.freeze({ providerName: "default", sessionId: "bench-session" });

/** Targets of the issue. */
export const HOT_PATH_MIN_SPEEDUP = 15;
export const HOT_PATH_MAX_OVER_FLOOR = 3;

interface Candidate {
  readonly id: string;
  readonly label: string;
  readonly call: () => Promise<string>;
  readonly calls: number;
  readonly samples: number[];
}

/**
 * Per-call cost of a token on a warm cache, the same in-memory credential behind both libraries:
 * - `ours`: the Entra source's `bearerTokenProvider` (what the runtime calls before each model request);
 * - `cache`: `TokenCache.getToken` underneath it (for information);
 * - `anchor`: `getBearerTokenProvider(credential, scope)` from `@azure/identity`;
 * - `floor`: `() => Promise.resolve(token)`, the least an async token provider can cost.
 * Rounds interleave the candidates (the order rotates each round); each sample is one batch of sequential
 * awaited calls; the result is the median ns per call.
 */
export async function runHotPath(options: HotPathOptions): Promise<BenchmarkResult> {
  const started = nowNs();
  const credential = staticTokenCredential();
  const source = new EntraIdProviderConfigSource({ baseUrl: BASE_URL, credential });
  const config = await source.getProviderConfig();
  const ours = config.bearerTokenProvider;
  if (!ours) throw new Error("the Entra source's provider config has no bearerTokenProvider");
  const cache = source.tokenCache;
  const cacheGetToken = (_args: TokenArgs) => cache.getToken(SCOPE);
  const anchor: (args: TokenArgs) => Promise<string> = getBearerTokenProvider(credential, SCOPE);
  // The token current now, as a waiting caller gets it (from the cache): every candidate must answer it.
  const { value: token } = await source.getCredential();
  const floor = (_args: TokenArgs) => Promise.resolve(token);

  const candidates: Candidate[] = [
    // Every candidate is called the same way: with the arguments the runtime passes.
    {
      id: "ours",
      label: "this library: bearerTokenProvider",
      call: () => ours(TOKEN_ARGS),
      calls: options.batchCalls,
    },
    {
      id: "cache",
      label: "this library: TokenCache.getToken",
      call: () => cacheGetToken(TOKEN_ARGS),
      calls: options.batchCalls,
    },
    {
      id: "anchor",
      label: "@azure/identity getBearerTokenProvider",
      call: () => anchor(TOKEN_ARGS),
      calls: options.anchorBatchCalls,
    },
    {
      id: "floor",
      label: "floor: Promise.resolve(token)",
      call: () => floor(TOKEN_ARGS),
      calls: options.batchCalls,
    },
  ].map((c) => ({ ...c, samples: [] }));

  // Same answer from every candidate, and no upstream call once warm.
  for (const c of candidates) {
    const got = await c.call();
    if (got !== token) throw new Error(`${c.label} returned another token`);
  }
  const upstreamBefore = credential.calls;

  const total = options.warmupRounds + options.rounds;
  for (let round = 0; round < total; round++) {
    for (let k = 0; k < candidates.length; k++) {
      const c = candidates[(round + k) % candidates.length] as Candidate;
      const ns = await timeSequential(c.call, c.calls);
      if (round >= options.warmupRounds) c.samples.push(ns);
    }
    if (options.log && (round + 1) % 50 === 0) options.log(`  hot path: round ${round + 1}/${total}`);
  }
  const upstreamDuring = credential.calls - upstreamBefore;
  source.dispose();

  const stats = Object.fromEntries(
    candidates.map((c) => [
      c.id,
      {
        label: c.label,
        medianNsPerCall: round(median(c.samples)),
        p10NsPerCall: round(percentile(c.samples, 10)),
        p90NsPerCall: round(percentile(c.samples, 90)),
        samples: c.samples.length,
        callsPerSample: c.calls,
      },
    ]),
  ) as Record<string, { label: string; medianNsPerCall: number; p10NsPerCall: number; p90NsPerCall: number }>;
  const m = (id: string) => (stats[id] as { medianNsPerCall: number }).medianNsPerCall;
  const speedup = m("anchor") / m("ours");
  const overFloor = m("ours") / m("floor");
  const cacheSpeedup = m("anchor") / m("cache");
  const cacheOverFloor = m("cache") / m("floor");

  return {
    name: "hot-path",
    title: "Hot path: a token on a warm cache",
    settings: { ...strip(options), scope: SCOPE },
    metrics: {
      candidates: stats,
      speedupVsGetBearerTokenProvider: round(speedup),
      oursOverFloor: round(overFloor),
      tokenCacheSpeedupVsGetBearerTokenProvider: round(cacheSpeedup),
      tokenCacheOverFloor: round(cacheOverFloor),
      upstreamCallsDuringMeasurement: upstreamDuring,
    },
    checks: [
      {
        name: "hot path vs getBearerTokenProvider",
        target: `≥ ${HOT_PATH_MIN_SPEEDUP}× faster`,
        measured: `${fmt(speedup)}× faster (${fmt(m("ours"))} vs ${fmt(m("anchor"))} ns/call)`,
        pass: speedup >= HOT_PATH_MIN_SPEEDUP,
        kind: "speed",
      },
      {
        name: "hot path vs the floor",
        target: `≤ ${HOT_PATH_MAX_OVER_FLOOR}× a resolved promise`,
        measured: `${fmt(overFloor, 2)}× (${fmt(m("ours"))} vs ${fmt(m("floor"))} ns/call)`,
        pass: overFloor <= HOT_PATH_MAX_OVER_FLOOR,
        kind: "speed",
      },
      {
        name: "hot path: no upstream call on a warm cache",
        target: "0 getToken calls",
        measured: `${upstreamDuring} getToken calls`,
        pass: upstreamDuring === 0,
        kind: "correctness",
      },
    ],
    detailColumns: ["median ns/call", "p10–p90 ns/call", "vs getBearerTokenProvider", "vs floor"],
    details: candidates.map((c) => {
      const s = stats[c.id] as { medianNsPerCall: number; p10NsPerCall: number; p90NsPerCall: number };
      return {
        label: c.label,
        values: [
          fmt(s.medianNsPerCall),
          `${fmt(s.p10NsPerCall)}–${fmt(s.p90NsPerCall)}`,
          c.id === "anchor" ? "—" : `${fmt(m("anchor") / s.medianNsPerCall)}× faster`,
          `${fmt(s.medianNsPerCall / m("floor"), 2)}×`,
        ],
      };
    }),
    durationMs: round(msSince(started), 0),
  };
}

/** Options without the logger, for the JSON. */
export function strip<T extends { log?: Log }>(options: T): Omit<T, "log"> {
  const { log: _log, ...rest } = options;
  return rest;
}
