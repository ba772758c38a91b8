// The real DefaultAzureCredential against @copilot-byok/testing's managed-identity emulator on 127.0.0.1 through
// the IMDS protocol (VMs, AKS pod identity), reached with AZURE_POD_IDENTITY_AUTHORITY_HOST. In a file (so a
// process) of its own: MSAL picks the managed identity source and its endpoint once per process.
import {
  type ManagedIdentityEmulator,
  startManagedIdentityEmulator,
  withIdentityEnv,
} from "@copilot-byok/testing";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { EntraIdProviderConfigSource } from "./EntraIdProviderConfigSource.js";
import { freshScope } from "./test-support/freshScope.js";

let emulator: ManagedIdentityEmulator;

/** Only managed identity: nothing of DefaultAzureCredential's chain may look beyond 127.0.0.1. */
const withManagedIdentityEnv = <T>(vars: Record<string, string>, run: () => Promise<T>) =>
  withIdentityEnv({ AZURE_TOKEN_CREDENTIALS: "ManagedIdentityCredential", ...vars }, run);

beforeAll(async () => {
  emulator = await startManagedIdentityEmulator();
});
beforeEach(() => {
  emulator.reset();
});
afterAll(async () => {
  await emulator?.close();
});

describe("EntraIdProviderConfigSource with DefaultAzureCredential over IMDS", () => {
  it("gets a token the emulator verifies, and asks once", async () => {
    const scope = freshScope();
    const source = new EntraIdProviderConfigSource({ baseUrl: "http://127.0.0.1:9/openai/v1/", scope });
    const config = await withManagedIdentityEnv(emulator.env("imds"), () => source.getProviderConfig());
    expect(emulator.verifyToken(config.bearerToken as string, { audience: scope }).ok).toBe(true);
    for (let i = 0; i < 5; i++)
      await config.bearerTokenProvider?.({ providerName: "default", sessionId: "s" });
    expect(emulator.tokensIssued).toBe(1);
    expect(emulator.requests.filter((r) => r.status === 200).map((r) => r.protocol)).toEqual(["imds"]);
    source.dispose();
  });
});
