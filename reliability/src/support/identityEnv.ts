/**
 * Variables `@azure/identity` and MSAL read to pick a credential or a managed-identity source. The fault matrix
 * clears them all, then points the real `@azure/identity` at the emulator on 127.0.0.1 only.
 */
export const AZURE_IDENTITY_VARIABLES = [
  "IDENTITY_ENDPOINT",
  "IDENTITY_HEADER",
  "IDENTITY_SERVER_THUMBPRINT",
  "IMDS_ENDPOINT",
  "MSI_ENDPOINT",
  "MSI_SECRET",
  "AZURE_POD_IDENTITY_AUTHORITY_HOST",
  "AZURE_CLIENT_ID",
  "AZURE_TENANT_ID",
  "AZURE_CLIENT_SECRET",
  "AZURE_CLIENT_CERTIFICATE_PATH",
  "AZURE_FEDERATED_TOKEN_FILE",
  "AZURE_USERNAME",
  "AZURE_PASSWORD",
  "AZURE_TOKEN_CREDENTIALS",
  "AZURE_AUTHORITY_HOST",
] as const;

/** Sets `vars` in `process.env` (`undefined` deletes); returns the undo. */
export function setProcessEnv(vars: Readonly<Record<string, string | undefined>>): () => void {
  const saved = Object.keys(vars).map((name) => [name, process.env[name]] as const);
  const apply = (name: string, value: string | undefined) => {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  };
  for (const [name, value] of Object.entries(vars)) apply(name, value);
  return () => {
    for (const [name, value] of saved) apply(name, value);
  };
}

/**
 * Clears every identity variable, then sets `vars` plus `AZURE_TOKEN_CREDENTIALS=ManagedIdentityCredential`,
 * so that `DefaultAzureCredential` tries the managed identity only: nothing else of its chain (and nothing
 * off this machine) is ever asked. Returns the undo.
 */
export function setManagedIdentityOnlyEnv(vars: Readonly<Record<string, string>>): () => void {
  return setProcessEnv({
    ...Object.fromEntries(AZURE_IDENTITY_VARIABLES.map((name) => [name, undefined])),
    AZURE_TOKEN_CREDENTIALS: "ManagedIdentityCredential",
    ...vars,
  });
}
