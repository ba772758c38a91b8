import type { Env } from "@copilot-byok/core";
import { setIdentityEnv } from "@copilot-byok/testing";
import { DEFAULT_CREDENTIAL_VARIABLES } from "../defaultCredentialEnvProblem.js";

/**
 * Runs `run` with the credential variables of `env` (and no other) in process.env as well, where
 * DefaultAzureCredential reads them: a selection or a source made from `env` then describes what the credential
 * sees, as copilot-byok requires. process.env is restored afterwards.
 */
export function seenByCredential<T>(env: Env, run: () => T): T {
  const names: readonly string[] = DEFAULT_CREDENTIAL_VARIABLES;
  const restore = setIdentityEnv(
    Object.fromEntries(
      Object.entries(env).filter((e): e is [string, string] => names.includes(e[0]) && e[1] !== undefined),
    ),
  );
  try {
    return run();
  } finally {
    restore();
  }
}
