// How a token the provider refused can be replaced, per credential of @azure/identity 4.13.1 (read in its code
// and MSAL's, and run against this repository's emulators: see renewalPlanFor.test.ts and
// EntraIdProviderConfigSource.renewal.test.ts):
// - the confidential clients (client secret, certificate, assertion; workload identity and EnvironmentCredential
//   wrap them) hand `claims` to MSAL's acquireTokenByClientCredential, and MSAL's ClientCredentialClient skips its
//   cache when claims are given: a claims challenge gets a new token from Entra ID;
// - ManagedIdentityCredential hands MSAL `{ resource }` only, and MSAL's managed-identity cache is process-wide
//   (a new credential instance reads the same cache): it answers the same token until MSAL refreshes it;
// - AzureCliCredential and AzurePowerShellCredential throw CredentialUnavailableError when given claims (inside
//   DefaultAzureCredential the chain then falls through and fails); the other developer and interactive sign-ins
//   are not sent claims either (not checked here: claims could send a person back to signing in).

/** How a refused token is replaced: see {@link renewalPlanFor}. */
export type RenewalMethod = "claims" | "claims-then-plain" | "plain";

/** What renewing a refused token can do with a credential, in words for the doctor and the explanations. */
export interface RenewalPlan {
  /**
   * `claims`: ask with a claims challenge, which passes MSAL's cache (a new token); `claims-then-plain`: a
   * credential this package does not know: with claims, and once more without if that throws; `plain`: ask as
   * usual (the credential's own cache may answer the same token).
   */
  readonly method: RenewalMethod;
  /** The credential whose behaviour decides: the one given, or the one of the chain that answered. */
  readonly credential: string;
  /** What renewal does with it, one sentence. */
  readonly effect: string;
}

const CONFIDENTIAL: readonly string[] = [
  "ClientSecretCredential",
  "ClientCertificateCredential",
  "ClientAssertionCredential",
  "WorkloadIdentityCredential",
  "EnvironmentCredential",
  "AzurePipelinesCredential",
];
const CHAINS: readonly string[] = ["DefaultAzureCredential", "ChainedTokenCredential"];

/** Credentials of `@azure/identity` that are never sent claims, and what asking them again gives. */
const PLAIN: Readonly<Record<string, string>> = Object.freeze({
  ManagedIdentityCredential:
    "ManagedIdentityCredential cannot be asked past MSAL's cache: @azure/identity hands MSAL no claims for it, and MSAL's process-wide managed-identity cache hands back the same token until MSAL refreshes it",
  AzureCliCredential:
    "AzureCliCredential is asked again without claims (claims make it throw): it answers what `az account get-access-token` gives, from the Azure CLI's own token cache",
  AzurePowerShellCredential:
    "AzurePowerShellCredential is asked again without claims (claims make it throw): it answers what Azure PowerShell gives",
});
/** Developer and interactive sign-ins: claims could ask a person to sign in again. */
const SIGN_INS: readonly string[] = [
  "AzureDeveloperCliCredential",
  "VisualStudioCodeCredential",
  "BrokerCredential",
  "InteractiveBrowserCredential",
  "DeviceCodeCredential",
  "UsernamePasswordCredential",
  "AuthorizationCodeCredential",
  "OnBehalfOfCredential",
];

/** Whether `credential` (a class name) is a chain whose answering credential decides: see {@link renewalPlanFor}. */
export function isCredentialChain(credential: string): boolean {
  return CHAINS.includes(credential.trim());
}

/**
 * How a refused token of `credential` (its class name, or the name it gives itself: see `credentialNameOf`) can
 * be replaced. For `DefaultAzureCredential` or a `ChainedTokenCredential`, `answeredBy` is the credential of the
 * chain that gave the token (from `@azure/identity`'s log, see `watchAnsweringCredential`): claims go to the chain
 * only when that one is a confidential client (the credentials before it in the chain were unavailable, and
 * stay so); when it is not known, the chain is asked as usual. Pure.
 */
export function renewalPlanFor(credential: string, answeredBy?: string): RenewalPlan {
  const name = credential.trim();
  if (isCredentialChain(name)) {
    const answering = answeredBy?.trim();
    if (!answering)
      return {
        method: "plain",
        credential: name,
        effect: `${name} is asked again as usual: which credential of its chain answered is not known, and claims would make a developer sign-in of the chain throw`,
      };
    const plan = renewalPlanFor(answering);
    const method = plan.method === "claims" ? "claims" : "plain";
    return { method, credential: answering, effect: `${plan.effect} (it answered for ${name})` };
  }
  if (CONFIDENTIAL.includes(name))
    return {
      method: "claims",
      credential: name,
      effect: `${name} is asked with a claims challenge, which makes MSAL pass its cache by and get a new token from Entra ID`,
    };
  const plain = Object.hasOwn(PLAIN, name) ? PLAIN[name] : undefined;
  if (plain !== undefined) return { method: "plain", credential: name, effect: plain };
  if (SIGN_INS.includes(name))
    return {
      method: "plain",
      credential: name,
      effect: `${name} is asked again without claims (a sign-in of a person or a tool: claims could ask for a new sign-in): it answers its own cached token`,
    };
  return {
    method: "claims-then-plain",
    credential: name,
    effect: `${name} is asked with a claims challenge (and once more without, if it refuses claims)`,
  };
}
