import { setIdentityEnv } from "@copilot-byok/testing";

export { setProcessEnv } from "@copilot-byok/testing";

/**
 * Clears every identity variable (testing's `setIdentityEnv`), then sets `vars` plus
 * `AZURE_TOKEN_CREDENTIALS=ManagedIdentityCredential`, so that `DefaultAzureCredential` tries the managed
 * identity only: nothing else of its chain (and nothing off this machine) is ever asked. Returns the undo.
 */
export function setManagedIdentityOnlyEnv(vars: Readonly<Record<string, string>>): () => void {
  return setIdentityEnv({ AZURE_TOKEN_CREDENTIALS: "ManagedIdentityCredential", ...vars });
}
