import { existsSync, readFileSync, realpathSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { isAbsolute, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

/** The conditions Node's `import` resolves a package's `exports` with. */
const IMPORT_CONDITIONS = new Set(["node", "import", "module-sync", "default"]);

/**
 * The file URL a `--module` specifier names, resolved from `cwd`: a path (`./broker.mjs`, `../x.js`, an
 * absolute path or a `file:` URL) is taken relative to `cwd`; anything else is a package specifier
 * (`@acme/broker`, `@acme/broker/module`) looked up in the `node_modules` folders from `cwd` up, preferring its
 * `import` export (an ES module-only package resolves too), else as `require` would.
 *
 * @throws Error saying why, in words that complete "--module <specifier>: …".
 */
export function resolveModuleSpecifier(specifier: string, cwd: string): string {
  if (isPathSpecifier(specifier)) {
    const path = specifier.startsWith("file:") ? fileURLToPath(specifier) : resolve(cwd, specifier);
    if (!existsSync(path)) throw new Error(`no such file: ${path}`);
    if (!statSync(path).isFile()) throw new Error(`not a file: ${path}`);
    return pathToFileURL(path).href;
  }
  const require = createRequire(join(cwd, "noop.js"));
  const imported = resolveImportExport(specifier, require.resolve.paths(specifier) ?? []);
  if (imported) return imported;
  try {
    return pathToFileURL(require.resolve(specifier)).href;
  } catch (error) {
    if ((error as { code?: unknown }).code === "ERR_PACKAGE_PATH_NOT_EXPORTED") {
      throw new Error(`the package does not export "${specifier}" (see its package.json "exports")`);
    }
    const file = existsSync(resolve(cwd, specifier)) ? `; for the file, write ./${specifier}` : "";
    throw new Error(`no such package from ${cwd} (install it there, or give a path: ./file.mjs${file})`);
  }
}

function isPathSpecifier(specifier: string): boolean {
  return specifier.startsWith("file:") || isAbsolute(specifier) || /^\.\.?(?:[\\/]|$)/.test(specifier);
}

/** The package's `exports` entry for the specifier under the import conditions, from the first folder that has it. */
function resolveImportExport(specifier: string, lookupFolders: readonly string[]): string | undefined {
  const match = /^((?:@[^/]+\/)?[^/]+)(\/.*)?$/.exec(specifier);
  if (!match?.[1]) return undefined;
  const [, name, rest] = match;
  for (const folder of lookupFolders) {
    const packageFile = join(folder, name, "package.json");
    if (!existsSync(packageFile)) continue;
    let manifest: { exports?: unknown };
    try {
      manifest = JSON.parse(readFileSync(packageFile, "utf8")) as { exports?: unknown };
    } catch {
      return undefined;
    }
    const target = exportTarget(manifest.exports, `.${rest ?? ""}`);
    if (!target?.startsWith("./")) return undefined;
    return pathToFileURL(resolve(realpathSync(join(folder, name)), target)).href;
  }
  return undefined;
}

function exportTarget(exports: unknown, subpath: string): string | undefined {
  if (exports === undefined || exports === null) return undefined;
  const isSubpathMap =
    typeof exports === "object" &&
    !Array.isArray(exports) &&
    Object.keys(exports).some((k) => k.startsWith("."));
  if (!isSubpathMap) return subpath === "." ? conditionTarget(exports) : undefined;
  return conditionTarget((exports as Record<string, unknown>)[subpath]);
}

function conditionTarget(entry: unknown): string | undefined {
  if (typeof entry === "string") return entry;
  if (Array.isArray(entry)) {
    for (const item of entry) {
      const target = conditionTarget(item);
      if (target) return target;
    }
    return undefined;
  }
  if (typeof entry !== "object" || entry === null) return undefined;
  for (const [condition, value] of Object.entries(entry)) {
    if (!IMPORT_CONDITIONS.has(condition)) continue;
    const target = conditionTarget(value);
    if (target) return target;
  }
  return undefined;
}
