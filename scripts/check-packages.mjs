#!/usr/bin/env node
// Packaging as users install it:
// 1. `pnpm pack` every package (workspace: ranges become versions) into .tsbuild/packs;
// 2. publint (strict) and @arethetypeswrong/cli on each: ESM and CJS entry points with matching types;
// 3. with --consumers: install the tarballs with npm into a fresh project outside the workspace and run an
//    ESM and a CommonJS consumer (tsyringe wiring, one session per mode against the emulators) on this Node
//    and on Node 24 from the npm registry, and the installed `copilot-byok` command (--help).
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const packs = join(root, ".tsbuild", "packs");
const withConsumers = process.argv.includes("--consumers");
const SECOND_NODE = "node@24";
const env = {
  ...process.env,
  npm_config_update_notifier: "false",
  npm_config_fund: "false",
  npm_config_audit: "false",
};
let failures = 0;

function run(label, command, args, options = {}) {
  console.log(`› ${label}`);
  const result = spawnSync(command, args, { stdio: "inherit", env, timeout: 600_000, ...options });
  if (result.status !== 0) {
    failures += 1;
    console.log(`  ✗ ${label} (exit ${result.status ?? result.signal})`);
  }
  return result.status === 0;
}

rmSync(packs, { recursive: true, force: true });
mkdirSync(packs, { recursive: true });
const packages = ["core", "static-key", "azure-entra", "testing", "cli"];
run("pnpm pack", process.execPath, [
  join(root, "scripts", "workspace.mjs"),
  "pnpm",
  "-r",
  "--filter",
  "./packages/**",
  "pack",
  "--pack-destination",
  packs,
]);
const tarballs = readdirSync(packs).filter((f) => f.endsWith(".tgz"));
const bin = (name) => join(root, "node_modules", ".bin", name);
for (const name of packages) {
  run(`publint @copilot-byok/${name}`, bin("publint"), [
    "--strict",
    "--pack",
    "npm",
    join(root, "packages", name),
  ]);
}
for (const tarball of tarballs) {
  run(`attw ${tarball}`, bin("attw"), [join(packs, tarball), "--format", "table-flipped"]);
}

if (withConsumers) {
  const dir = mkdtempSync(join(tmpdir(), "copilot-byok-consumer-"));
  try {
    const dependencies = Object.fromEntries(
      packages.map((name) => [
        `@copilot-byok/${name}`,
        `file:${join(
          packs,
          tarballs.find((t) => t.includes(`-${name}-`)),
        )}`,
      ]),
    );
    writeFileSync(
      join(dir, "package.json"),
      JSON.stringify(
        {
          name: "copilot-byok-consumer",
          private: true,
          dependencies: {
            ...dependencies,
            "@github/copilot-sdk": "1.0.14",
            // 4.14 needs Node 22: on Node 20 apps pin 4.13 (README of @copilot-byok/azure-entra).
            "@azure/identity": "4.13.1",
            "reflect-metadata": "^0.2.2",
            tsyringe: "^4.10.0",
          },
        },
        null,
        2,
      ),
    );
    for (const f of ["consumer.mjs", "consumer.cjs", "scenario.cjs"])
      copyFileSync(join(root, "scripts", "consumer", f), join(dir, f));
    const npm = process.platform === "win32" ? "npm.cmd" : "npm";
    const npx = process.platform === "win32" ? "npx.cmd" : "npx";
    if (
      run(
        "npm install (tarballs, outside the workspace)",
        npm,
        ["install", "--ignore-scripts", "--no-package-lock"],
        { cwd: dir },
      )
    ) {
      // The command as npm links it from the tarball (@copilot-byok/cli's bin/copilot-byok.mjs → dist/esm/bin.js).
      run("npx copilot-byok --help (the installed command)", npx, ["--no", "copilot-byok", "--help"], {
        cwd: dir,
        stdio: ["ignore", "ignore", "inherit"],
        timeout: 60_000,
      });
      for (const f of ["consumer.mjs", "consumer.cjs"]) {
        run(`${f} on Node ${process.version}`, process.execPath, [f], { cwd: dir, timeout: 180_000 });
        run(`${f} on ${SECOND_NODE}`, npx, ["-y", "-p", SECOND_NODE, "node", f], {
          cwd: dir,
          timeout: 300_000,
        });
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

console.log(failures === 0 ? "packages: all checks passed" : `packages: ${failures} check(s) failed`);
process.exit(failures === 0 ? 0 : 1);
