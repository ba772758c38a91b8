import type { TokenCredential } from "@azure/core-auth";
import type { InjectionToken } from "tsyringe";

/**
 * Injection token of the `TokenCredential` the azure-entra source uses instead of `DefaultAzureCredential`,
 * e.g. `container.register(AZURE_TOKEN_CREDENTIAL, { useValue: new ManagedIdentityCredential({ clientId }) })`.
 * A registered symbol, shared by the ESM and CommonJS builds.
 */
export const AZURE_TOKEN_CREDENTIAL: InjectionToken<TokenCredential> = Symbol.for(
  "@copilot-byok/azure-entra:AZURE_TOKEN_CREDENTIAL",
);
