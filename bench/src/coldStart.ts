import { spawn } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { AZURE_IDENTITY_VARIABLES, startManagedIdentityEmulator } from "@copilot-byok/testing";
import { fmt, median, msSince, nowNs, round } from "./harness.js";
import type { BenchmarkResult, Log } from "./types.js";

export interface ColdStartOptions {
  /** Timed runs per mode, alternating static, Entra, static, … */
  readonly runs: number;
  /** Pairs run first and thrown away (file cache). */
  readonly warmupRuns: number;
  readonly log?: Log;
}

export const COLD_START_FULL: Omit<ColdStartOptions, "log"> = { runs: 10, warmupRuns: 1 };
export const COLD_START_SMOKE: Omit<ColdStartOptions, "log"> = { runs: 1, warmupRuns: 0 };

/** Static-key mode must take at most this share of the Entra mode's time. */
export const COLD_START_MAX_RATIO = 0.5;

type Mode = "static-key" | "azure-entra";

/** The bench package's root (from `src/` under Vitest, from `dist/` when built). */
export const BENCH_ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const WORK_DIR = join(BENCH_ROOT, "dist", "cold-start");
const PACKAGES = ["core", "static-key", "azure-entra", "testing"];

/** Built entry points the child processes load (`tsc -b bench` builds them). */
export function missingBuilds(): string[] {
  return PACKAGES.map((name) =>
    join(BENCH_ROOT, "node_modules", "@copilot-byok", name, "dist", "esm", "index.js"),
  ).filter((path) => !existsSync(path));
}

/**
 * What an app does at start: pick the source from the environment among both modules, create it and ask
 * for the first provider config. Bare imports, resolved from bench/ like an app's own dependencies. After the
 * timing, the config's `bearerTokenProvider` is asked as the runtime asks it (from the cache: the token the
 * config waited for), to prove the config carries a working token source.
 */
const APP_SCRIPT = `import { selectProviderConfigSource } from "@copilot-byok/core";
import { azureEntraModule } from "@copilot-byok/azure-entra";
import { staticKeyModule } from "@copilot-byok/static-key";

const selection = selectProviderConfigSource(process.env, [staticKeyModule, azureEntraModule]);
const source = selection.module.create({ env: process.env, selection });
const config = await source.getProviderConfig();
const readyMs = performance.now();
const token =
  typeof config.bearerTokenProvider === "function"
    ? await config.bearerTokenProvider({ providerName: "default", sessionId: "cold-start" })
    : undefined;
const line = JSON.stringify({
  mode: selection.mode,
  readyMs,
  bearerTokenProvider: typeof token === "string" && token.length > 0,
  apiKey: typeof config.apiKey === "string" && config.apiKey.length > 0,
});
await source.dispose?.();
process.stdout.write(line + "\\n", () => process.exit(0));
`;

/** Node alone, for reference: the same "ready" line, nothing loaded. */
const BASELINE_SCRIPT = `const line = JSON.stringify({ mode: "baseline", readyMs: performance.now(), bearerTokenProvider: false, apiKey: false });
process.stdout.write(line + "\\n", () => process.exit(0));
`;

/** Records every module specifier or URL of @azure/identity (or MSAL) that gets resolved. */
function hooksScript(logFile: string): string {
  return `import { appendFileSync } from "node:fs";
const watched = /@azure[/+]identity|@azure[/+]msal/;
export async function resolve(specifier, context, next) {
  const result = await next(specifier, context);
  if (watched.test(specifier) || watched.test(result.url)) appendFileSync(${JSON.stringify(logFile)}, result.url + "\\n");
  return result;
}
`;
}

interface ChildRun {
  readonly mode: string;
  /** From spawn to the first provider config, measured by the parent. */
  readonly wallMs: number;
  /** `performance.now()` in the child at the first provider config (since its process started). */
  readonly readyMs: number;
  /** The config's `bearerTokenProvider` gave a token. */
  readonly bearerTokenProvider: boolean;
  readonly apiKey: boolean;
}

/**
 * Time to the first provider config, as whole processes, in static-key mode and in Entra mode (the real
 * `@azure/identity` `DefaultAzureCredential` against the managed-identity emulator on 127.0.0.1, App Service
 * protocol), alternating; plus one run per mode with a module-resolution hook recording whether
 * `@azure/identity` was loaded (Entra mode being the control that the hook sees it).
 */
