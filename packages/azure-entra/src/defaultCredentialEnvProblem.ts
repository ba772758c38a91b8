import type { Env } from "@copilot-byok/core/plugin";

/**
 * The variables `@azure/identity` and MSAL read from `process.env` to choose and configure the credentials of
 * `DefaultAzureCredential` (managed identity endpoints, service principal, workload identity, authority,
 * `AZURE_TOKEN_CREDENTIALS`). The same list as `AZURE_IDENTITY_VARIABLES` of `@copilot-byok/testing`.
 */
export const DEFAULT_CREDENTIAL_VARIABLES = [
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

/**
 * The problem when `env` (the environment copilot-byok selects from) sets credential variables that
 * `processEnv` does not hold with the same value: `DefaultAzureCredential` reads `process.env` only, so the
 * reasons would describe a credential (a managed identity, a service principal) it cannot see. Names the
 * variables, never their values. `undefined` when they agree (always so when `env` is a copy of
 * `process.env`, the default).
 */
export function defaultCredentialEnvProblem(env: Env, processEnv: Env = process.env): string | undefined {
  const missing: string[] = [];
  const different: string[] = [];
  for (const name of DEFAULT_CREDENTIAL_VARIABLES) {
    const given = env[name]?.trim();
    if (!given) continue;
    const seen = processEnv[name]?.trim();
    if (!seen) missing.push(name);
    else if (seen !== given) different.push(name);
  }
  if (missing.length === 0 && different.length === 0) return undefined;
  const parts = [
    ...(missing.length > 0
      ? [`${missing.join(", ")} ${missing.length === 1 ? "is" : "are"} set in env but not in process.env`]
      : []),
    ...(different.length > 0
      ? [
          `${different.join(", ")} ${different.length === 1 ? "has" : "have"} another value in process.env (values not shown)`,
        ]
      : []),
  ];
  return `DefaultAzureCredential reads process.env, not the env given to copilot-byok: ${parts.join(", and ")}; set ${missing.length + different.length === 1 ? "it" : "them"} in the process environment (where the credential sees ${missing.length + different.length === 1 ? "it" : "them"}), or pass a credential (createAzureEntraModule({ credential }), or the credential option of EntraIdProviderConfigSource)`;
}
