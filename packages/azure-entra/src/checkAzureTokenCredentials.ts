import { showValue } from "@copilot-byok/core/plugin";

/** The variable `@azure/identity`'s `DefaultAzureCredential` reads to restrict its chain. */
export const AZURE_TOKEN_CREDENTIALS = "AZURE_TOKEN_CREDENTIALS";

/**
 * The values `DefaultAzureCredential` accepts in `AZURE_TOKEN_CREDENTIALS` (`@azure/identity` 4.13, compared
 * case-insensitively after trimming), with what each one keeps of the chain.
 */
export const AZURE_TOKEN_CREDENTIALS_VALUES: Readonly<Record<string, string>> = Object.freeze({
  dev: "developer credentials only (VS Code, Azure CLI, Azure PowerShell, azd, broker)",
  prod: "deployed-app credentials only (EnvironmentCredential, WorkloadIdentityCredential, ManagedIdentityCredential)",
  EnvironmentCredential: "EnvironmentCredential only (service principal from AZURE_CLIENT_* variables)",
  WorkloadIdentityCredential: "WorkloadIdentityCredential only (AKS workload identity)",
  ManagedIdentityCredential: "ManagedIdentityCredential only",
  VisualStudioCodeCredential: "VisualStudioCodeCredential only",
  AzureCliCredential: "AzureCliCredential only (az login)",
  AzurePowerShellCredential: "AzurePowerShellCredential only",
  AzureDeveloperCliCredential: "AzureDeveloperCliCredential only (azd auth login)",
});

/**
 * Reads an `AZURE_TOKEN_CREDENTIALS` value as `DefaultAzureCredential` would: `{ value }` (the canonical
 * spelling) when accepted, `{ problem }` (listing the accepted values, the value shown only when it is a
 * plain name) when `DefaultAzureCredential` would refuse to start, `{}` when unset or blank.
 */
export function checkAzureTokenCredentials(raw: string | undefined): { value?: string; problem?: string } {
  if (raw === undefined || raw.trim() === "") return {};
  const wanted = raw.trim().toLowerCase();
  const value = Object.keys(AZURE_TOKEN_CREDENTIALS_VALUES).find((v) => v.toLowerCase() === wanted);
  if (value) return { value };
  return {
    problem: `${AZURE_TOKEN_CREDENTIALS} has ${showValue(raw, Object.keys(AZURE_TOKEN_CREDENTIALS_VALUES))}, which DefaultAzureCredential does not accept: use one of ${Object.keys(AZURE_TOKEN_CREDENTIALS_VALUES).join(", ")} (case-insensitive), or unset it`,
  };
}
