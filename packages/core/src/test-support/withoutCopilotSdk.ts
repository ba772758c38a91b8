import { spawn } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

// A Node process in which @github/copilot-sdk cannot be found, as where it is not installed: an ESM resolve hook
// (module.register) and a CommonJS resolver patch (--require) both refuse it with Node's own "not found" error.
// The real package stays installed for the rest of the suite.

const HOOKS = `const SDK = "@github/copilot-sdk";
export async function resolve(specifier, context, next) {
  if (specifier === SDK || specifier.startsWith(SDK + "/")) {
    const error = new Error("Cannot find package '" + specifier + "' imported from " + context.parentURL);
    error.code = "ERR_MODULE_NOT_FOUND";
    throw error;
  }
  return next(specifier, context);
}
`;
const REGISTER = `import { register } from "node:module";
register("./hooks.mjs", import.meta.url);
`;
const REQUIRE_PATCH = `const Module = require("node:module");
const resolveFilename = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  if (request === "@github/copilot-sdk" || request.startsWith("@github/copilot-sdk/")) {
    const error = new Error("Cannot find module '" + request + "'");
    error.code = "MODULE_NOT_FOUND";
    throw error;
  }
  return resolveFilename.call(this, request, ...rest);
};
`;

export interface SdkFreeNode {
  /** Runs `node <args>` without the SDK; resolves with its exit code and output. */
  run(
    args: readonly string[],
    options?: { cwd?: string; env?: Record<string, string>; timeoutMs?: number },
  ): Promise<{ code: number | null; stdout: string; stderr: string }>;
  close(): Promise<void>;
}

export async function createSdkFreeNode(): Promise<SdkFreeNode> {
  const dir = await mkdtemp(join(tmpdir(), "copilot-byok-no-sdk-"));
  await writeFile(join(dir, "hooks.mjs"), HOOKS);
  await writeFile(join(dir, "register.mjs"), REGISTER);
  await writeFile(join(dir, "require-patch.cjs"), REQUIRE_PATCH);
  const flags = [
    "--import",
    pathToFileURL(join(dir, "register.mjs")).href,
    "--require",
    join(dir, "require-patch.cjs"),
  ];
  return {
    run: (args, options = {}) =>
      new Promise((resolve, reject) => {
        const child = spawn(process.execPath, [...flags, ...args], {
          cwd: options.cwd,
          env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", ...options.env },
          stdio: ["ignore", "pipe", "pipe"],
        });
        let stdout = "";
        let stderr = "";
        child.stdout.on("data", (d) => {
          stdout += d;
        });
        child.stderr.on("data", (d) => {
          stderr += d;
        });
        const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs ?? 30_000);
        child.on("error", reject);
        child.on("close", (code) => {
          clearTimeout(timer);
          resolve({ code, stdout, stderr });
        });
      }),
    close: () => rm(dir, { recursive: true, force: true }),
  };
}
