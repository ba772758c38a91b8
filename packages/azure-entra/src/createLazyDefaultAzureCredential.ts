import type { AccessToken, GetTokenOptions, TokenCredential } from "@azure/core-auth";
import type {
  DefaultAzureCredentialClientIdOptions,
  DefaultAzureCredentialOptions,
  DefaultAzureCredentialResourceIdOptions,
  TokenCredentialOptions,
} from "@azure/identity";
import { ConfigurationError } from "@copilot-byok/core/plugin";
import { AZURE_TOKEN_CREDENTIALS, checkAzureTokenCredentials } from "./checkAzureTokenCredentials.js";

/** What `new DefaultAzureCredential(options)` accepts (its three overloads). */
export type AnyDefaultAzureCredentialOptions =
  | DefaultAzureCredentialOptions
  | DefaultAzureCredentialClientIdOptions
  | DefaultAzureCredentialResourceIdOptions;

/** A `TokenCredential` that names itself, for messages. */
export interface NamedTokenCredential extends TokenCredential {
  readonly credentialName: string;
}

/**
 * A `DefaultAzureCredential` created on first use: `@azure/identity` is loaded by dynamic `import()` only
 * when a token is first asked for, so that apps using another mode never pay its start-up cost. It reads
 * `process.env` at that moment, as `@azure/identity` does (`AZURE_CLIENT_ID`, `AZURE_TOKEN_CREDENTIALS`,
 * `IDENTITY_ENDPOINT`, …). A failure to create it (an `AZURE_TOKEN_CREDENTIALS` value it refuses) surfaces
 * from `getToken` and is retried at the next call. Under `AZURE_TOKEN_CREDENTIALS=ManagedIdentityCredential` it is
 * the `ManagedIdentityCredential` that `DefaultAzureCredential` would use, built here so that `options` are kept
 * (`@azure/identity` 4.13 drops them in that mode); it is named `DefaultAzureCredential` either way.
 */
export function createLazyDefaultAzureCredential(
  options: AnyDefaultAzureCredentialOptions = {},
): NamedTokenCredential {
  let created: Promise<TokenCredential> | undefined;

  const load = async (): Promise<TokenCredential> => {
    const { value, problem } = checkAzureTokenCredentials(process.env[AZURE_TOKEN_CREDENTIALS]);
    if (problem) throw new ConfigurationError([problem]);
    const identity = await import("@azure/identity");
    if (value === "ManagedIdentityCredential") return createManagedIdentityOnly(identity, options);
    // One of the three overloads; which one depends on the fields given.
    return new identity.DefaultAzureCredential(options as DefaultAzureCredentialClientIdOptions);
  };

  return {
    credentialName: "DefaultAzureCredential",
    async getToken(
      scopes: string | string[],
      getTokenOptions?: GetTokenOptions,
    ): Promise<AccessToken | null> {
      if (!created) {
        created = load();
        created.catch(() => {
          created = undefined;
        });
      }
      const credential = await created;
      return credential.getToken(scopes, getTokenOptions);
    },
  };
}

/**
 * What `DefaultAzureCredential` builds under `AZURE_TOKEN_CREDENTIALS=ManagedIdentityCredential`, but with the
 * options given. `@azure/identity` 4.13.1 builds that chain's `ManagedIdentityCredential` from
 * `{ sendProbeRequest: false }` alone and drops every option (a user-assigned `managedIdentityClientId` or
 * `managedIdentityResourceId` given in code, `retryOptions`, …). This follows its
 * `createDefaultManagedIdentityCredential` (resource id, then workload identity, then client id, falling back to
 * `AZURE_CLIENT_ID`; 5 retries 800 ms apart unless `retryOptions` say otherwise; no probe request), inside a
 * one-link `ChainedTokenCredential` as `DefaultAzureCredential` is, so errors and `@azure/identity`'s
 * "Result for ManagedIdentityCredential" log line keep their shape.
 */
function createManagedIdentityOnly(
  identity: typeof import("@azure/identity"),
  options: AnyDefaultAzureCredentialOptions,
): TokenCredential {
  const given = options as DefaultAzureCredentialClientIdOptions & DefaultAzureCredentialResourceIdOptions;
  const required = given.requiredEnvVars;
  if (required !== undefined) {
    const missing = (Array.isArray(required) ? required : [required]).filter((name) => !process.env[name]);
    if (missing.length > 0) {
      throw new ConfigurationError([
        `DefaultAzureCredential requires ${missing.join(", ")} (requiredEnvVars), which ${missing.length === 1 ? "is" : "are"} not set or empty`,
      ]);
    }
  }
  const {
    managedIdentityClientId,
    managedIdentityResourceId,
    workloadIdentityClientId,
    requiredEnvVars: _required,
    ...rest
  } = given;
  const common = { ...rest, retryOptions: rest.retryOptions ?? { maxRetries: 5, retryDelayInMs: 800 } };
  const clientId = managedIdentityClientId ?? process.env.AZURE_CLIENT_ID;
  const workloadClientId = workloadIdentityClientId ?? clientId;
  let credential: TokenCredential;
  if (managedIdentityResourceId) {
    credential = new identity.ManagedIdentityCredential({ ...common, resourceId: managedIdentityResourceId });
  } else if (process.env.AZURE_FEDERATED_TOKEN_FILE && workloadClientId) {
    credential = new identity.ManagedIdentityCredential(workloadClientId, {
      ...common,
      tenantId: rest.tenantId ?? process.env.AZURE_TENANT_ID,
    } as TokenCredentialOptions);
  } else if (clientId) {
    credential = new identity.ManagedIdentityCredential({ ...common, clientId });
  } else {
    credential = new identity.ManagedIdentityCredential(common);
  }
  return new identity.ChainedTokenCredential(credential);
}
