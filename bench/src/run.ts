#!/usr/bin/env node
// The benchmarks of issue 7: `npm run bench` (root) builds, then runs `node --expose-gc bench/dist/run.js`.
//   --smoke           tiny counts, a few seconds; fails only on correctness (upstream counts, modules loaded)
//   --only a,b        run only these benchmarks (hot-path, memory, herd, cold-start, request-edge, day)
//   --out <file>      where to write the JSON (default: results/latest.json for a full run of everything,
//                     results/smoke.json for --smoke, results/partial.json with --only)
import { mkdirSync, writeFileSync } from "node:fs";
import { loadavg } from "node:os";
import { dirname, join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { BENCHMARKS } from "./benchmarks.js";
import { BENCH_ROOT } from "./coldStart.js";
import { msSince, nowNs } from "./harness.js";
import { machineInfo } from "./machine.js";
import { counts, type RunReport, renderMarkdown } from "./report.js";
import type { BenchmarkResult } from "./types.js";

const USAGE = `usage: node --expose-gc bench/dist/run.js [--smoke] [--only ${BENCHMARKS.map((b) => b.name).join(",")}] [--out file.json]`;

async function main(): Promise<number> {
  let values: { smoke?: boolean; only?: string; out?: string; help?: boolean };
  try {
    ({ values } = parseArgs({
      options: {
        smoke: { type: "boolean" },
        only: { type: "string" },
        out: { type: "string" },
        help: { type: "boolean", short: "h" },
      },
    }));
  } catch (error) {
    console.error(`${(error as Error).message}\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const only = values.only
    ?.split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  const unknown = only?.filter((name) => !BENCHMARKS.some((b) => b.name === name)) ?? [];
  if (unknown.length > 0) {
    console.error(`unknown benchmark ${unknown.join(", ")}\n${USAGE}`);
    return 2;
  }
  const smoke = values.smoke === true;
  const kind = smoke ? "smoke" : "full";
  const selected = only ? BENCHMARKS.filter((b) => only.includes(b.name)) : BENCHMARKS;
  const log = (line: string) => process.stderr.write(`${line}\n`);

  const machine = machineInfo();
  const started = nowNs();
  const results: BenchmarkResult[] = [];
  for (const benchmark of selected) {
    log(`› ${benchmark.name}${smoke ? " (smoke)" : ""}`);
    const result = await benchmark.run(smoke, log);
    for (const c of result.checks)
      log(`  ${c.pass ? "pass" : "MISS"}: ${c.name}: ${c.measured} (target ${c.target})`);
    results.push(result);
  }
  const checks = results.flatMap((r) => r.checks);
  const report: RunReport = {
    kind,
    only: only ?? null,
    machine,
    command: `node --expose-gc bench/dist/run.js ${process.argv.slice(2).join(" ")}`.trim(),
    wallMs: Math.round(msSince(started)),
    loadAverage1mAtEnd: Math.round((loadavg()[0] ?? 0) * 100) / 100,
    allPassed: checks.every((c) => c.pass),
    ok: checks.every((c) => c.pass || !counts(c, kind)),
    benchmarks: results,
  };

  const out = values.out
    ? resolve(values.out)
    : join(BENCH_ROOT, "results", smoke ? "smoke.json" : only ? "partial.json" : "latest.json");
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, `${JSON.stringify(report, null, 2)}\n`);
  console.log(renderMarkdown(report));
  log(`\nresults: ${out}`);
  return report.ok ? 0 : 1;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  },
);
