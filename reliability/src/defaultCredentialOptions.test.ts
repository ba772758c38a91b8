import { randomUUID } from "node:crypto";
import { EntraIdProviderConfigSource } from "@copilot-byok/azure-entra";
import { type ManagedIdentityEmulator, startManagedIdentityEmulator } from "@copilot-byok/testing";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { setManagedIdentityOnlyEnv, setProcessEnv } from "./support/identityEnv.js";

// What reaches the managed-identity endpoint from `defaultCredentialOptions`, under the AZURE_TOKEN_CREDENTIALS
// value the azure-entra README recommends for production. App Service protocol; a process of its own (MSAL).

const USER_ASSIGNED = "5d1c7a3e-0000-4000-8000-0000000000aa";
let emulator: ManagedIdentityEmulator;
let restoreEnv: () => void;

beforeAll(async () => {
  emulator = await startManagedIdentityEmulator();
  restoreEnv = setManagedIdentityOnlyEnv(emulator.env("app-service"));
});
afterAll(async () => {
  await emulator?.close();
  restoreEnv?.();
});
beforeEach(() => emulator.reset());

async function clientIdSent(): Promise<string | undefined> {
  const source = new EntraIdProviderConfigSource({
    baseUrl: "http://127.0.0.1:9/openai/v1/",
    scope: `api://${randomUUID()}/.default`,
    defaultCredentialOptions: { managedIdentityClientId: USER_ASSIGNED },
  });
  try {
    await source.getProviderConfig();
    return emulator.requests.at(-1)?.clientId;
  } finally {
    source.dispose();
  }
}

describe("defaultCredentialOptions of the default DefaultAzureCredential", () => {
  it("with AZURE_TOKEN_CREDENTIALS=prod, managedIdentityClientId reaches the endpoint (control)", async () => {
    const restore = setProcessEnv({ AZURE_TOKEN_CREDENTIALS: "prod" });
    try {
      expect(await clientIdSent()).toBe(USER_ASSIGNED);
    } finally {
      restore();
    }
  });

  it("with AZURE_CLIENT_ID set instead, the identity reaches the endpoint under ManagedIdentityCredential (control)", async () => {
    const restore = setProcessEnv({ AZURE_CLIENT_ID: USER_ASSIGNED });
    try {
      const source = new EntraIdProviderConfigSource({
        baseUrl: "http://127.0.0.1:9/openai/v1/",
        scope: `api://${randomUUID()}/.default`,
      });
      await source.getProviderConfig();
      source.dispose();
      expect(emulator.requests.at(-1)?.clientId).toBe(USER_ASSIGNED);
    } finally {
      restore();
    }
  });

  // Was a bug (azure-entra, createLazyDefaultAzureCredential): with AZURE_TOKEN_CREDENTIALS=ManagedIdentityCredential
  // (the README's production advice), @azure/identity 4.13.1 builds the chain's ManagedIdentityCredential
  // from `{ sendProbeRequest: false }` alone and drops every DefaultAzureCredential option: the
  // user-assigned identity given in code was silently replaced by the system-assigned one (and retryOptions
  // ignored too). The library now builds that ManagedIdentityCredential itself, with the options given.
  it("with AZURE_TOKEN_CREDENTIALS=ManagedIdentityCredential, managedIdentityClientId reaches the endpoint", async () => {
    expect(await clientIdSent()).toBe(USER_ASSIGNED);
  });
});
