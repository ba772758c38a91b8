import { spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { COPILOT_SDK_RANGE } from "@copilot-byok/core/plugin";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

// The built command in a Node process where @github/copilot-sdk cannot be found, as where it is not installed
// (a peer dependency the app installs): an ESM resolve hook and a CommonJS resolver patch refuse it with Node's
// own "not found" errors. The doctor runs; the demo says what to install.

const BIN = fileURLToPath(new URL("../dist/esm/bin.js", import.meta.url));
const ESM_INDEX = new URL("../dist/esm/index.js", import.meta.url).href;
const CJS_INDEX = fileURLToPath(new URL("../dist/cjs/index.js", import.meta.url));
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
let dir: string;
let flags: string[];

beforeAll(async () => {
  if (!existsSync(BIN)) throw new Error(`${BIN} is missing: build first (npm run setup)`);
  dir = await mkdtemp(join(tmpdir(), "copilot-byok-cli-no-sdk-"));
  await writeFile(join(dir, "hooks.mjs"), HOOKS);
  await writeFile(
    join(dir, "register.mjs"),
    `import { register } from "node:module";\nregister("./hooks.mjs", import.meta.url);\n`,
  );
  await writeFile(join(dir, "require-patch.cjs"), REQUIRE_PATCH);
  flags = [
    "--import",
    pathToFileURL(join(dir, "register.mjs")).href,
    "--require",
    join(dir, "require-patch.cjs"),
  ];
});
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

function runWithoutSdk(args: string[], env: Record<string, string> = {}) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    const child = spawn(process.execPath, [...flags, ...args], {
      env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", ...env },
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
    const timer = setTimeout(() => child.kill("SIGKILL"), 60_000);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

describe("copilot-byok where @github/copilot-sdk is not installed", () => {
  it("the SDK is out of reach in these processes", async () => {
    const r = await runWithoutSdk(["--input-type=module", "-e", 'await import("@github/copilot-sdk")']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("ERR_MODULE_NOT_FOUND");
  });

  it("doctor runs: selects, creates the source, reports healthy", async () => {
    const r = await runWithoutSdk([BIN, "doctor", "--json"], {
      COPILOT_PROVIDER_BASE_URL: "https://res.openai.azure.com/openai/v1/",
      COPILOT_PROVIDER_API_KEY: "canary-cli-no-sdk-key-2f9a",
      COPILOT_PROVIDER_MODEL_ID: "gpt-4.1",
    });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ healthy: true, mode: "static-key" });
    // Not installed here: the runtime, until an SDK that carries the request edge is installed.
    expect(JSON.parse(r.stdout).credentialDelivery).toEqual({
      delivery: "runtime",
      reason: `@github/copilot-sdk is not installed here: the runtime gets the credential with the session config; the request edge will be used once @github/copilot-sdk@${COPILOT_SDK_RANGE} is installed, if it supports it (the experimental requestHandler option)`,
    });
    expect(r.stdout).not.toContain("canary-cli-no-sdk-key-2f9a");
  });

  it("doctor's text report says the credential goes to the runtime, and why", async () => {
    const r = await runWithoutSdk([BIN, "doctor"], {
      COPILOT_PROVIDER_BASE_URL: "https://res.openai.azure.com/openai/v1/",
      COPILOT_PROVIDER_API_KEY: "canary-cli-no-sdk-key-2f9a",
      COPILOT_PROVIDER_MODEL_ID: "gpt-4.1",
    });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(
      "\ncredential delivery: runtime\n  - @github/copilot-sdk is not installed here: the runtime gets the credential with the session config;",
    );
    expect(r.stdout).not.toContain("canary-cli-no-sdk-key-2f9a");
  });

  it("the library entry (runDoctor, formatDoctorReport) imports and requires without it", async () => {
    const esm = await runWithoutSdk([
      "--input-type=module",
      "-e",
      `const cli = await import(${JSON.stringify(ESM_INDEX)}); console.log(typeof cli.runDoctor, typeof cli.askOnce);`,
    ]);
    expect(esm.stderr).toBe("");
    expect(esm.stdout).toBe("function function\n");
    const cjs = await runWithoutSdk([
      "-e",
      `const cli = require(${JSON.stringify(CJS_INDEX)}); console.log(typeof cli.runDoctor, Object.keys(require.cache).filter((f) => f.includes("copilot-sdk")).length);`,
    ]);
    expect(cjs.stderr).toBe("");
    expect(cjs.stdout).toBe("function 0\n");
  });

  it("demo says exactly what to install and exits 1, without a stack trace", async () => {
    const r = await runWithoutSdk([BIN, "demo"]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr).toBe(
      `copilot-byok demo needs @github/copilot-sdk (the Copilot runtime), which is not installed: npm install @github/copilot-sdk@${COPILOT_SDK_RANGE}\n(copilot-byok doctor works without it)\n`,
    );
  });

  it("asks for the range the CLI declares as its peer dependency", () => {
    const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8"));
    expect(pkg.peerDependencies["@github/copilot-sdk"]).toBe(COPILOT_SDK_RANGE);
    expect(pkg.dependencies["@github/copilot-sdk"]).toBeUndefined();
  });
});
