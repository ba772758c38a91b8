import { describeMachine, type MachineInfo } from "./machine.js";
import type { BenchmarkResult, Check } from "./types.js";

/** Everything a run produced: what `results/*.json` holds. */
export interface RunReport {
  readonly kind: "full" | "smoke";
  /** Benchmarks run (all unless `--only`). */
  readonly only: readonly string[] | null;
  readonly machine: MachineInfo;
  readonly command: string;
  readonly wallMs: number;
  /** 1-minute load average when the run ended. */
  readonly loadAverage1mAtEnd: number;
  /** Every check passed. */
  readonly allPassed: boolean;
  /** What decides the exit code: every check in a full run, correctness checks in a smoke run. */
  readonly ok: boolean;
  readonly benchmarks: readonly BenchmarkResult[];
}

/** Whether `check` decides the exit code of a run of this kind. */
export function counts(check: Check, kind: RunReport["kind"]): boolean {
  return kind === "full" || check.kind === "correctness";
}

const cell = (text: string) => text.replaceAll("|", "\\|");

function verdict(check: Check, kind: RunReport["kind"]): string {
  if (check.pass) return "✅ pass";
  return counts(check, kind) ? "❌ FAIL" : "⚠️ missed (speed, smoke: not failing)";
}

/** The summary table (one row per check) and each benchmark's details, in Markdown. */
export function renderMarkdown(report: RunReport): string {
  const lines: string[] = [];
  const seconds = (report.wallMs / 1000).toFixed(1);
  lines.push(
    `**${report.kind === "full" ? "Full run" : "Smoke run (tiny counts: speed numbers are not meaningful)"}**${report.only ? ` (only ${report.only.join(", ")})` : ""}, ${report.machine.date}, ${seconds} s`,
    "",
    `Machine: ${describeMachine(report.machine)}; 1-minute load average ${report.machine.loadAverage1m} at the start, ${report.loadAverage1mAtEnd} at the end.`,
    "",
    "| Benchmark | Target | Measured | Result |",
    "| --- | --- | --- | --- |",
  );
  for (const b of report.benchmarks) {
    for (const c of b.checks) {
      lines.push(
        `| ${cell(c.name)} | ${cell(c.target)} | ${cell(c.measured)} | ${verdict(c, report.kind)} |`,
      );
    }
  }
  for (const b of report.benchmarks) {
    lines.push("", `### ${b.title} (${(b.durationMs / 1000).toFixed(1)} s)`, "");
    lines.push(`| | ${b.detailColumns.map(cell).join(" | ")} |`);
    lines.push(`| --- |${b.detailColumns.map(() => " ---:").join(" |")} |`);
    for (const row of b.details) lines.push(`| ${cell(row.label)} | ${row.values.map(cell).join(" | ")} |`);
    for (const table of b.moreDetails ?? []) {
      lines.push("", `#### ${table.title}`, "");
      lines.push(`| | ${table.columns.map(cell).join(" | ")} |`);
      lines.push(`| --- |${table.columns.map(() => " ---:").join(" |")} |`);
      for (const row of table.rows)
        lines.push(`| ${cell(row.label)} | ${row.values.map(cell).join(" | ")} |`);
    }
  }
  const failed = report.benchmarks.flatMap((b) => b.checks).filter((c) => !c.pass);
  lines.push(
    "",
    failed.length === 0
      ? "All targets met."
      : `${failed.length} target(s) missed: ${failed.map((c) => c.name).join("; ")}.`,
  );
  return lines.join("\n");
}
