import {
  type ManagedIdentityEmulator,
  startManagedIdentityEmulator,
  withIdentityEnv,
} from "@copilot-byok/testing";
import { afterAll, beforeAll, beforeEach } from "vitest";

export interface ManagedIdentityEmulatorFixture {
  /** The file's emulator (started before its tests, reset before each, closed after them). */
  readonly emulator: ManagedIdentityEmulator;
  /**
   * Runs `run` with only managed identity enabled (`AZURE_TOKEN_CREDENTIALS=ManagedIdentityCredential`) and
   * `vars` (the emulator's `env(protocol)`) set: nothing of DefaultAzureCredential's chain may look beyond
   * 127.0.0.1.
   */
  withManagedIdentityEnv<T>(vars: Record<string, string>, run: () => Promise<T>): Promise<T>;
}

/**
 * One managed-identity emulator for the calling test file, with vitest hooks. One per file, because MSAL picks
 * the managed identity source and its endpoint once per process (and vitest runs each file in a process).
 */
export function useManagedIdentityEmulator(): ManagedIdentityEmulatorFixture {
  let emulator: ManagedIdentityEmulator | undefined;
  beforeAll(async () => {
    emulator = await startManagedIdentityEmulator();
  });
  beforeEach(() => {
    emulator?.reset();
  });
  afterAll(async () => {
    await emulator?.close();
  });
  return {
    get emulator() {
      if (!emulator) throw new Error("the managed-identity emulator is used before beforeAll started it");
      return emulator;
    },
    withManagedIdentityEnv: (vars, run) =>
      withIdentityEnv({ AZURE_TOKEN_CREDENTIALS: "ManagedIdentityCredential", ...vars }, run),
  };
}
