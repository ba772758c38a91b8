import { existsSync } from "node:fs";
import { availableParallelism } from "node:os";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import { getBearerTokenProvider } from "@azure/identity";
import { EntraIdProviderConfigSource } from "@copilot-byok/azure-entra";
import { BASE_URL, CountingCredential, SCOPE, tokenNumber } from "./credentials.js";
import { FakeClock } from "./FakeClock.js";
import { fmt, msSince, nowNs, round, withDateNow } from "./harness.js";
import type { BenchmarkResult, Check, Log } from "./types.js";

export type DayLibrary = "ours" | "anchor";

export interface DaySimulationOptions {
  readonly library: DayLibrary;
  /** Sessions, each asking for a token once a (simulated) second. */
  readonly sessions: number;
  readonly hours: number;
  /** How long each upstream `getToken` takes, in simulated ms (0: instant; 2000: like the Azure CLI). */
  readonly latencyMs: number;
  /** Lifetime of each token. Default 60 minutes. */
  readonly tokenLifetimeMs?: number;
  /** Our cache's refresh window; default: the library's default. */
  readonly refreshWindowMs?: number;
  readonly log?: Log;
}

/** What one simulated day gave. Times are simulated unless named `wall…`. */
export interface DaySimulationResult {
  readonly library: DayLibrary;
  readonly sessions: number;
  readonly hours: number;
  readonly latencyMs: number;
  readonly tokenLifetimeMs: number;
  readonly refreshWindowMs: number | undefined;
  /** Token requests made by the sessions. */
  readonly asks: number;
  readonly answered: number;
  readonly errors: number;
  /** `getToken` calls on the credential. */
  readonly upstreamCalls: number;
  /** When they started, in minutes since the start of the day. */
  readonly upstreamAtMinutes: readonly number[];
  /** Callers whose answer was a token issued after they started asking: they waited for an upstream call. */
  readonly waitedForUpstream: number;
  /** …of which a valid (unexpired) token had already been handed out when they started: blocked needlessly. */
  readonly blockedWhileValidToken: number;
  /** Longest time a caller waited for its answer (simulated ms). */
  readonly longestWaitMs: number;
  /** Real time the simulation took. */
  readonly wallMs: number;
}

const HOUR = 3_600_000;

/** Callers that start together (same simulated instant, same tokens issued so far) share one tally. */
class Cohort {
  constructor(
    private readonly clock: FakeClock,
    private readonly tally: Tally,
    private readonly startedAt: number,
    private readonly issuedAtStart: number,
    private readonly validAtStart: boolean,
  ) {}

  readonly done = (token: unknown): void => {
    const t = this.tally;
    t.answered += 1;
    if (tokenNumber(token) > this.issuedAtStart) {
      t.waited += 1;
      if (this.validAtStart) t.blocked += 1;
    }
    const wait = this.clock.now() - this.startedAt;
    if (wait > t.longestWaitMs) t.longestWaitMs = wait;
  };

  readonly fail = (): void => {
    this.tally.answered += 1;
    this.tally.errors += 1;
  };
}

interface Tally {
  asks: number;
  answered: number;
  errors: number;
  waited: number;
  blocked: number;
  longestWaitMs: number;
}

/**
 * A day of simulated time: `sessions` sessions each ask for a token once a second (all at the same instant),
 * 60-minute tokens, a credential taking `latencyMs` per call. This library: the token cache runs on the
 * fake clock (its injectable `Clock`); each session asks `getProviderConfig()` first (session creation),
 * then its config's `bearerTokenProvider`. `getBearerTokenProvider` (one provider shared by every session,
 * its best case): its token cycler reads `Date.now()`, which is replaced by the fake clock for the run; it
 * uses no timer unless a `getToken` fails (none does here).
 */
