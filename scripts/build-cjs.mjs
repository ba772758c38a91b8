#!/usr/bin/env node
// Builds the CommonJS flavour of each package (dist/cjs) next to the ESM one that `tsc -b` emits (dist/esm).
// Usage: node scripts/build-cjs.mjs [packageDir ...]   (default: every package under packages/)
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const tsc = join(root, "node_modules", "typescript", "bin", "tsc");
// Dependencies first: a CommonJS build resolves its workspace dependencies' dist/cjs declarations.
const ORDER = ["core", "static-key", "azure-entra", "testing", "cli"];
const rank = (name) => (ORDER.includes(name) ? ORDER.indexOf(name) : ORDER.length);
const dirs =
  process.argv.length > 2
    ? process.argv.slice(2).map((d) => resolve(d))
    : readdirSync(join(root, "packages"))
        .sort((a, b) => rank(a) - rank(b))
        .map((d) => join(root, "packages", d));

for (const dir of dirs) {
  const config = join(dir, "tsconfig.cjs.json");
  if (!existsSync(config)) continue;
  const result = spawnSync(process.execPath, [tsc, "-p", config], { stdio: "inherit" });
  if (result.status !== 0) process.exit(result.status ?? 1);
  writeFileSync(join(dir, "dist", "cjs", "package.json"), '{\n  "type": "commonjs"\n}\n');
}
