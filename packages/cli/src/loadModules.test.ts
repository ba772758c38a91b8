import { mkdir, mkdtemp, realpath, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
import type { ProviderConfigSourceModule } from "@copilot-byok/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadModules, ModuleLoadError } from "./loadModules.js";

// Plug-ins as users write them, in a temporary project: files beside the working directory and packages in
// its node_modules (an ES module-only one, a CommonJS one).
let cwd: string;

/** A plug-in module's source: `mode` detected always, a source that is never asked for anything here. */
const moduleSource = (mode: string, origin?: string) =>
  `{ mode: ${JSON.stringify(mode)},${origin ? ` origin: ${JSON.stringify(origin)},` : ""} detect: () => ({ applicable: true, reasons: ["always"] }), create: () => { throw new Error("not here"); } }`;

async function put(path: string, text: string) {
  await mkdir(dirname(join(cwd, path)), { recursive: true });
  await writeFile(join(cwd, path), text);
}

beforeAll(async () => {
  cwd = await realpath(await mkdtemp(join(tmpdir(), "copilot-byok-cli-modules-")));
  await put(
    "named.mjs",
    `export const brokerModule = ${moduleSource("broker")};\nexport const unrelated = 42;\n`,
  );
  await put(
    "both.mjs",
    `export const vaultModule = ${moduleSource("vault", "vaultModule from @acme/vault")};\nexport default vaultModule;\n`,
  );
  await put(
    "array.mjs",
    `export default [${moduleSource("first")}, "not a module", ${moduleSource("second")}];\n`,
  );
  await put("nothing.mjs", `export const mode = "x";\nexport default { mode: "y", detect() {} };\n`);
  await put("broken.mjs", "export const = ;\n");
  await put("throws.mjs", 'throw new Error("the plug-in failed to start");\n');
  await put("static.mjs", `export const fakeStaticKeyModule = ${moduleSource("static-key")};\n`);
  await put("sub/broker.mjs", `export const brokerModule = ${moduleSource("broker")};\n`);
  // An ES module-only package (its exports have no require condition), with a subpath export.
  await put(
    "node_modules/@acme/esm-broker/package.json",
    JSON.stringify({
      name: "@acme/esm-broker",
      type: "module",
      exports: { ".": { import: "./index.js" }, "./extra": { import: "./extra.js" } },
    }),
  );
  await put(
    "node_modules/@acme/esm-broker/index.js",
    `export const esmBrokerModule = ${moduleSource("esm-broker")};\n`,
  );
  await put("node_modules/@acme/esm-broker/extra.js", `export default ${moduleSource("esm-extra")};\n`);
  // A CommonJS package with only "main".
  await put("node_modules/cjs-broker/package.json", JSON.stringify({ name: "cjs-broker", main: "main.js" }));
  await put(
    "node_modules/cjs-broker/main.js",
    `const cjsBrokerModule = ${moduleSource("cjs-broker")};\nmodule.exports = { cjsBrokerModule };\n`,
  );
});

afterAll(async () => {
  await rm(cwd, { recursive: true, force: true });
});

const BUILT_IN: ProviderConfigSourceModule = {
  mode: "static-key",
  origin: "staticKeyModule from @copilot-byok/static-key",
  detect: () => ({ applicable: false, reasons: [] }),
  create: () => {
    throw new Error("not here");
  },
};

const summary = (modules: readonly ProviderConfigSourceModule[]) =>
  modules.map(({ mode, origin }) => ({ mode, origin }));

async function failure(specifiers: string[], registered: ProviderConfigSourceModule[] = []): Promise<string> {
  const error = await loadModules(specifiers, { cwd, registered }).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ModuleLoadError);
  const message = (error as Error).message;
  expect(message.split("\n")).toHaveLength(1);
  return message;
}

