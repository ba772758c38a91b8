import { getBearerTokenProvider } from "@azure/identity";
import { EntraIdProviderConfigSource } from "@copilot-byok/azure-entra";
import { BASE_URL, CountingCredential, SCOPE, tokenNumber } from "./credentials.js";
import { FakeClock } from "./FakeClock.js";
import { fmt, median, msSince, nowNs, round, withDateNow } from "./harness.js";
import type { BenchmarkResult, Check, DetailRow, Log } from "./types.js";

export interface HerdOptions {
  /** Concurrent callers per herd. */
  readonly callers: number;
  /** Herds per scenario and library; upstream calls must be exactly 1 in every one. */
  readonly repetitions: number;
  /** Real latency of the upstream `getToken` (an identity endpoint round trip). */
  readonly latencyMs: number;
  readonly log?: Log;
}

export const HERD_FULL: Omit<HerdOptions, "log"> = { callers: 10_000, repetitions: 5, latencyMs: 50 };
export const HERD_SMOKE: Omit<HerdOptions, "log"> = { callers: 10_000, repetitions: 1, latencyMs: 20 };

type Scenario = "cold" | "refresh-window" | "expired";
type Library = "ours" | "anchor";

const SCENARIOS: Record<Scenario, string> = {
  cold: "cold cache (first use)",
  "refresh-window": "refresh boundary: token inside the refresh window, still valid",
  expired: "refresh boundary: token expired (e.g. after the process slept)",
};

interface HerdRun {
  readonly upstreamCalls: number;
  /** Callers answered with a token issued during the herd (they waited for the upstream call). */
  readonly waited: number;
  readonly errors: number;
  /** Longest time from a caller's call to its answer, real ms. */
  readonly longestWaitMs: number;
  /** How long starting all the calls took (one thread: the first caller's answer waits for it). */
  readonly startAllMs: number;
}

const HOUR = 3_600_000;

/**
 * `callers` concurrent callers on one cache, in three situations: a cold cache, the first calls after the
 * token entered the refresh window, and after it expired. The credential takes `latencyMs` of real time;
 * the token cache's clock (and, for `getBearerTokenProvider`, `Date.now`) is simulated, only to move to
 * the boundary without waiting an hour. This library's cold herd is `getProviderConfig()` (sessions being
 * created); the others use the config's `bearerTokenProvider`.
 */
export async function runHerd(options: HerdOptions): Promise<BenchmarkResult> {
  const started = nowNs();
  const results: Record<Library, Record<Scenario, HerdRun[]>> = {
    ours: { cold: [], "refresh-window": [], expired: [] },
    anchor: { cold: [], "refresh-window": [], expired: [] },
  };
  for (let rep = 0; rep < options.repetitions; rep++) {
    for (const library of ["ours", "anchor"] as const) {
      const runs = await herdOnce(library, options);
      for (const scenario of Object.keys(SCENARIOS) as Scenario[])
        results[library][scenario].push(runs[scenario]);
    }
    options.log?.(`  herd: repetition ${rep + 1}/${options.repetitions}`);
  }

  const summary = (runs: HerdRun[]) => ({
    upstreamCalls: runs.map((r) => r.upstreamCalls),
    waited: runs.map((r) => r.waited),
    errors: runs.reduce((n, r) => n + r.errors, 0),
    longestWaitMs: runs.map((r) => round(r.longestWaitMs)),
    medianLongestWaitMs: round(median(runs.map((r) => r.longestWaitMs))),
    maxLongestWaitMs: round(Math.max(...runs.map((r) => r.longestWaitMs))),
    medianStartAllMs: round(median(runs.map((r) => r.startAllMs))),
  });
  const metrics = {
    ours: mapScenarios((s) => summary(results.ours[s])),
    anchor: mapScenarios((s) => summary(results.anchor[s])),
  };

  const checks: Check[] = [];
  const details: DetailRow[] = [];
  for (const scenario of Object.keys(SCENARIOS) as Scenario[]) {
    const ours = results.ours[scenario];
    const exactlyOne = ours.every((r) => r.upstreamCalls === 1) && ours.every((r) => r.errors === 0);
    const longest = median(ours.map((r) => r.longestWaitMs));
    checks.push({
      name: `herd, ${scenario}: one upstream call`,
      target: `exactly 1 getToken for ${fmt(options.callers, 0)} callers`,
      measured: `${[...new Set(ours.map((r) => r.upstreamCalls))].join(", ")} getToken per herd (${ours.length} herds); longest wait ${fmt(longest)} ms`,
      pass: exactlyOne,
      kind: "correctness",
    });
    if (scenario === "refresh-window") {
      const waited = ours.reduce((n, r) => n + r.waited, 0);
      checks.push({
        name: "herd, refresh-window: nobody waits",
        target: "0 callers wait for the refresh",
        measured: `${waited} callers waited`,
        pass: waited === 0,
        kind: "correctness",
      });
    }
    for (const library of ["ours", "anchor"] as const) {
      const runs = results[library][scenario];
      details.push({
        label: `${library === "ours" ? "this library" : "getBearerTokenProvider"}: ${SCENARIOS[scenario]}`,
        values: [
          [...new Set(runs.map((r) => r.upstreamCalls))].join(", "),
          fmt(median(runs.map((r) => r.waited)), 0),
          `${fmt(median(runs.map((r) => r.longestWaitMs)))} (max ${fmt(Math.max(...runs.map((r) => r.longestWaitMs)))})`,
          fmt(median(runs.map((r) => r.startAllMs))),
        ],
      });
    }
  }

  return {
    name: "herd",
    title: `Herd: ${fmt(options.callers, 0)} concurrent callers`,
    settings: strip(options),
    metrics,
    checks,
    detailColumns: [
      "upstream getToken per herd",
      "callers that waited",
      "longest wait, ms (median of herds)",
      "of which starting all calls, ms",
    ],
    details,
    durationMs: round(msSince(started), 0),
  };
}

