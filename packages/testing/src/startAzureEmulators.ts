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

export interface AzureEmulatorsOptions extends Omit<FoundryEmulatorOptions, "identity"> {
  /** Options of the managed-identity emulator. */
  readonly identity?: ManagedIdentityEmulatorOptions;
}

export interface AzureEmulators {
  readonly identity: ManagedIdentityEmulator;
  /** Accepts `apiKeys` and the identity emulator's tokens. */
  readonly foundry: FoundryEmulator;
  /**
   * `AZURE_AI_FOUNDRY_RESOURCE_URL` plus the identity emulator's variables for `protocol` (default
   * `app-service`: `IDENTITY_ENDPOINT`, `IDENTITY_HEADER`; `imds`: `AZURE_POD_IDENTITY_AUTHORITY_HOST`).
   */
  env(protocol?: ManagedIdentityProtocol): Record<string, string>;
  close(): Promise<void>;
}

/** Starts the managed-identity emulator and a Foundry emulator that trusts its tokens. */
export async function startAzureEmulators(options: AzureEmulatorsOptions = {}): Promise<AzureEmulators> {
  const { identity: identityOptions, ...foundryOptions } = options;
  const identity = await startManagedIdentityEmulator(identityOptions);
  let foundry: FoundryEmulator;
  try {
    foundry = await startFoundryEmulator({ ...foundryOptions, identity });
  } catch (error) {
    await identity.close();
    throw error;
  }
  return {
    identity,
    foundry,
    env: (protocol) => ({ ...identity.env(protocol), AZURE_AI_FOUNDRY_RESOURCE_URL: foundry.resourceUrl }),
    close: async () => {
      await Promise.all([identity.close(), foundry.close()]);
    },
  };
}