describe("loadModules", () => {
  it("a file relative to the working directory: its named exports that are modules, with where they came from", async () => {
    const modules = await loadModules(["./named.mjs"], { cwd });
    expect(summary(modules)).toEqual([{ mode: "broker", origin: "brokerModule from ./named.mjs" }]);
    expect(modules[0]?.detect({})).toEqual({ applicable: true, reasons: ["always"] });
  });

  it("a path with folders, an absolute path and a file URL name files too", async () => {
    for (const specifier of ["./sub/broker.mjs", join(cwd, "sub", "broker.mjs")]) {
      expect(summary(await loadModules([specifier], { cwd }))).toEqual([
        { mode: "broker", origin: `brokerModule from ${specifier}` },
      ]);
    }
    const url = pathToFileURL(join(cwd, "named.mjs")).href;
    expect((await loadModules([url], { cwd: tmpdir() })).map((m) => m.mode)).toEqual(["broker"]);
  });

  it("a module's own origin is kept, and one exported twice (named and default) counts once", async () => {
    expect(summary(await loadModules(["./both.mjs"], { cwd }))).toEqual([
      { mode: "vault", origin: "vaultModule from @acme/vault" },
    ]);
    expect(summary(await loadModules(["./both.mjs", "./both.mjs"], { cwd }))).toHaveLength(1);
  });

  it("a default export that is an array: each module in it, in order", async () => {
    expect(summary(await loadModules(["./array.mjs"], { cwd }))).toEqual([
      { mode: "first", origin: "the default export [0] of ./array.mjs" },
      { mode: "second", origin: "the default export [2] of ./array.mjs" },
    ]);
  });

  it("packages from the working directory's node_modules: ES module-only (with a subpath), CommonJS", async () => {
    const modules = await loadModules(["@acme/esm-broker", "@acme/esm-broker/extra", "cjs-broker"], { cwd });
    expect(summary(modules)).toEqual([
      { mode: "esm-broker", origin: "esmBrokerModule from @acme/esm-broker" },
      { mode: "esm-extra", origin: "the default export of @acme/esm-broker/extra" },
      { mode: "cjs-broker", origin: "cjsBrokerModule from cjs-broker" },
    ]);
  });

  it("several plug-ins: their modules in the order given", async () => {
    const modules = await loadModules(["./array.mjs", "./named.mjs"], { cwd, registered: [BUILT_IN] });
    expect(modules.map((m) => m.mode)).toEqual(["first", "second", "broker"]);
  });

  it.each([
    [["./missing.mjs"], `--module ./missing.mjs: no such file: ${join("<cwd>", "missing.mjs")}`],
    [["./sub"], `--module ./sub: not a file: ${join("<cwd>", "sub")}`],
    [
      ["@acme/missing"],
      "--module @acme/missing: no such package from <cwd> (install it there, or give a path: ./file.mjs)",
    ],
    [
      ["named.mjs"],
      "--module named.mjs: no such package from <cwd> (install it there, or give a path: ./file.mjs; for the file, write ./named.mjs)",
    ],
    [
      ["@acme/esm-broker/hidden"],
      '--module @acme/esm-broker/hidden: the package does not export "@acme/esm-broker/hidden"',
    ],
    [["./nothing.mjs"], "--module ./nothing.mjs: exports no provider config source module"],
    [["./broken.mjs"], "--module ./broken.mjs: importing it failed: "],
    [["./throws.mjs"], "--module ./throws.mjs: importing it failed: Error: the plug-in failed to start"],
    [
      ["./static.mjs"],
      '--module ./static.mjs: the mode "static-key" is already registered (staticKeyModule from @copilot-byok/static-key)',
    ],
    [
      ["./named.mjs", "./sub/broker.mjs"],
      '--module ./sub/broker.mjs: the mode "broker" is already registered (brokerModule from ./named.mjs)',
    ],
  ])("%j is a one-line error naming the specifier", async (specifiers, message) => {
    const text = (await failure(specifiers, [BUILT_IN])).replaceAll(cwd, "<cwd>");
    expect(text).toContain(message);
  });
});
