import type { EntraCredentialKind } from "./entraCredentialEnv.js";
import {
  type EntraAuthorityEmulator,
  type EntraAuthorityEmulatorOptions,
  startEntraAuthorityEmulator,
} from "./startEntraAuthorityEmulator.js";
import {
  type FoundryEmulator,
  type FoundryEmulatorOptions,
  startFoundryEmulator,
} from "./startFoundryEmulator.js";
import {
  type ManagedIdentityEmulator,
  type ManagedIdentityEmulatorOptions,
  type ManagedIdentityProtocol,
  startManagedIdentityEmulator,
} from "./startManagedIdentityEmulator.js";

/** Options of the authority emulator inside `startAzureEmulators`: it always signs with the identity emulator's key. */
export type AzureEmulatorsAuthorityOptions = Omit<EntraAuthorityEmulatorOptions, "authority" | "tenantId">;

export interface AzureEmulatorsOptions extends Omit<FoundryEmulatorOptions, "identity"> {
  /** Options of the managed-identity emulator. */
  readonly identity?: ManagedIdentityEmulatorOptions;
  /**
   * Also start the Entra ID authority emulator (service principal and workload identity through a CONNECT
   * proxy), issuing tokens with the identity emulator's key and tenant so Foundry accepts them. Default: not started.
   */
  readonly authority?: boolean | AzureEmulatorsAuthorityOptions;
}

export interface AzureEmulators {
  readonly identity: ManagedIdentityEmulator;
  /** Accepts `apiKeys` and the identity emulator's (and the authority emulator's) tokens. */
  readonly foundry: FoundryEmulator;
  /** The Entra ID authority emulator, when `options.authority` asked for it. */
  readonly authority: EntraAuthorityEmulator | undefined;
  /**
   * `AZURE_AI_FOUNDRY_RESOURCE_URL` plus the identity emulator's variables for `protocol` (default
   * `app-service`: `IDENTITY_ENDPOINT`, `IDENTITY_HEADER`; `imds`: `AZURE_POD_IDENTITY_AUTHORITY_HOST`), or the
   * authority emulator's for `service-principal` / `workload-identity` (only when it was started).
   */
  env(kind?: ManagedIdentityProtocol | EntraCredentialKind): Record<string, string>;
  close(): Promise<void>;
}

/** `AzureEmulators` started with `authority`: the authority emulator is there. */
export interface AzureEmulatorsWithAuthority extends AzureEmulators {
  readonly authority: EntraAuthorityEmulator;
}

const PROTOCOLS: readonly string[] = ["app-service", "imds"];
const ENTRA_KINDS: readonly string[] = ["service-principal", "workload-identity"];

/**
 * Starts the managed-identity emulator and a Foundry emulator that trusts its tokens, and with `authority`
 * the Entra ID authority emulator, which signs with the same key.
 */
export async function startAzureEmulators(
  options: AzureEmulatorsOptions & { readonly authority: true | AzureEmulatorsAuthorityOptions },
): Promise<AzureEmulatorsWithAuthority>;
export async function startAzureEmulators(options?: AzureEmulatorsOptions): Promise<AzureEmulators>;
export async function startAzureEmulators(options: AzureEmulatorsOptions = {}): Promise<AzureEmulators> {
  const { identity: identityOptions, authority: authorityOptions, ...foundryOptions } = options;
  const identity = await startManagedIdentityEmulator(identityOptions);
  let foundry: FoundryEmulator | undefined;
  let authority: EntraAuthorityEmulator | undefined;
  try {
    foundry = await startFoundryEmulator({ ...foundryOptions, identity });
    if (authorityOptions) {
      authority = await startEntraAuthorityEmulator({
        ...(authorityOptions === true ? {} : authorityOptions),
        authority: identity,
        tenantId: identity.tenantId,
      });
    }
  } catch (error) {
    await Promise.all([identity.close(), foundry?.close()]);
    throw error;
  }
  const started = foundry;
  return {
    identity,
    foundry: started,
    authority,
    env: (kind) => {
      const resource = { AZURE_AI_FOUNDRY_RESOURCE_URL: started.resourceUrl };
      if (kind === undefined || PROTOCOLS.includes(kind))
        return { ...identity.env(kind as ManagedIdentityProtocol | undefined), ...resource };
      if (!ENTRA_KINDS.includes(kind))
        throw new TypeError(
          `env: unknown kind ${JSON.stringify(kind)}; accepted: ${[...PROTOCOLS, ...ENTRA_KINDS].join(", ")}`,
        );
      if (!authority)
        throw new TypeError(
          `env(${JSON.stringify(kind)}) needs the authority emulator: start with { authority: true }`,
        );
      return Object.assign(authority.env(kind as EntraCredentialKind), resource);
    },
    close: async () => {
      await Promise.all([identity.close(), started.close(), authority?.close()]);
    },
  };
}
