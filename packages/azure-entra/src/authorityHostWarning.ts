import { type Env, isSet, redactUrl, showValue } from "@copilot-byok/core/plugin";
import { AZURE_TOKEN_CREDENTIALS, checkAzureTokenCredentials } from "./checkAzureTokenCredentials.js";
import { AZURE_PUBLIC_CLOUD, type AzureCloud, azureCloudOfAuthorityHost } from "./clouds.js";

/** The variable `@azure/identity` reads for the Entra authority of its MSAL-based credentials. */
export const AZURE_AUTHORITY_HOST = "AZURE_AUTHORITY_HOST";

// The credentials of DefaultAzureCredential's chain that sign in at AZURE_AUTHORITY_HOST (MSAL's
// getAuthorityHost in @azure/identity 4.13). Managed identity asks its local endpoint, never the authority;
// the Azure CLI, azd and VS Code keep a cloud setting of their own.
const AUTHORITY_CREDENTIALS: Readonly<Record<string, string>> = Object.freeze({
  EnvironmentCredential: "EnvironmentCredential (the service principal of the AZURE_CLIENT_* variables)",
  WorkloadIdentityCredential: "WorkloadIdentityCredential (AKS workload identity)",
  ClientSecretCredential: "ClientSecretCredential",
  ClientCertificateCredential: "ClientCertificateCredential",
  ClientAssertionCredential: "ClientAssertionCredential",
});

/**
 * A warning when the credentials of `DefaultAzureCredential` that sign in at an Entra authority (a service
 * principal: `AZURE_CLIENT_SECRET` or `AZURE_CLIENT_CERTIFICATE_PATH`; a workload identity:
 * `AZURE_FEDERATED_TOKEN_FILE`) would sign in at another cloud's authority than the endpoint's: a sovereign
 * endpoint with `AZURE_AUTHORITY_HOST` unset or pointing elsewhere, or a public endpoint with a sovereign
 * `AZURE_AUTHORITY_HOST`. Names the fix. `undefined` when they fit, when no such credential is configured
 * (managed identity, developer sign-ins), or, with `answeredBy` (the credential of the chain that gave the
 * token), when that one is not such a credential. A custom authority (Azure Stack, ADFS, a proxy) is warned
 * about only for a sovereign endpoint. Pure: reads `env` only.
 */
export function authorityHostWarning(cloud: AzureCloud, env: Env, answeredBy?: string): string | undefined {
  const who =
    answeredBy !== undefined ? answeredByAuthority(answeredBy) : configuredAuthorityCredentials(env);
  if (who.length === 0) return undefined;

  const raw = env[AZURE_AUTHORITY_HOST]?.trim() ?? "";
  const authority = raw === "" ? AZURE_PUBLIC_CLOUD : azureCloudOfAuthorityHost(raw);
  if (authority === cloud) return undefined;
  if (cloud === AZURE_PUBLIC_CLOUD && authority === undefined) return undefined;

  const verb = who.length > 1 ? "sign in at" : "signs in at";
  const signIn =
    raw === ""
      ? `${verb} ${AZURE_PUBLIC_CLOUD.authorityHost} (${AZURE_AUTHORITY_HOST} is not set)`
      : `${verb} ${showAuthority(raw)} (${AZURE_AUTHORITY_HOST})`;
  const whose =
    authority !== undefined
      ? `, ${possessive(authority)} authority, which does not know ${possessive(cloud)} tenants`
      : `, not ${possessive(cloud)} authority`;
  const fix =
    cloud === AZURE_PUBLIC_CLOUD
      ? `unset ${AZURE_AUTHORITY_HOST} (or set ${AZURE_AUTHORITY_HOST}=${cloud.authorityHost})`
      : `set ${AZURE_AUTHORITY_HOST}=${cloud.authorityHost}`;
  return `the endpoint is in ${cloud.label}, but ${who.join(" and ")} ${signIn}${whose}: ${fix}`;
}

function answeredByAuthority(answeredBy: string): string[] {
  const name = answeredBy.trim();
  return Object.hasOwn(AUTHORITY_CREDENTIALS, name) ? [AUTHORITY_CREDENTIALS[name] as string] : [];
}

/** What the environment configures that signs in at the authority, as far as AZURE_TOKEN_CREDENTIALS lets it. */
function configuredAuthorityCredentials(env: Env): string[] {
  const restriction = checkAzureTokenCredentials(env[AZURE_TOKEN_CREDENTIALS]).value;
  const allows = (credential: string) =>
    restriction === undefined || restriction === "prod" || restriction === credential;
  const who: string[] = [];
  if (allows("EnvironmentCredential")) {
    if (isSet(env, "AZURE_CLIENT_SECRET"))
      who.push("the service principal (AZURE_CLIENT_SECRET, through EnvironmentCredential)");
    else if (isSet(env, "AZURE_CLIENT_CERTIFICATE_PATH"))
      who.push("the service principal (AZURE_CLIENT_CERTIFICATE_PATH, through EnvironmentCredential)");
  }
  if (allows("WorkloadIdentityCredential") && isSet(env, "AZURE_FEDERATED_TOKEN_FILE"))
    who.push("the workload identity (AZURE_FEDERATED_TOKEN_FILE, through WorkloadIdentityCredential)");
  return who;
}

/** An authority host as given: a URL through redactUrl, anything else (possibly pasted by mistake) by length. */
function showAuthority(raw: string): string {
  return /^https?:\/\//i.test(raw) ? redactUrl(raw) : showValue(raw);
}

function possessive(cloud: AzureCloud): string {
  return `${cloud.label}'s`;
}
