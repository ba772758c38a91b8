import { realpathSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { ConfigurationError } from "./ConfigurationError.js";

/** The module `@github/copilot-sdk`, as `import()` gives it. */
export type CopilotSdk = typeof import("@github/copilot-sdk");

/** The npm package of the Copilot SDK: a peer dependency of copilot-byok, installed by the app. */
export const COPILOT_SDK_PACKAGE = "@github/copilot-sdk";

/** The versions of {@link COPILOT_SDK_PACKAGE} copilot-byok works with (its `peerDependencies` range). */
export const COPILOT_SDK_RANGE = "^1.0.14";

let loading: Promise<CopilotSdk> | undefined;
let loaded: CopilotSdk | undefined;

/**
 * Loads `@github/copilot-sdk` by dynamic `import()`, once: nothing of copilot-byok loads it before a value of
 * it is needed (the default `CopilotClient`, the demo), so that importing `@copilot-byok/core`, running the
 * doctor or testing a plug-in works where the SDK (a runtime of over 100 MB) is not installed.
 *
 * @throws ConfigurationError saying what to install when the package cannot be found (tried again at the
 *   next call); any other failure of loading it as it is.
 */
export function loadCopilotSdk(): Promise<CopilotSdk> {
  loading ??= import("@github/copilot-sdk").then(
    (sdk) => {
      loaded = sdk;
      return sdk;
    },
    (error: unknown) => {
      loading = undefined;
      throw notInstalled(error);
    },
  );
  return loading;
}

/**
 * `@github/copilot-sdk` now, for a synchronous `container.resolve(COPILOT_CLIENT)` before any session: the
 * module `loadCopilotSdk()` loaded if it has, else `require`d (the CommonJS build: from this file; the ES
 * module build, which cannot name its own file in a source compiled to CommonJS too: from the running script,
 * then the working directory, where the app that installed the SDK is).
 *
 * @throws ConfigurationError saying what to install when the package cannot be found.
 */
export function requireCopilotSdk(): CopilotSdk {
  if (loaded) return loaded;
  const starts: string[] = [];
  if (typeof __filename === "string") starts.push(__filename);
  const script = process.argv[1];
  if (script) {
    try {
      starts.push(realpathSync(script));
    } catch {}
  }
  starts.push(join(process.cwd(), "noop.js"));
  let failure: unknown;
  for (const start of starts) {
    try {
      return createRequire(start)(COPILOT_SDK_PACKAGE) as CopilotSdk;
    } catch (error) {
      failure ??= error;
      if (!isNotFound(error)) throw error;
    }
  }
  throw notInstalled(failure);
}

function notInstalled(error: unknown): unknown {
  return isNotFound(error)
    ? new ConfigurationError(
        [
          `${COPILOT_SDK_PACKAGE} is not installed (a peer dependency of copilot-byok: the app installs it): npm install ${COPILOT_SDK_PACKAGE}@${COPILOT_SDK_RANGE}`,
        ],
        { cause: error },
      )
    : error;
}

/** The SDK's package itself missing: not a module missing inside it (a broken install, reported as it is). */
function isNotFound(error: unknown): boolean {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  if (code !== "ERR_MODULE_NOT_FOUND" && code !== "MODULE_NOT_FOUND") return false;
  return (
    typeof message === "string" &&
    (message.includes(`'${COPILOT_SDK_PACKAGE}'`) || message.includes(`"${COPILOT_SDK_PACKAGE}"`))
  );
}
