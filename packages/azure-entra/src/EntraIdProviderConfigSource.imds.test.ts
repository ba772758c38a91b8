// The real DefaultAzureCredential against @copilot-byok/testing's managed-identity emulator on 127.0.0.1 through
// the IMDS protocol (VMs, AKS pod identity), reached with AZURE_POD_IDENTITY_AUTHORITY_HOST. In a file (so a
// process) of its own: MSAL picks the managed identity source and its endpoint once per process.
import { tokenOf } from "@copilot-byok/test-utils/tokenOf";
import { describe, expect, it } from "vitest";
import { EntraIdProviderConfigSource } from "./EntraIdProviderConfigSource.js";
import { freshScope } from "./test-support/freshScope.js";
import { useManagedIdentityEmulator } from "./test-support/useManagedIdentityEmulator.js";

const mi = useManagedIdentityEmulator();
const { withManagedIdentityEnv } = mi;

describe("EntraIdProviderConfigSource with DefaultAzureCredential over IMDS", () => {
  it("gets a token the emulator verifies, and asks once", async () => {
    const scope = freshScope();
    const source = new EntraIdProviderConfigSource({ baseUrl: "http://127.0.0.1:9/openai/v1/", scope });
    const config = await withManagedIdentityEnv(mi.emulator.env("imds"), () => source.getProviderConfig());
    expect(mi.emulator.verifyToken(await tokenOf(config), { audience: scope }).ok).toBe(true);
    for (let i = 0; i < 5; i++)
      await config.bearerTokenProvider?.({ providerName: "default", sessionId: "s" });
    expect(mi.emulator.tokensIssued).toBe(1);
    expect(mi.emulator.requests.filter((r) => r.status === 200).map((r) => r.protocol)).toEqual(["imds"]);
    source.dispose();
  });
});
