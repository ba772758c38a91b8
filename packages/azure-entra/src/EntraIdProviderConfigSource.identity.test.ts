// The real DefaultAzureCredential of @azure/identity, fetching tokens from a managed-identity endpoint on
// 127.0.0.1 (App Service protocol: IDENTITY_ENDPOINT / IDENTITY_HEADER).
//
// Facts these tests live with: @azure/identity reads the environment when the credential is created (here: at
// the first token request, since the source creates it lazily), so process.env is set around that and
// restored after; MSAL's managed-identity token cache is process-wide and keyed by resource, so every test
// asks for a scope of its own.
import "reflect-metadata";
import { PROVIDER_CONFIG_SOURCE, registerCopilotByok, TokenAcquisitionError } from "@copilot-byok/core";
import { tokenOf } from "@copilot-byok/test-utils/tokenOf";
import { withIdentityEnv } from "@copilot-byok/testing";
import { container } from "tsyringe";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAzureEntraModule } from "./azureEntraModule.js";
import { EntraIdProviderConfigSource } from "./EntraIdProviderConfigSource.js";
import { readJwtClaims } from "./readJwtClaims.js";
import type { TokenCacheEvent } from "./TokenCache.js";
import { freshScope } from "./test-support/freshScope.js";
import { type IdentityEndpoint, startIdentityEndpoint } from "./test-support/startIdentityEndpoint.js";

let endpoint: IdentityEndpoint;

beforeAll(async () => {
  endpoint = await startIdentityEndpoint();
});

afterAll(async () => {
  await endpoint?.close();
});

describe("EntraIdProviderConfigSource with the real DefaultAzureCredential", () => {
  it("gets a managed identity token from IDENTITY_ENDPOINT, caches it, and answers the callback from memory", async () => {
    const scope = freshScope();
    const resource = scope.replace("/.default", "");
    const events: TokenCacheEvent[] = [];
    const source = new EntraIdProviderConfigSource({
      baseUrl: "http://127.0.0.1:9/openai/v1/",
      scope,
      onEvent: (e) => events.push(e),
    });
    const before = endpoint.requests.length;
    const config = await withIdentityEnv(endpoint.env(), () => source.getProviderConfig());

    const requests = endpoint.requests.slice(before);
    expect(requests).toHaveLength(1);
    expect(requests[0]).toMatchObject({
      path: "/msi/token",
      resource,
      apiVersion: "2019-08-01",
      clientId: null,
      identityHeader: endpoint.header,
    });
    const token = await tokenOf(config);
    expect(readJwtClaims(token)?.aud).toBe(resource);
    for (let i = 0; i < 20; i++) {
      expect(await config.bearerTokenProvider?.({ providerName: "default", sessionId: "s" })).toBe(token);
    }
    expect(endpoint.requests.length - before).toBe(1);
    expect(source.describe()).toMatchObject({
      credential: "DefaultAzureCredential",
      scope,
      tokenState: "valid",
    });
    expect(events.map((e) => e.type)).toEqual(["refresh-started", "refresh-succeeded"]);
    expect(JSON.stringify(events)).not.toContain(endpoint.header);
    source.dispose();
  });

  it("sends AZURE_CLIENT_ID as the client id of a user-assigned identity", async () => {
    const clientId = "3f2a1b0c-9d8e-4f7a-8b6c-5d4e3f2a1b0c";
    const scope = freshScope();
    const source = new EntraIdProviderConfigSource({ baseUrl: "http://127.0.0.1:9/openai/v1/", scope });
    const before = endpoint.requests.length;
    const { description, config } = await withIdentityEnv(
      { ...endpoint.env(), AZURE_CLIENT_ID: clientId },
      async () => ({
        config: await source.getProviderConfig(),
        description: source.describe(),
      }),
    );
    expect(endpoint.requests.slice(before).map((r) => r.clientId)).toEqual([clientId]);
    expect(readJwtClaims(await tokenOf(config))?.appid).toBe(clientId);
    expect(description.azureClientId).toBe(clientId);
    source.dispose();
  });

  it("says which credential failed and why when the endpoint refuses, without secrets, then recovers", async () => {
    const scope = freshScope();
    const source = new EntraIdProviderConfigSource({
      baseUrl: "http://127.0.0.1:9/openai/v1/",
      scope,
      timeoutMs: 10_000,
    });
    const env = { ...endpoint.env(), AZURE_TOKEN_CREDENTIALS: "ManagedIdentityCredential" };
    endpoint.failNext(1, 400);
    const error = await withIdentityEnv(env, () => source.getProviderConfig().catch((e: unknown) => e));
    expect(error).toBeInstanceOf(TokenAcquisitionError);
    const failure = error as TokenAcquisitionError;
    expect(failure.credentialName).toBe("DefaultAzureCredential");
    expect(failure.reason).toBe("credential-error");
    expect(failure.message).toContain("DefaultAzureCredential could not get a token for");
    expect(failure.message).toContain("ManagedIdentityCredential: Authentication failed.");
    expect(failure.message).toContain("The managed identity endpoint answered but gave no token");
    expect(failure.message).not.toContain(endpoint.header);
    expect(failure.message.split("\n").length).toBeLessThan(12);
    expect(failure.cause).toBeInstanceOf(Error);

    const config = await withIdentityEnv(env, () => source.getProviderConfig());
    expect(readJwtClaims(await tokenOf(config))?.aud).toBe(scope.replace("/.default", ""));
    source.dispose();
  });

  it("serves the seed scenario through registerCopilotByok and the environment", async () => {
    const scope = freshScope();
    const scoped = container.createChildContainer();
    const env = {
      ...endpoint.env(),
      AZURE_AI_FOUNDRY_RESOURCE_URL: "https://my-resource.services.ai.azure.com",
      COPILOT_PROVIDER_MODEL_ID: "gpt-4.1",
      COPILOT_PROVIDER_TOKEN_SCOPE: scope,
    };
    // A fresh scope per test dodges MSAL's process-wide cache; an Azure host would refuse its audience, so
    // the audience check is turned off here (expectedAudience.test.ts covers it).
    const module = createAzureEntraModule({ expectedAudience: null });
    // Selected and served with the identity variables in process.env, where DefaultAzureCredential reads them.
    const config = await withIdentityEnv(env, async () => {
      const selection = registerCopilotByok(scoped, { env, modules: [module] });
      expect(selection.mode).toBe("azure-entra");
      expect(selection.reasons.join("\n")).toContain("IDENTITY_ENDPOINT is set");
      return scoped.resolve(PROVIDER_CONFIG_SOURCE).getProviderConfig();
    });
    expect(config).toMatchObject({
      type: "openai",
      baseUrl: "https://my-resource.services.ai.azure.com/openai/v1/",
      wireApi: "responses",
      modelId: "gpt-4.1",
    });
    expect(readJwtClaims(await tokenOf(config))?.aud).toBe(scope.replace("/.default", ""));
    await scoped.dispose();
  });
});
