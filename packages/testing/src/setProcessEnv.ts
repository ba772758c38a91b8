/**
 * Variables `@azure/identity` and MSAL read to pick a credential or a managed-identity source. Tests clear
 * them so the machine's environment cannot steer a credential away from the emulator. (`@azure/identity`
 * reads `process.env` itself, when a credential is created: an `env` record handed to copilot-byok does not
 * reach it.)
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
  "AZURE_CLIENT_CERTIFICATE_PASSWORD",
  "AZURE_USERNAME",
  "AZURE_PASSWORD",
  "AZURE_TOKEN_CREDENTIALS",
  "AZURE_AUTHORITY_HOST",
] as const;

/** Sets `vars` in `process.env` (`undefined` deletes) and returns a function that restores the old values. */
export function setProcessEnv(vars: Readonly<Record<string, string | undefined>>): () => void {
  const saved = Object.entries(vars).map(([name]) => [name, process.env[name]] as const);
  const apply = (name: string, value: string | undefined) => {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  };
  for (const [name, value] of Object.entries(vars)) apply(name, value);
  return () => {
    for (const [name, value] of saved) apply(name, value);
  };
}

/** `setProcessEnv` after clearing every variable of `AZURE_IDENTITY_VARIABLES`. */
export function setIdentityEnv(vars: Readonly<Record<string, string>>): () => void {
  return setProcessEnv({
    ...Object.fromEntries(AZURE_IDENTITY_VARIABLES.map((n) => [n, undefined])),
    ...vars,
  });
}

/** Runs `run` with `setIdentityEnv(vars)` in force, restoring `process.env` afterwards (even on failure). */
export async function withIdentityEnv<T>(
  vars: Readonly<Record<string, string>>,
  run: () => Promise<T>,
): Promise<T> {
  const restore = setIdentityEnv(vars);
  try {
    return await run();
  } finally {
    restore();
  }
}
