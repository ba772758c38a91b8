#!/usr/bin/env node
// The copilot-byok command. This small file is committed (dist/ is not) so that the package manager links the
// command at install time, before the first build; it runs the built command in dist/esm/bin.js.
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

const entry = new URL("../dist/esm/bin.js", import.meta.url);
if (!existsSync(fileURLToPath(entry))) {
  console.error(
    "copilot-byok: not built yet (no dist/esm/bin.js in @copilot-byok/cli). In a clone of the repository, " +
      "run `npm run setup` at its root first.",
  );
  process.exit(1);
}
await import(entry.href);
