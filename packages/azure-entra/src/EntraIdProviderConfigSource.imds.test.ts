// The real DefaultAzureCredential against @copilot-byok/testing's managed-identity emulator on 127.0.0.1 through
// the IMDS protocol (VMs, AKS pod identity), reached with AZURE_POD_IDENTITY_AUTHORITY_HOST. In a file (so a
// process) of its own: MSAL picks the managed identity source and its endpoint once per process.
import { type ManagedIdentityEmulator, startManagedIdentityEmulator } from "@copilot-byok/testing";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { EntraIdProviderConfigSource } from "./EntraIdProviderConfigSource.js";

const IDENTITY_VARIABLES = [
  "IDENTITY_ENDPOINT",
  "IDENTITY_HEADER",
  "IDENTITY_SERVER_THUMBPRINT",
  "IMDS_ENDPOINT",
  "MSI_ENDPOINT",
  "MSI_SECRET",
  "AZURE_CLIENT_ID",
  "AZURE_TENANT_ID",
  "AZURE_CLIENT_SECRET",
  "AZURE_CLIENT_CERTIFICATE_PATH",
  "AZURE_FEDERATED_TOKEN_FILE",
  "AZURE_USERNAME",
  "AZURE_PASSWORD",
  "AZURE_AUTHORITY_HOST",
  "AZURE_POD_IDENTITY_AUTHORITY_HOST",
  "AZURE_TOKEN_CREDENTIALS",
] as const;

let emulator: ManagedIdentityEmulator;
let count = 0;

function freshScope(): string {
  count += 1;
  return `https://emulated-${process.pid}-${count}.copilot-byok.invalid/.default`;
}

async function withEnv<T>(vars: Record<string, string>, run: () => Promise<T>): Promise<T> {
  const saved = new Map<string, string | undefined>();
  for (const name of [...IDENTITY_VARIABLES, ...Object.keys(vars)]) saved.set(name, process.env[name]);
  for (const name of IDENTITY_VARIABLES) delete process.env[name];
  // Only managed identity: nothing of the chain may look beyond 127.0.0.1.
  Object.assign(process.env, { AZURE_TOKEN_CREDENTIALS: "ManagedIdentityCredential" }, vars);
  try {
    return await run();
  } finally {
    for (const [name, value] of saved) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  }
}

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
    const config = await withEnv(emulator.env("imds"), () => source.getProviderConfig());
    expect(emulator.verifyToken(config.bearerToken as string, { audience: scope }).ok).toBe(true);
    for (let i = 0; i < 5; i++)
      await config.bearerTokenProvider?.({ providerName: "default", sessionId: "s" });
    expect(emulator.tokensIssued).toBe(1);
    expect(emulator.requests.filter((r) => r.status === 200).map((r) => r.protocol)).toEqual(["imds"]);
    source.dispose();
  });
});
