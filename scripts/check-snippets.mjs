#!/usr/bin/env node
// Type-checks every ```ts block of the READMEs (root, packages/*, examples/*) against the built packages,
// so documentation cannot rot. Blocks fenced as ```ts no-check are skipped.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const outDir = join(root, ".tsbuild", "snippets");
rmSync(outDir, { recursive: true, force: true });
mkdirSync(outDir, { recursive: true });

const readmes = [join(root, "README.md")];
for (const group of ["packages", "examples"]) {
  const dir = join(root, group);
  if (!existsSync(dir)) continue;
  for (const name of readdirSync(dir)) {
    const readme = join(dir, name, "README.md");
    if (existsSync(readme)) readmes.push(readme);
  }
}

const files = [];
const origins = {};
for (const readme of readmes) {
  const text = readFileSync(readme, "utf8");
  const fence = /^```(ts|typescript)([^\n]*)\n([\s\S]*?)^```/gm;
  let n = 0;
  for (const match of text.matchAll(fence)) {
    n += 1;
    if (match[2].includes("no-check")) continue;
    const line = text.slice(0, match.index).split("\n").length;
    const name = `${relative(root, readme).replace(/[\\/]/g, "_").replace(/\.md$/, "")}_${n}.ts`;
    // Each snippet is its own module.
    writeFileSync(join(outDir, name), `${match[3]}\nexport {};\n`);
    files.push(name);
    origins[name] = `${relative(root, readme)}:${line}`;
  }
}

writeFileSync(
  join(outDir, "tsconfig.json"),
  JSON.stringify(
    {
      extends: "../../tsconfig.base.json",
      compilerOptions: {
        composite: false,
        noEmit: true,
        noUnusedLocals: false,
        declaration: false,
        declarationMap: false,
      },
      files,
    },
    null,
    2,
  ),
);
const tsc = join(root, "node_modules", "typescript", "bin", "tsc");
const result = spawnSync(process.execPath, [tsc, "-p", join(outDir, "tsconfig.json")], { encoding: "utf8" });
const output = `${result.stdout}${result.stderr}`.replace(/([\w.-]+_\d+\.ts)/g, (m) =>
  origins[m] ? `${m} (${origins[m]})` : m,
);
if (output.trim()) console.log(output.trim());
console.log(`README snippets type-checked: ${files.length} from ${readmes.length} READMEs`);
process.exit(result.status ?? 1);
