import { execFile } from "node:child_process";
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { AzureCliCredential } from "@azure/identity";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createFakeAzureCli, type FakeAzureCli } from "./createFakeAzureCli.js";
import { setProcessEnv } from "./setProcessEnv.js";
import {
  AZURE_CLI_APP_ID,
  type ManagedIdentityEmulator,
  startManagedIdentityEmulator,
} from "./startManagedIdentityEmulator.js";

const run = promisify(execFile);
let emulator: ManagedIdentityEmulator;
let az: FakeAzureCli;
let restoreEnv: () => void;

beforeAll(async () => {
  emulator = await startManagedIdentityEmulator({ tenantId: "home-tenant", subscriptionId: "sub-1" });
  az = await createFakeAzureCli({ emulator });
  // AzureCliCredential runs `az …` through the shell with process.env: PATH must find the fake first.
  restoreEnv = setProcessEnv(az.env);
});
afterEach(() => emulator.reset());
afterAll(async () => {
  restoreEnv();
  await az.cleanup();
  await emulator.close();
});

describe("createFakeAzureCli", { timeout: 15_000 }, () => {
  it("writes an executable az that prints what az account get-access-token prints", async () => {
    expect(az.path).toBe(join(az.dir, "az"));
    expect(az.env.PATH.split(":")[0]).toBe(az.dir);
    const { stdout } = await run(az.path, [
      "account",
      "get-access-token",
      "--output",
      "json",
      "--resource",
      "https://r.example",
    ]);
    const body = JSON.parse(stdout) as Record<string, unknown>;
    expect(Object.keys(body).sort()).toEqual([
      "accessToken",
      "expiresOn",
      "expires_on",
      "subscription",
      "tenant",
      "tokenType",
    ]);
    expect(body).toMatchObject({ subscription: "sub-1", tenant: "home-tenant", tokenType: "Bearer" });
    expect(body.expiresOn).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6}$/);
    const verified = emulator.verifyToken(String(body.accessToken), { audience: "https://r.example" });
    expect(verified.ok && verified.claims.appid).toBe(AZURE_CLI_APP_ID);
    expect(verified.ok && verified.claims.exp).toBe(body.expires_on);
  });

  it("gives the real AzureCliCredential a token from the emulator", async () => {
    const token = await new AzureCliCredential().getToken("https://cognitiveservices.azure.com/.default");
    const verified = emulator.verifyToken(token.token, { audience: "https://cognitiveservices.azure.com" });
    if (!verified.ok) throw new Error(verified.reason);
    expect(token.expiresOnTimestamp).toBe(verified.claims.exp * 1000);
    expect(emulator.requests).toMatchObject([
      { protocol: "azure-cli", resource: "https://cognitiveservices.azure.com", status: 200 },
    ]);
  });

  it("passes --tenant and --subscription through", async () => {
    const credential = new AzureCliCredential({ tenantId: "other-tenant", subscription: "My Subscription" });
    const token = await credential.getToken("https://cognitiveservices.azure.com/.default");
    const verified = emulator.verifyToken(token.token, { audience: "https://cognitiveservices.azure.com" });
    // A token from another tenant: the resource's issuer check refuses it.
    expect(verified).toMatchObject({
      ok: false,
      reason: expect.stringContaining("issuer mismatch"),
      claims: { tid: "other-tenant" },
    });
    const { stdout } = await run(az.path, [
      "account",
      "get-access-token",
      "--resource",
      "r",
      "--subscription",
      "My Subscription",
    ]);
    expect(JSON.parse(stdout).subscription).toBe("My Subscription");
  });

  it("fails like az: ERROR on stderr, exit code 1, and AzureCliCredential reports it", async () => {
    emulator.enqueueFaults([{ status: 500, message: "AADSTS50000: something broke" }]);
    await expect(new AzureCliCredential().getToken("https://x.example/.default")).rejects.toMatchObject({
      name: "CredentialUnavailableError",
      message: expect.stringContaining("ERROR: AADSTS50000: something broke"),
    });
    await expect(run(az.path, ["account", "show"])).rejects.toMatchObject({
      code: 2,
      stderr: expect.stringContaining("ERROR:"),
    });
  });

  it("fails with ERROR: on stderr when the emulator is gone", async () => {
    const gone = await startManagedIdentityEmulator();
    await gone.close();
    const orphan = await createFakeAzureCli({ emulator: gone });
    try {
      await expect(
        run(orphan.path, ["account", "get-access-token", "--resource", "r"]),
      ).rejects.toMatchObject({
        code: 1,
        stderr: expect.stringContaining("ERROR: fetch failed"),
      });
    } finally {
      await orphan.cleanup();
    }
  });

  it("writes into a given directory and removes only the script", async () => {
    const dir = await mkdtemp(join(tmpdir(), "az-dir-"));
    try {
      const fake = await createFakeAzureCli({ emulator, dir });
      expect(await readdir(dir)).toEqual(["az"]);
      await fake.cleanup();
      expect(await readdir(dir)).toEqual([]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
