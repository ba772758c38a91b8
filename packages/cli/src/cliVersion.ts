import { readFileSync, realpathSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";

const PACKAGE = "@copilot-byok/cli";

/**
 * The version in this package's package.json, or undefined when it cannot be found. The package resolves its
 * own `./package.json` export by name (self-reference) from this file in the CommonJS build, and from the
 * command that runs (the bin, symlinks resolved) in the ES module build, which has no file name of its own to
 * start from (`import.meta` cannot be written in a source compiled to CommonJS too); last, from `cwd`.
 */
export function cliVersion(cwd: string = process.cwd()): string | undefined {
  const starts: string[] = [];
  if (typeof __filename === "string") starts.push(__filename);
  const script = process.argv[1];
  if (script) {
    try {
      starts.push(realpathSync(script));
    } catch {}
  }
  starts.push(join(cwd, "noop.js"));
  for (const start of starts) {
    try {
      const file = createRequire(start).resolve(`${PACKAGE}/package.json`);
      const manifest = JSON.parse(readFileSync(file, "utf8")) as { name?: unknown; version?: unknown };
      if (manifest.name === PACKAGE && typeof manifest.version === "string") return manifest.version;
    } catch {}
  }
  return undefined;
}