export async function simulateDay(options: DaySimulationOptions): Promise<DaySimulationResult> {
  const started = nowNs();
  const clock = new FakeClock();
  const dayStart = clock.now();
  const tokenLifetimeMs = options.tokenLifetimeMs ?? HOUR;
  const credential = new CountingCredential({
    now: () => clock.now(),
    latencyMs: options.latencyMs,
    setTimeout: (callback, ms) => clock.setTimeout(callback, ms),
    lifetimeMs: tokenLifetimeMs,
  });
  const tally: Tally = { asks: 0, answered: 0, errors: 0, waited: 0, blocked: 0, longestWaitMs: 0 };
  const sessions = options.sessions;
  const seconds = Math.round(options.hours * 3600);

  let ask: (session: number) => Promise<unknown> | undefined;
  let dispose = () => {};
  let refreshWindowMs: number | undefined;
  if (options.library === "ours") {
    const source = new EntraIdProviderConfigSource({
      baseUrl: BASE_URL,
      credential,
      clock,
      ...(options.refreshWindowMs !== undefined ? { refreshWindowMs: options.refreshWindowMs } : {}),
    });
    refreshWindowMs = source.tokenCache.refreshWindowMs;
    type Provider = (args: { providerName: string; sessionId: string }) => Promise<string>;
    const providers: (Provider | undefined)[] = new Array(sessions).fill(undefined);
    const args = Array.from({ length: sessions }, (_, i) => ({
      providerName: "default",
      sessionId: `s${i}`,
    }));
    const creating: boolean[] = new Array(sessions).fill(false);
    ask = (i) => {
      const provider = providers[i];
      if (provider) return provider(args[i] as { providerName: string; sessionId: string });
      if (creating[i]) return undefined; // the session is still being created (waiting for its first token)
      creating[i] = true;
      return source.getProviderConfig().then((config) => {
        const provider = config.bearerTokenProvider;
        providers[i] = provider;
        // The token the new session starts with: its provider's answer, from the cache the config waited on.
        if (!provider) throw new Error("no bearerTokenProvider");
        return provider(args[i] as { providerName: string; sessionId: string });
      });
    };
    dispose = () => source.dispose();
  } else {
    const provider = getBearerTokenProvider(credential, SCOPE);
    ask = () => provider();
  }

  const run = async () => {
    for (let s = 0; s < seconds; s++) {
      await clock.advanceTo(dayStart + s * 1000);
      const now = clock.now();
      const cohort = new Cohort(clock, tally, now, credential.issued, credential.hasValidToken(now));
      for (let i = 0; i < sessions; i++) {
        const answer = ask(i);
        if (answer === undefined) continue;
        tally.asks += 1;
        answer.then(cohort.done, cohort.fail);
      }
      if (options.log && s > 0 && s % (6 * 3600) === 0)
        options.log(`  day (${options.library}, ${options.latencyMs} ms): ${s / 3600} h simulated`);
    }
    // Let the last answers and any refresh in flight finish.
    await clock.advanceTo(dayStart + seconds * 1000 + options.latencyMs + 1000);
  };
  if (options.library === "anchor") await withDateNow(() => clock.now(), run);
  else await run();
  dispose();

  return {
    library: options.library,
    sessions,
    hours: options.hours,
    latencyMs: options.latencyMs,
    tokenLifetimeMs,
    refreshWindowMs,
    asks: tally.asks,
    answered: tally.answered,
    errors: tally.errors,
    upstreamCalls: credential.calls,
    upstreamAtMinutes: credential.callTimes.map((t) => round((t - dayStart) / 60_000, 2)),
    waitedForUpstream: tally.waited,
    blockedWhileValidToken: tally.blocked,
    longestWaitMs: tally.longestWaitMs,
    wallMs: round(msSince(started), 0),
  };
}

/** One line for progress logs. */
export function describeDay(r: DaySimulationResult): string {
  return `${r.library}, ${r.sessions} sessions, ${r.latencyMs} ms credential: ${r.upstreamCalls} upstream calls, ${fmt(r.asks, 0)} asks, ${r.blockedWhileValidToken} blocked while a valid token existed, longest wait ${r.longestWaitMs} ms (${fmt(r.wallMs / 1000)} s)`;
}

