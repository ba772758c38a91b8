import { chmod, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";

export interface FakeAzureCliOptions {
  /** The managed-identity emulator that issues the tokens (its `url` is all that is used). */
  readonly emulator: { readonly url: string };
  /** Directory to write `az` into. Default: a new temporary directory, removed by `cleanup()`. */
  readonly dir?: string;
}

export interface FakeAzureCli {
  readonly dir: string;
  /** Path of the `az` script. */
  readonly path: string;
  /** `PATH` with `dir` first: set it in `process.env` before `AzureCliCredential.getToken`. */
  readonly env: { readonly PATH: string };
  /** Removes the script (and the directory, when it was created here). */
  cleanup(): Promise<void>;
}

/**
 * Writes an executable `az` (a Node script) that answers `az account get-access-token --output json
 * --resource <r> [--tenant <t>] [--subscription <s>]`, the command `AzureCliCredential` runs through the shell,
 * with a token from the managed-identity emulator. Errors go to stderr as `ERROR: …` with exit code 1, like `az`.
 */
export async function createFakeAzureCli(options: FakeAzureCliOptions): Promise<FakeAzureCli> {
  const dir = options.dir ?? (await mkdtemp(join(tmpdir(), "fake-az-")));
  const path = join(dir, "az");
  await writeFile(path, script(`${options.emulator.url}/azure-cli/token`));
  await chmod(path, 0o755);
  return {
    dir,
    path,
    env: { PATH: `${dir}${delimiter}${process.env.PATH ?? ""}` },
    cleanup: () => rm(options.dir ? path : dir, { recursive: true, force: true }),
  };
}

// No import or require: the script runs the same as CommonJS or as ESM, whatever package it lands in.
const script = (endpoint: string) => `#!/usr/bin/env node
// Fake Azure CLI written by @copilot-byok/testing: tokens come from the managed-identity emulator.
const endpoint = ${JSON.stringify(endpoint)};
const args = process.argv.slice(2);
const option = (...names) => {
  const i = args.findIndex((a) => names.includes(a));
  return i >= 0 ? args[i + 1] : undefined;
};
const fail = (message, code = 1) => {
  process.stderr.write("ERROR: " + message + "\\n");
  process.exitCode = code;
};
if (args[0] !== "account" || args[1] !== "get-access-token") {
  fail("this fake az only answers: az account get-access-token", 2);
} else {
  const query = new URLSearchParams();
  const resource = option("--resource") ?? option("--scope");
  if (resource) query.set("resource", resource);
  for (const [flag, name] of [["--tenant", "tenant"], ["--subscription", "subscription"]]) {
    const value = option(flag, flag === "--tenant" ? "-t" : "-s");
    if (value) query.set(name, value);
  }
  fetch(endpoint + "?" + query, { signal: AbortSignal.timeout(60000) })
    .then(async (response) => {
      const text = await response.text();
      if (response.ok) return void process.stdout.write(text + "\\n");
      let message = text;
      try {
        message = JSON.parse(text).error ?? text;
      } catch {}
      fail(message);
    })
    .catch((error) => fail(error.message));
}
`;
