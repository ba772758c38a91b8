import { fileURLToPath } from "node:url";
import type { ProviderConfigSourceModule } from "@copilot-byok/core";
import { resolveModuleSpecifier } from "./resolveModuleSpecifier.js";

/** A `--module` that cannot be used: a usage error, its message naming the specifier. */
export class ModuleLoadError extends Error {
  override readonly name = "ModuleLoadError";
}

export interface LoadModulesOptions {
  /** Where paths and package specifiers are resolved from. */
  readonly cwd: string;
  /** The modules already registered (the built-in ones): a loaded module may not take one of their modes. */
  readonly registered?: readonly ProviderConfigSourceModule[];
}

/**
 * Imports a file URL. In the CommonJS build TypeScript turns import() into require(), which takes a path, not
 * a URL (and loads an ES module without top-level await on Node 20.19 and later).
 */
function importUrl(url: string): Promise<unknown> {
  return import(typeof module === "object" && typeof exports === "object" ? fileURLToPath(url) : url);
}

/**
 * Imports each plug-in (`--module <path or package>`, resolved from `cwd`) and returns the provider config
 * source modules it exports, in the order given: per plug-in its default export (a module or an array of
 * modules), then its named exports that are modules (an object with a string `mode` and functions `detect`
 * and `create`). A module without an `origin` gets one saying where it was loaded from. The same module
 * object exported twice counts once.
 *
 * @throws ModuleLoadError when a plug-in cannot be found or imported, exports no module, or exports one whose
 *   mode is already registered.
 */
export async function loadModules(
  specifiers: readonly string[],
  options: LoadModulesOptions,
): Promise<ProviderConfigSourceModule[]> {
  const registered = options.registered ?? [];
  const seen = new Set<ProviderConfigSourceModule>(registered);
  const owners = new Map(registered.map((m) => [m.mode, m.origin ?? "by a module registered before"]));
  const loaded: ProviderConfigSourceModule[] = [];
  for (const specifier of specifiers) {
    const fail = (why: string) => new ModuleLoadError(`--module ${specifier}: ${why}`);
    let url: string;
    try {
      url = resolveModuleSpecifier(specifier, options.cwd);
    } catch (error) {
      throw fail(error instanceof Error ? error.message : String(error));
    }
    let namespace: unknown;
    try {
      namespace = await importUrl(url);
    } catch (error) {
      throw fail(`importing it failed: ${messageOf(error)}`);
    }
    const exported = modulesExportedBy(namespace, specifier);
    if (exported.length === 0) {
      throw fail(
        "exports no provider config source module (an object with a string mode and functions detect and create, as a named export or the default export)",
      );
    }
    for (const { module, exportedAs } of exported) {
      if (seen.has(module)) continue;
      seen.add(module);
      const owner = owners.get(module.mode);
      if (owner !== undefined) throw fail(`the mode "${module.mode}" is already registered (${owner})`);
      const origin = module.origin ?? exportedAs;
      owners.set(module.mode, origin);
      loaded.push(module.origin !== undefined ? module : withOrigin(module, origin));
    }
  }
  return loaded;
}

/** Whether a value is shaped as a {@link ProviderConfigSourceModule}. */
export function isProviderConfigSourceModule(value: unknown): value is ProviderConfigSourceModule {
  const v = value as Partial<ProviderConfigSourceModule> | null;
  return (
    typeof v === "object" &&
    v !== null &&
    typeof v.mode === "string" &&
    typeof v.detect === "function" &&
    typeof v.create === "function"
  );
}

function modulesExportedBy(
  namespace: unknown,
  specifier: string,
): { module: ProviderConfigSourceModule; exportedAs: string }[] {
  const found: { module: ProviderConfigSourceModule; exportedAs: string }[] = [];
  if (typeof namespace !== "object" || namespace === null) return found;
  const exports = namespace as Record<string, unknown>;
  const byDefault = exports.default;
  if (isProviderConfigSourceModule(byDefault)) {
    found.push({ module: byDefault, exportedAs: `the default export of ${specifier}` });
  } else if (Array.isArray(byDefault)) {
    byDefault.forEach((item, index) => {
      if (isProviderConfigSourceModule(item))
        found.push({ module: item, exportedAs: `the default export [${index}] of ${specifier}` });
    });
  }
  for (const [name, value] of Object.entries(exports)) {
    if (name !== "default" && isProviderConfigSourceModule(value))
      found.push({ module: value, exportedAs: `${name} from ${specifier}` });
  }
  return found;
}

/** The module with an `origin`: a new object delegating to it (the plug-in's own object stays as is). */
function withOrigin(module: ProviderConfigSourceModule, origin: string): ProviderConfigSourceModule {
  return {
    mode: module.mode,
    origin,
    detect: (env) => module.detect(env),
    create: (context) => module.create(context),
  };
}

function messageOf(error: unknown): string {
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return text.split("\n")[0] ?? text;
}
