#!/usr/bin/env node
// Entry point of the README's commands on a machine with only Node and npm:
//   npm test        install (pinned pnpm, frozen lockfile) if needed → build → every test → "N passed, N failed"
//   npm run demo    install if needed → build → the copilot-byok demo (emulators by default)
//   npm run setup   install if needed → build
//   npm run bench   install if needed → build → the benchmarks (bench/README.md)
//   node scripts/workspace.mjs build [packageDir ...]   only the build (the root and packages' `build` scripts)
//   node scripts/workspace.mjs pnpm <args>   the pinned pnpm, e.g. `pnpm run lint`
//
// The build is TypeScript's own `tsc -b` (its solution builder, run in this process): every project of the root
// tsconfig.json, ESM (packages/*/tsconfig.json → dist/esm) and CommonJS (packages/*/tsconfig.cjs.json →
// dist/cjs) alike, in the order of their project references, each rebuilt only when its inputs are newer than
// its .tsbuildinfo. It prints a line per project it builds, with its time, and a closing line.
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { basename, dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const { packageManager } = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
const npx = process.platform === "win32" ? "npx.cmd" : "npx";

function run(command, args, options = {}) {
  const result = spawnSync(command, args, { cwd: root, stdio: "inherit", ...options });
  if (result.error) throw result.error;
  return result.status ?? 1;
}

/** The pinned pnpm (packageManager field), fetched by npx: no global install, no corepack. */
function pnpm(args) {
  return run(npx, ["-y", packageManager, ...args], {
    env: { ...process.env, npm_config_update_notifier: "false" },
  });
}

function installIfNeeded() {
  const lock = join(root, "pnpm-lock.yaml");
  const installed = join(root, "node_modules", ".pnpm", "lock.yaml");
  const upToDate =
    existsSync(installed) &&
    existsSync(lock) &&
    readFileSync(installed, "utf8") === readFileSync(lock, "utf8");
  if (upToDate) return;
  console.log(`› installing the workspace with ${packageManager} (frozen lockfile)`);
  const started = performance.now();
  const code = pnpm(["install", "--frozen-lockfile"]);
  if (code !== 0) process.exit(code);
  console.log(`› installed in ${seconds(started)}`);
}

const seconds = (since) => `${((performance.now() - since) / 1000).toFixed(1)} s`;

/** What a tsconfig builds, for the progress lines: "packages/core ESM", "packages/core CommonJS", "e2e". */
function describeProject(configFile) {
  const dir = relative(root, dirname(configFile)).replaceAll("\\", "/") || ".";
  const kind = {
    "tsconfig.cjs.json": " CommonJS",
    "tsconfig.test.json": " tests (types)",
    "tsconfig.json": dir.startsWith("packages/") ? " ESM" : "",
  }[basename(configFile)];
  return `${dir}${kind ?? ` ${basename(configFile)}`}`;
}

/**
 * `tsc -b` of the root tsconfig.json, or of the given package directories (their ESM and CommonJS projects and
 * what they reference). Exits on a type error.
 */
function build(packageDirs = []) {
  let ts;
  try {
    ts = createRequire(join(root, "package.json"))("typescript");
  } catch {
    console.error("› no TypeScript in node_modules: install first (npm run setup)");
    process.exit(1);
  }
  const roots =
    packageDirs.length === 0
      ? [join(root, "tsconfig.json")]
      : packageDirs.flatMap((dir) =>
          ["tsconfig.json", "tsconfig.cjs.json"]
            .map((file) => resolve(dir, file))
            .filter((file) => existsSync(file)),
        );
  console.log("› building (tsc -b: ESM and CommonJS packages, tests' types, examples; only what changed)");
  const started = performance.now();
  const pretty = Boolean(process.stdout.isTTY);
  const printDiagnostic = ts.createDiagnosticReporter(ts.sys, pretty);
  let lineOpen = false;
  let errors = 0;
  const reportDiagnostic = (diagnostic) => {
    if (lineOpen) process.stdout.write("\n");
    lineOpen = false;
    if (diagnostic.category === ts.DiagnosticCategory.Error) errors += 1;
    printDiagnostic(diagnostic);
  };
  const host = ts.createSolutionBuilderHost(ts.sys, undefined, reportDiagnostic, () => {});
  const builder = ts.createSolutionBuilder(host, roots, {});
  let built = 0;
  for (;;) {
    const project = builder.getNextInvalidatedProject();
    if (!project) break;
    if (project.kind !== ts.InvalidatedProjectKind.Build) {
      project.done(); // inputs unchanged since a rebuild upstream: only the timestamps move
      continue;
    }
    const label = describeProject(project.project);
    process.stdout.write(`  ${label} … `);
    lineOpen = true;
    const since = performance.now();
    const errorsBefore = errors;
    project.done();
    built += 1;
    const failed = errors > errorsBefore ? `${errors - errorsBefore} error(s), ` : "";
    if (lineOpen) process.stdout.write(`${failed}${seconds(since)}\n`);
    else console.log(`  ${label}: ${failed}${seconds(since)}`);
    lineOpen = false;
  }
  // dist/cjs/package.json says the .js files there are CommonJS (each package is "type": "module"). Checked on
  // every build: tsc does not write it, and a dist/cjs built by a bare `tsc -b` lacks it.
  for (const dir of commonJsOutDirs()) markCommonJs(dir);
  if (errors > 0) {
    console.log(`› build failed: ${errors} error(s) (${seconds(started)})`);
    process.exit(1);
  }
  console.log(
    built === 0
      ? `› build up to date (${seconds(started)})`
      : `› built ${built} project(s) in ${seconds(started)} (the rest were up to date)`,
  );
}

const COMMONJS_MARKER = '{\n  "type": "commonjs"\n}\n';

function markCommonJs(outDir) {
  if (!existsSync(outDir)) return;
  const marker = join(outDir, "package.json");
  if (!existsSync(marker) || readFileSync(marker, "utf8") !== COMMONJS_MARKER)
    writeFileSync(marker, COMMONJS_MARKER);
}

/** The dist/cjs of each package with a CommonJS build (packages/<name>/tsconfig.cjs.json). */
function commonJsOutDirs() {
  const packages = join(root, "packages");
  return readdirSync(packages)
    .filter((name) => existsSync(join(packages, name, "tsconfig.cjs.json")))
    .map((name) => join(packages, name, "dist", "cjs"));
}

const [command = "test", ...rest] = process.argv.slice(2);
switch (command) {
  case "setup":
    installIfNeeded();
    build();
    break;
  case "build":
    build(rest);
    break;
  case "test":
    installIfNeeded();
    build();
    process.exit(run(process.execPath, [join(root, "scripts", "run-tests.mjs"), ...rest]));
    break;
  case "demo": {
    installIfNeeded();
    build();
    const bin = join(root, "packages", "cli", "dist", "esm", "bin.js");
    process.exit(run(process.execPath, [bin, "demo", ...rest]));
    break;
  }
  case "bench":
    installIfNeeded();
    build();
    process.exit(run(process.execPath, ["--expose-gc", join(root, "bench", "dist", "run.js"), ...rest]));
    break;
  case "pnpm":
    process.exit(pnpm(rest));
    break;
  default:
    console.error(`unknown command "${command}": use setup, test, demo, bench, build or pnpm`);
    process.exit(2);
}