/** One herd of each scenario on a fresh cache / provider. */
async function herdOnce(library: Library, options: HerdOptions): Promise<Record<Scenario, HerdRun>> {
  const clock = new FakeClock(Date.now());
  const credential = new CountingCredential({
    now: () => clock.now(),
    latencyMs: options.latencyMs,
    setTimeout: (callback, ms) => setTimeout(callback, ms), // real time: the callers really wait
    lifetimeMs: HOUR,
  });
  const args = { providerName: "default", sessionId: "bench-herd" };

  if (library === "ours") {
    const source = new EntraIdProviderConfigSource({ baseUrl: BASE_URL, credential, clock });
    try {
      const cold = await herd(credential, options.callers, async () =>
        tokenOfConfig(await source.getProviderConfig(), args),
      );
      const config = await source.getProviderConfig();
      const provider = config.bearerTokenProvider;
      if (!provider) throw new Error("no bearerTokenProvider");
      const expiresOn = credential.latestExpiresOn;
      // One second into the refresh window.
      await clock.advanceTo(expiresOn - source.tokenCache.refreshWindowMs + 1000);
      const refresh = await herd(credential, options.callers, () => provider(args));
      await clock.advanceTo(credential.latestExpiresOn + 1000);
      const expired = await herd(credential, options.callers, () => provider(args));
      return { cold, "refresh-window": refresh, expired };
    } finally {
      source.dispose();
    }
  }

  // getBearerTokenProvider reads the time through Date.now (refresh window 2 minutes, forced 1 s before expiry).
  return withDateNow(
    () => clock.now(),
    async () => {
      const provider = getBearerTokenProvider(credential, SCOPE);
      const cold = await herd(credential, options.callers, () => provider());
      await clock.advanceTo(credential.latestExpiresOn - 2 * 60_000 + 1000);
      const refresh = await herd(credential, options.callers, () => provider());
      await clock.advanceTo(credential.latestExpiresOn + 1000);
      const expired = await herd(credential, options.callers, () => provider());
      return { cold, "refresh-window": refresh, expired };
    },
  );
}

/** Starts `callers` calls at once, waits for all of them and for any upstream call they started. */
async function herd<T>(
  credential: CountingCredential,
  callers: number,
  call: () => Promise<T>,
  tokenOf: (value: T) => unknown = (value) => value,
): Promise<HerdRun> {
  const callsBefore = credential.calls;
  const issuedBefore = credential.issued;
  let longest = 0;
  let waited = 0;
  let errors = 0;
  const answers: Promise<void>[] = new Array(callers);
  const startAll = performance.now();
  for (let i = 0; i < callers; i++) {
    const t0 = performance.now();
    answers[i] = call().then(
      (value) => {
        const wait = performance.now() - t0;
        if (wait > longest) longest = wait;
        const token = tokenOf(value);
        if (tokenNumber(token) > issuedBefore) waited++;
      },
      () => {
        errors++;
      },
    );
  }
  const startAllMs = performance.now() - startAll;
  await Promise.all(answers);
  // A background refresh started by the herd still counts: let it finish.
  while (credential.inFlight > 0) await new Promise((resolve) => setTimeout(resolve, 5));
  return {
    upstreamCalls: credential.calls - callsBefore,
    waited,
    errors,
    longestWaitMs: longest,
    startAllMs,
  };
}

/**
 * The token a config hands the runtime: its `bearerTokenProvider`, asked as the runtime asks it (from the
 * cache, once `getProviderConfig()` has waited for the token: no upstream call).
 */
function tokenOfConfig(
  config: { bearerTokenProvider?: (args: { providerName: string; sessionId: string }) => Promise<string> },
  args: { providerName: string; sessionId: string },
): Promise<string> {
  if (!config.bearerTokenProvider) throw new Error("no bearerTokenProvider");
  return config.bearerTokenProvider(args);
}

function mapScenarios<T>(f: (scenario: Scenario) => T): Record<Scenario, T> {
  return { cold: f("cold"), "refresh-window": f("refresh-window"), expired: f("expired") };
}

function strip(options: HerdOptions): Omit<HerdOptions, "log"> {
  const { log: _log, ...rest } = options;
  return rest;
}
