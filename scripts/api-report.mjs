#!/usr/bin/env node
// API reports with API Extractor: the public surface of each entry point, from the built declarations
// (dist/esm/*.d.ts, so build first: npm run setup), in packages/<name>/review/<name>.api.md, plus
// packages/core/review/core-plugin.api.md for @copilot-byok/core/plugin. One config per entry point:
// packages/*/api-extractor*.json, each extending api-extractor.base.json, where the message levels are:
// errors are every ae-* message (e.g. ae-forgotten-export: the API uses a type its entry does not export)
// and every compiler error in the declarations; ae-unresolved-link (a {@link} the entry cannot resolve) is
// a warning, shown but not failing; ae-missing-release-tag, ae-undocumented and TSDoc messages are off.
//   node scripts/api-report.mjs           rewrite the reports (commit the diff); exit 1 on any error
//   node scripts/api-report.mjs --check   CI: exit 1 when a report is stale or on any error
import { existsSync, mkdirSync, readdirSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import apiExtractor from "@microsoft/api-extractor";

const { CompilerState, Extractor, ExtractorConfig } = apiExtractor;
const root = resolve(fileURLToPath(import.meta.url), "..", "..");
const check = process.argv.includes("--check");
const rel = (file) => relative(root, file).replaceAll("\\", "/");
// Console messages about the report file itself: they become the ok / updated / STALE line instead.
const REPORT_STATE = new Set([
  "console-api-report-not-copied",
  "console-api-report-copied",
  "console-api-report-created",
]);

// Per package, its configs (core has two: the root entry and ./plugin).
const packages = readdirSync(join(root, "packages"))
  .sort()
  .map((name) => join(root, "packages", name))
  .filter((dir) => existsSync(join(dir, "package.json")))
  .map((dir) =>
    readdirSync(dir)
      .filter((file) => /^api-extractor(\.[\w-]+)?\.json$/.test(file))
      .sort()
      .map((file) => join(dir, file)),
  )
  .filter((files) => files.length > 0);

const count = { reports: 0, updated: 0, failed: 0, stale: 0 };
for (const configFiles of packages) {
  for (const { state, line, details } of runPackage(configFiles)) {
    count.reports += 1;
    if (state in count) count[state] += 1;
    console.log(line);
    for (const detail of details) console.log(`    ${detail}`);
  }
}
if (count.reports === 0) {
  console.log("FAILED no packages/*/api-extractor*.json found");
  count.failed += 1;
} else if (count.failed + count.stale === 0) {
  console.log(`API reports: ${count.reports} ${check ? "up to date" : `checked, ${count.updated} updated`}`);
} else {
  const stale = count.stale > 0 ? `${count.stale} stale (run node scripts/api-report.mjs, commit them)` : "";
  const failed = count.failed > 0 ? `${count.failed} failed (see above)` : "";
  console.log(`API reports: ${[failed, stale].filter(Boolean).join(", ")}, of ${count.reports}`);
}
process.exit(count.failed + count.stale === 0 ? 0 : 1);

/** A package's reports, in config order, its entry points analysed in one TypeScript program. */
function runPackage(configFiles) {
  const entries = configFiles.map((configFile) => {
    try {
      const config = ExtractorConfig.loadFileAndPrepare(configFile);
      return { config, report: rel(config.reportFilePath) };
    } catch (error) {
      const unbuilt = /"mainEntryPointFilePath" path does not exist/.test(String(error));
      const hint = unbuilt ? " (build first: npm run setup)" : "";
      return { problem: failure(rel(configFile), `${oneLine(error)}${hint}`) };
    }
  });
  const configs = entries.filter((entry) => entry.config).map((entry) => entry.config);
  let compilerState;
  let shared;
  if (configs.length > 0) {
    try {
      const additionalEntryPoints = configs.slice(1).map((config) => config.mainEntryPointFilePath);
      compilerState = CompilerState.create(configs[0], { additionalEntryPoints });
    } catch (error) {
      shared = oneLine(error);
    }
  }
  return entries.map(({ config, report, problem }) => {
    if (problem) return problem;
    return shared ? failure(report, shared) : run(config, report, compilerState);
  });
}

function failure(report, detail) {
  return { state: "failed", line: `FAILED ${report}`, details: [detail] };
}

/** One API Extractor run: state "ok" | "updated" | "stale" | "failed", the report's line, details under it. */
function run(config, report, compilerState) {
  if (!check) mkdirSync(config.reportFolder, { recursive: true });
  const errors = [];
  const warnings = [];
  let result;
  try {
    result = Extractor.invoke(config, {
      localBuild: !check,
      compilerState,
      messageCallback(message) {
        message.handled = true; // this script prints; API Extractor stays quiet
        if (REPORT_STATE.has(message.messageId)) return;
        const text = () => oneLine(message.formatMessageWithLocation(root));
        if (message.logLevel === "error") errors.push(`error: ${text()}`);
        else if (message.logLevel === "warning") warnings.push(`warning: ${text()}`);
      },
    });
  } catch (error) {
    return failure(report, oneLine(error));
  }
  const details = [...errors, ...warnings];
  const noted = warnings.length > 0 ? ` (${plural(warnings.length, "warning")})` : "";
  if (errors.length > 0) {
    const written = !check && result.apiReportChanged ? "; report rewritten all the same" : "";
    return {
      state: "failed",
      line: `FAILED ${report}: ${plural(errors.length, "error")}${written}`,
      details,
    };
  }
  if (!result.apiReportChanged) return { state: "ok", line: `ok      ${report}${noted}`, details };
  if (!check) return { state: "updated", line: `updated ${report}${noted}`, details };
  return {
    state: "stale",
    line: `STALE  ${report}: not what the declarations give; run node scripts/api-report.mjs and commit it`,
    details: [`compare: diff ${report} ${rel(config.reportTempFilePath)}`, ...details],
  };
}

function plural(n, word) {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

/** A message or an exception (a config that does not load, an internal error of the analysis) as one line. */
function oneLine(error) {
  const text = String(error instanceof Error ? error.message : error);
  return text.replaceAll(root, ".").replace(/\s+/g, " ").trim();
}