/**
 * `getBearerTokenProvider` refreshes 2 minutes before expiry (`refreshWindowInMs` of
 * `@azure/core-rest-pipeline`'s token cycler). With 60-minute tokens a token then serves 58 minutes: 25
 * upstream calls a day. This library's default window is 5 minutes (MSAL's own expiry margin, more time to
 * retry a failing refresh while the old token is valid): 55 minutes a token, 27 calls a day.
 */
export const LIKE_FOR_LIKE_REFRESH_WINDOW_MS = 120_000;

export interface DayOptions {
  /** Sessions of this library's runs. */
  readonly sessions: number;
  /** Sessions of `getBearerTokenProvider`'s runs (≈10× the cost per call: fewer, to fit the time budget). */
  readonly anchorSessions: number;
  readonly hours: number;
  /** Credential latencies to run, simulated ms. */
  readonly latenciesMs: readonly number[];
  /**
   * Refresh window of this library's checked runs: {@link LIKE_FOR_LIKE_REFRESH_WINDOW_MS}, the window of
   * `getBearerTokenProvider`'s token cycler, so both libraries refresh at the same point of a token's life.
   */
  readonly refreshWindowMs: number;
  /** Also run this library with its default refresh window (5 minutes; information, not checked). */
  readonly defaultWindowRun: boolean;
  /** Simulations run at once, in worker threads (1: one after the other, in this thread). */
  readonly parallel: number;
  readonly log?: Log;
}

export const DAY_FULL: Omit<DayOptions, "log"> = {
  sessions: 1000,
  anchorSessions: 100,
  hours: 24,
  latenciesMs: [0, 2000],
  refreshWindowMs: LIKE_FOR_LIKE_REFRESH_WINDOW_MS,
  defaultWindowRun: true,
  parallel: Math.max(1, Math.min(2, availableParallelism())),
};
export const DAY_SMOKE: Omit<DayOptions, "log"> = {
  ...DAY_FULL,
  sessions: 3,
  anchorSessions: 3,
  parallel: 1,
};

/** Targets of the issue. */
export const DAY_MAX_UPSTREAM = 25;

/** The compiled worker (`dist/dayWorker.js`); not under Vitest, which runs the TypeScript sources. */
const WORKER_URL = new URL("./dayWorker.js", import.meta.url);
const WORKER_AVAILABLE = import.meta.url.endsWith(".js") && existsSync(fileURLToPath(WORKER_URL));

function simulateInWorker(options: DaySimulationOptions): Promise<DaySimulationResult> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(WORKER_URL, { workerData: options });
    let result: DaySimulationResult | undefined;
    worker.once("message", (message: DaySimulationResult) => {
      result = message;
    });
    worker.once("error", reject);
    worker.once("exit", (code) => {
      if (result) resolve(result);
      else reject(new Error(`the day simulation worker exited with code ${code} and no result`));
    });
  });
}

