#!/usr/bin/env node
// Entry point of the README's commands on a machine with only Node and npm:
//   npm test        install (pinned pnpm, frozen lockfile) if needed → build → every test → "N passed, N failed"
//   npm run demo    install if needed → build → the copilot-byok demo (emulators by default)
//   npm run setup   install if needed → build
//   npm run bench   install if needed → build → the benchmarks (bench/README.md)
//   node scripts/workspace.mjs pnpm <args>   the pinned pnpm, e.g. `pnpm run lint`
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const { packageManager } = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
const npx = process.platform === "win32" ? "npx.cmd" : "npx";

function run(command, args, options = {}) {
  const result = spawnSync(command, args, { cwd: root, stdio: "inherit", ...options });
  if (result.error) throw result.error;
  return result.status ?? 1;
}

function runOrExit(command, args) {
  const code = run(command, args);
  if (code !== 0) process.exit(code);
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
  const code = pnpm(["install", "--frozen-lockfile"]);
  if (code !== 0) process.exit(code);
}

function build() {
  console.log("› building (tsc -b, then the CommonJS builds)");
  runOrExit(process.execPath, [join(root, "node_modules", "typescript", "bin", "tsc"), "-b"]);
  runOrExit(process.execPath, [join(root, "scripts", "build-cjs.mjs")]);
}

const [command = "test", ...rest] = process.argv.slice(2);
switch (command) {
  case "setup":
    installIfNeeded();
    build();
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
    console.error(`unknown command "${command}": use setup, test, demo or pnpm`);
    process.exit(2);
}