export async function runColdStart(options: ColdStartOptions): Promise<BenchmarkResult> {
  const started = nowNs();
  const missing = missingBuilds();
  if (missing.length > 0)
    throw new Error(
      `cold start needs the built packages (run \`npx tsc -b bench\`): missing ${missing.join(", ")}`,
    );
  mkdirSync(WORK_DIR, { recursive: true });
  const app = join(WORK_DIR, "app.mjs");
  writeFileSync(app, APP_SCRIPT);
  const baseline = join(WORK_DIR, "baseline.mjs");
  writeFileSync(baseline, BASELINE_SCRIPT);

  const emulator = await startManagedIdentityEmulator();
  try {
    const base = cleanEnv();
    const baseUrl = "http://127.0.0.1:9/v1/"; // never contacted: the first config needs no model request
    const envs: Record<Mode, NodeJS.ProcessEnv> = {
      "static-key": {
        ...base,
        COPILOT_PROVIDER_BASE_URL: baseUrl,
        COPILOT_PROVIDER_API_KEY: "bench-static-key-0123456789abcdef0123456789",
      },
      "azure-entra": { ...base, COPILOT_PROVIDER_BASE_URL: baseUrl, ...emulator.env("app-service") },
    };

    // Is @azure/identity loaded? One run of each mode under the resolve hook.
    const loaded: Record<Mode, string[]> = { "static-key": [], "azure-entra": [] };
    for (const mode of ["static-key", "azure-entra"] as const) {
      const logFile = join(WORK_DIR, `resolved-${mode}.log`);
      rmSync(logFile, { force: true });
      const hooks = join(WORK_DIR, "hooks.mjs");
      writeFileSync(hooks, hooksScript(logFile));
      const register = join(WORK_DIR, `register-${mode}.mjs`);
      writeFileSync(
        register,
        `import { register } from "node:module";\nregister(${JSON.stringify(pathToFileURL(hooks).href)});\n`,
      );
      const run = await runChild(app, envs[mode], ["--import", pathToFileURL(register).href]);
      if (run.mode !== mode) throw new Error(`expected ${mode} mode, the app chose ${run.mode}`);
      loaded[mode] = existsSync(logFile)
        ? [...new Set(readFileSync(logFile, "utf8").split("\n").filter(Boolean))]
        : [];
    }

    const runs: Record<Mode | "baseline", ChildRun[]> = { "static-key": [], "azure-entra": [], baseline: [] };
    const tokenRequestsBefore = emulator.tokensIssued;
    for (let i = 0; i < options.warmupRuns + options.runs; i++) {
      for (const mode of ["static-key", "azure-entra", "baseline"] as const) {
        const run = mode === "baseline" ? await runChild(baseline, base) : await runChild(app, envs[mode]);
        if (run.mode !== mode) throw new Error(`expected ${mode} mode, the app chose ${run.mode}`);
        if (i >= options.warmupRuns) runs[mode].push(run);
      }
      options.log?.(`  cold start: pair ${i + 1}/${options.warmupRuns + options.runs}`);
    }
    const tokensIssued = emulator.tokensIssued - tokenRequestsBefore;

    const stat = (mode: Mode | "baseline") => ({
      medianWallMs: round(median(runs[mode].map((r) => r.wallMs))),
      medianReadyMs: round(median(runs[mode].map((r) => r.readyMs))),
      wallMs: runs[mode].map((r) => round(r.wallMs)),
      readyMs: runs[mode].map((r) => round(r.readyMs)),
      identityModulesResolved: mode === "baseline" ? 0 : loaded[mode].length,
      identityModulesSample: mode === "baseline" ? [] : loaded[mode].slice(0, 3),
      // A key first: a static-key config may add a per-request bearerTokenProvider (keyPerRequest).
      configHas: runs[mode][0]?.apiKey
        ? "apiKey"
        : runs[mode][0]?.bearerTokenProvider
          ? "bearerTokenProvider"
          : "nothing",
    });
    const staticStats = stat("static-key");
    const entraStats = stat("azure-entra");
    const baselineStats = stat("baseline");
    const ratio = staticStats.medianWallMs / entraStats.medianWallMs;
    const staticLoadsIdentity = loaded["static-key"].length > 0;
    const entraLoadsIdentity = loaded["azure-entra"].length > 0;
    const allConfigured =
      runs["static-key"].every((r) => r.apiKey) && runs["azure-entra"].every((r) => r.bearerTokenProvider);

    return {
      name: "cold-start",
      title: "Cold start: a new process to its first provider config",
      settings: { ...strip(options), node: process.execPath },
      metrics: {
        staticKey: staticStats,
        azureEntra: entraStats,
        nodeAlone: { medianWallMs: baselineStats.medianWallMs, medianReadyMs: baselineStats.medianReadyMs },
        staticOverEntra: round(ratio, 3),
        tokensIssuedByEmulatorInTimedRuns: tokensIssued,
      },
      checks: [
        {
          name: "cold start: static-key mode does not load @azure/identity",
          target: "no @azure/identity module resolved (Entra mode: resolved, the control)",
          measured: `static-key: ${staticLoadsIdentity ? `${loaded["static-key"].length} modules` : "none"}; azure-entra: ${loaded["azure-entra"].length} modules`,
          pass: !staticLoadsIdentity && entraLoadsIdentity,
          kind: "correctness",
        },
        {
          name: "cold start: both modes get their config",
          target: "apiKey (static-key), a token from bearerTokenProvider, from the emulator (azure-entra)",
          measured: allConfigured ? "yes, every run" : "no",
          pass: allConfigured,
          kind: "correctness",
        },
        {
          name: "cold start: static-key vs Entra",
          target: `≤ ${COLD_START_MAX_RATIO}× the Entra time`,
          measured: `${fmt(ratio, 2)}× (${fmt(staticStats.medianWallMs)} vs ${fmt(entraStats.medianWallMs)} ms)`,
          pass: ratio <= COLD_START_MAX_RATIO,
          kind: "speed",
        },
      ],
      detailColumns: [
        "spawn → first config, ms (median)",
        "in-process time at first config, ms (median)",
        "@azure/identity loaded",
      ],
      details: [
        {
          label: "static-key mode",
          values: [
            fmt(staticStats.medianWallMs),
            fmt(staticStats.medianReadyMs),
            staticLoadsIdentity ? "yes" : "no",
          ],
        },
        {
          label: "azure-entra mode (managed-identity emulator)",
          values: [
            fmt(entraStats.medianWallMs),
            fmt(entraStats.medianReadyMs),
            entraLoadsIdentity ? "yes" : "no",
          ],
        },
        {
          label: "for reference: node alone, printing the same line",
          values: [fmt(baselineStats.medianWallMs), fmt(baselineStats.medianReadyMs), "no"],
        },
      ],
      durationMs: round(msSince(started), 0),
    };
  } finally {
    await emulator.close();
  }
}