/** The simulated day for this library and `getBearerTokenProvider`, per credential latency. */
export async function runDay(options: DayOptions): Promise<BenchmarkResult> {
  const started = nowNs();
  const latencyLabel = (ms: number) =>
    ms === 0 ? "instant credential" : `credential taking ${fmt(ms / 1000, 0)} s`;
  const planned: { label: string; checked: boolean; options: DaySimulationOptions }[] = [];
  for (const latencyMs of options.latenciesMs) {
    planned.push(
      {
        label: `this library (refresh window ${fmt(options.refreshWindowMs / 60_000)} min, as getBearerTokenProvider), ${fmt(options.sessions, 0)} sessions, ${latencyLabel(latencyMs)}`,
        checked: true,
        options: {
          library: "ours",
          sessions: options.sessions,
          hours: options.hours,
          latencyMs,
          refreshWindowMs: options.refreshWindowMs,
        },
      },
      {
        label: `getBearerTokenProvider, ${fmt(options.anchorSessions, 0)} sessions, ${latencyLabel(latencyMs)}`,
        checked: false,
        options: { library: "anchor", sessions: options.anchorSessions, hours: options.hours, latencyMs },
      },
    );
  }
  if (options.defaultWindowRun) {
    for (const latencyMs of options.latenciesMs) {
      planned.push({
        label: `this library with its default refresh window (5 min; not checked), ${fmt(options.anchorSessions, 0)} sessions, ${latencyLabel(latencyMs)}`,
        checked: false,
        options: { library: "ours", sessions: options.anchorSessions, hours: options.hours, latencyMs },
      });
    }
  }

  // The simulations run on simulated time: their results do not depend on the wall clock, so with
  // `parallel` > 1 they run in worker threads side by side (same process), to save wall time.
  const useWorkers = options.parallel > 1 && WORKER_AVAILABLE;
  const results: DaySimulationResult[] = new Array(planned.length);
  let next = 0;
  const lane = async () => {
    for (let i = next++; i < planned.length; i = next++) {
      const plan = planned[i] as (typeof planned)[number];
      const result = useWorkers
        ? await simulateInWorker(plan.options)
        : await simulateDay({ ...plan.options, ...(options.log ? { log: options.log } : {}) });
      options.log?.(`  ${describeDay(result)}`);
      results[i] = result;
    }
  };
  await Promise.all(Array.from({ length: useWorkers ? options.parallel : 1 }, lane));
  const runs = planned.map((plan, i) => ({
    label: plan.label,
    checked: plan.checked,
    result: results[i] as DaySimulationResult,
  }));

  const checks: Check[] = [];
  for (const { label, result: r, checked } of runs) {
    if (!checked) continue;
    checks.push(
      {
        name: `day (${label}): upstream token requests`,
        target: `≤ ${DAY_MAX_UPSTREAM} in 24 h`,
        measured: `${r.upstreamCalls} (refresh window ${fmt((r.refreshWindowMs ?? 0) / 60_000)} min, ${r.latencyMs} ms per call)`,
        pass: r.upstreamCalls <= DAY_MAX_UPSTREAM,
        kind: "correctness",
      },
      {
        name: `day (${label}): callers blocked while a valid token existed`,
        target: "0",
        measured: `${r.blockedWhileValidToken} of ${fmt(r.asks, 0)} (${fmt(r.waitedForUpstream, 0)} waited for a token when none was valid; longest wait ${fmt(r.longestWaitMs, 0)} ms)`,
        pass: r.blockedWhileValidToken === 0,
        kind: "correctness",
      },
      {
        name: `day (${label}): every ask answered`,
        target: "all answered, no error",
        measured: `${fmt(r.answered, 0)} of ${fmt(r.asks, 0)} answered, ${r.errors} errors`,
        pass: r.answered === r.asks && r.errors === 0,
        kind: "correctness",
      },
    );
  }

  return {
    name: "day",
    title: `A simulated day: sessions asking once a second for ${options.hours} h, 60-minute tokens`,
    settings: strip(options),
    metrics: {
      runs: runs.map(({ label, result, checked }) => ({ label, targetsApply: checked, ...result })),
    },
    checks,
    detailColumns: [
      "asks",
      "upstream getToken",
      "first refreshes at (min)",
      "waited for a token (none valid)",
      "blocked while a valid token existed",
      "longest wait (simulated ms)",
      "wall s",
    ],
    details: runs.map(({ label, result: r }) => ({
      label,
      values: [
        fmt(r.asks, 0),
        String(r.upstreamCalls),
        r.upstreamAtMinutes
          .slice(1, 4)
          .map((m) => fmt(m, 1))
          .join(", "),
        fmt(r.waitedForUpstream - r.blockedWhileValidToken, 0),
        fmt(r.blockedWhileValidToken, 0),
        fmt(r.longestWaitMs, 0),
        fmt(r.wallMs / 1000),
      ],
    })),
    durationMs: round(msSince(started), 0),
  };
}

function strip(options: DayOptions): Omit<DayOptions, "log"> {
  const { log: _log, ...rest } = options;
  return rest;
}
