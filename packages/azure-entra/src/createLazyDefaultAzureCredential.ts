import type { AccessToken, GetTokenOptions, TokenCredential } from "@azure/core-auth";
import type {
  DefaultAzureCredentialClientIdOptions,
  DefaultAzureCredentialOptions,
  DefaultAzureCredentialResourceIdOptions,
} from "@azure/identity";
import { ConfigurationError } from "@copilot-byok/core";
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
 * from `getToken` and is retried at the next call.
 */
export function createLazyDefaultAzureCredential(
  options: AnyDefaultAzureCredentialOptions = {},
): NamedTokenCredential {
  let created: Promise<TokenCredential> | undefined;

  const load = async (): Promise<TokenCredential> => {
    const { problem } = checkAzureTokenCredentials(process.env[AZURE_TOKEN_CREDENTIALS]);
    if (problem) throw new ConfigurationError([problem]);
    const identity = await import("@azure/identity");
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