/** The parent's environment without anything that could steer the mode or the credential. */
function cleanEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  const drop = new Set<string>(AZURE_IDENTITY_VARIABLES);
  for (const [name, value] of Object.entries(process.env)) {
    if (
      drop.has(name) ||
      name.startsWith("COPILOT_") ||
      name.startsWith("AZURE_") ||
      name.startsWith("MSI_") ||
      name.startsWith("VITEST") ||
      name === "NODE_OPTIONS"
    )
      continue;
    env[name] = value;
  }
  return env;
}

/** Spawns `node [flags] script`, resolves at its JSON line (timed from spawn), then waits for its exit. */
function runChild(script: string, env: NodeJS.ProcessEnv, flags: string[] = []): Promise<ChildRun> {
  return new Promise((resolve, reject) => {
    const t0 = nowNs();
    const child = spawn(process.execPath, [...flags, script], {
      cwd: BENCH_ROOT,
      env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    let err = "";
    let wallMs: number | undefined;
    const timer = setTimeout(() => child.kill("SIGKILL"), 30_000);
    child.stdout.setEncoding("utf8");
    child.stderr.setEncoding("utf8");
    child.stdout.on("data", (chunk: string) => {
      if (wallMs === undefined && (out + chunk).includes("\n")) wallMs = msSince(t0);
      out += chunk;
    });
    child.stderr.on("data", (chunk: string) => {
      err += chunk;
    });
    child.on("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      const line = out.split("\n")[0] ?? "";
      if (code !== 0 || wallMs === undefined || !line.startsWith("{")) {
        reject(
          new Error(
            `cold-start child failed (code ${code}, signal ${signal}): ${err.trim().slice(0, 2000) || out.slice(0, 500)}`,
          ),
        );
        return;
      }
      const parsed = JSON.parse(line) as Omit<ChildRun, "wallMs">;
      resolve({ ...parsed, wallMs });
    });
  });
}

function strip(options: ColdStartOptions): Omit<ColdStartOptions, "log"> {
  const { log: _log, ...rest } = options;
  return rest;
}
