// The real DefaultAzureCredential against @copilot-byok/testing's managed-identity emulator on 127.0.0.1 (App
// Service protocol) and its faults. Each test asks for a scope of its own (MSAL's managed-identity token cache
// is process-wide) and sets process.env around the first token request (when the credential is created).
// MSAL also picks the managed identity source (and its endpoint) once per process, at the first token request:
// the IMDS protocol is tested in a file of its own, so in a process of its own.
import { TokenAcquisitionError } from "@copilot-byok/core";
import { tokenOf } from "@copilot-byok/test-utils/tokenOf";
import { describe, expect, it } from "vitest";
import { EntraIdProviderConfigSource } from "./EntraIdProviderConfigSource.js";
import type { TokenCacheEvent } from "./TokenCache.js";
import { freshScope } from "./test-support/freshScope.js";
import { useManagedIdentityEmulator } from "./test-support/useManagedIdentityEmulator.js";

const mi = useManagedIdentityEmulator();
const { withManagedIdentityEnv } = mi;

describe("EntraIdProviderConfigSource with DefaultAzureCredential and the managed-identity emulator", () => {
  it("gets a token the emulator verifies (App Service protocol), and asks once", async () => {
    const scope = freshScope();
    const source = new EntraIdProviderConfigSource({ baseUrl: "http://127.0.0.1:9/openai/v1/", scope });
    const config = await withManagedIdentityEnv(mi.emulator.env("app-service"), () =>
      source.getProviderConfig(),
    );
    const verified = mi.emulator.verifyToken(await tokenOf(config), { audience: scope });
    expect(verified.ok).toBe(true);
    await config.bearerTokenProvider?.({ providerName: "default", sessionId: "s" });
    expect(mi.emulator.tokensIssued).toBe(1);
    expect(mi.emulator.requests.filter((r) => r.status === 200).map((r) => r.protocol)).toEqual([
      "app-service",
    ]);
    source.dispose();
  });

  it("reports expires_on in milliseconds (a broken endpoint) and uses the token's exp claim instead", async () => {
    const scope = freshScope();
    const events: TokenCacheEvent[] = [];
    const source = new EntraIdProviderConfigSource({
      baseUrl: "http://127.0.0.1:9/openai/v1/",
      scope,
      onEvent: (e) => events.push(e),
    });
    mi.emulator.enqueueFaults([{ expiresOnUnit: "milliseconds" }]);
    const config = await withManagedIdentityEnv(mi.emulator.env(), () => source.getProviderConfig());
    expect(mi.emulator.verifyToken(await tokenOf(config), { audience: scope }).ok).toBe(true);
    const implausible = events.find((e) => e.type === "implausible-expiry");
    expect(implausible?.message).toContain("using the token's exp claim");
    const expiresOn = Date.parse(source.tokenCache.status(scope).expiresOn ?? "");
    expect(expiresOn - Date.now()).toBeGreaterThan(50 * 60_000);
    expect(expiresOn - Date.now()).toBeLessThanOrEqual(60 * 60_000);
    source.dispose();
  });

  it("names the credential and the endpoint's refusal when the identity is not found, then recovers", async () => {
    const scope = freshScope();
    const source = new EntraIdProviderConfigSource({ baseUrl: "http://127.0.0.1:9/openai/v1/", scope });
    mi.emulator.enqueueFaults([{ status: 400, message: "Identity not found" }]);
    const error = await withManagedIdentityEnv(mi.emulator.env(), () =>
      source.getProviderConfig().catch((e: unknown) => e),
    );
    expect(error).toBeInstanceOf(TokenAcquisitionError);
    expect((error as Error).message).toContain("DefaultAzureCredential could not get a token");
    expect((error as Error).message).toContain("Identity not found");
    expect((error as Error).message).not.toContain(mi.emulator.identityHeader);

    const config = await withManagedIdentityEnv(mi.emulator.env(), () => source.getProviderConfig());
    expect(mi.emulator.verifyToken(await tokenOf(config), { audience: scope }).ok).toBe(true);
    source.dispose();
  });

  it("abandons a hanging endpoint after the timeout; the next call gets a token", async () => {
    const scope = freshScope();
    const source = new EntraIdProviderConfigSource({
      baseUrl: "http://127.0.0.1:9/openai/v1/",
      scope,
      timeoutMs: 500,
    });
    mi.emulator.enqueueFaults([{ hang: true }]);
    const error = await withManagedIdentityEnv(mi.emulator.env(), () =>
      source.getProviderConfig().catch((e: unknown) => e),
    );
    expect(error).toMatchObject({
      name: "TokenAcquisitionError",
      reason: "timeout",
      credentialName: "DefaultAzureCredential",
    });

    const config = await withManagedIdentityEnv(mi.emulator.env(), () => source.getProviderConfig());
    expect(mi.emulator.verifyToken(await tokenOf(config), { audience: scope }).ok).toBe(true);
    source.dispose();
  });
});
