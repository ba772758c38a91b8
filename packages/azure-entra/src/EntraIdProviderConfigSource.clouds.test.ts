// The default scope and the authority check follow the endpoint's cloud. The default credential and the watch
// of which credential of its chain answered are stand-ins here (vi.mock): what is tested is what the source
// and the module make of them; the real chain is exercised by the doctor's tests in packages/cli.
import { type Env, selectProviderConfigSource } from "@copilot-byok/core";
import { makeJwt } from "@copilot-byok/test-utils/makeJwt";
import { ScriptedCredential } from "@copilot-byok/test-utils/ScriptedCredential";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { azureEntraModule, createAzureEntraModule } from "./azureEntraModule.js";
import { EntraIdProviderConfigSource } from "./EntraIdProviderConfigSource.js";
import { seenByCredential } from "./test-support/seenByCredential.js";

const fake = vi.hoisted(() => ({ answeredBy: undefined as string | undefined, scopes: [] as unknown[] }));

vi.mock("./createLazyDefaultAzureCredential.js", () => ({
  createLazyDefaultAzureCredential: () => ({
    credentialName: "DefaultAzureCredential",
    async getToken(scopes: string | string[]) {
      fake.scopes.push(scopes);
      const scope = typeof scopes === "string" ? scopes : (scopes[0] ?? "");
      const aud = scope.replace(/\/\.default$/, "");
      return {
        token: makeJwt({ aud, exp: Math.floor(Date.now() / 1000) + 3600 }),
        expiresOnTimestamp: Date.now() + 3_600_000,
      };
    },
  }),
}));
vi.mock("./watchAnsweringCredential.js", () => ({
  watchAnsweringCredential: async () => ({ stop: () => fake.answeredBy }),
}));

beforeEach(() => {
  fake.answeredBy = undefined;
  fake.scopes = [];
});

const GOV = "https://my-resource.openai.azure.us";
const SP = { AZURE_CLIENT_SECRET: "not-shown-sp-secret", AZURE_CLIENT_ID: "c", AZURE_TENANT_ID: "t" };
const WORKLOAD = { AZURE_FEDERATED_TOKEN_FILE: "/var/run/token", AZURE_CLIENT_ID: "c", AZURE_TENANT_ID: "t" };
const MANAGED = { IDENTITY_ENDPOINT: "http://127.0.0.1:1/msi", IDENTITY_HEADER: "h" };
const GOV_FIX = "set AZURE_AUTHORITY_HOST=https://login.microsoftonline.us";

describe("the default scope follows the endpoint's cloud", () => {
  it.each([
    [GOV, "https://cognitiveservices.azure.us/.default", "Azure Government"],
    [
      "https://my-resource.openai.azure.cn",
      "https://cognitiveservices.azure.cn/.default",
      "Azure China (21Vianet)",
    ],
    [
      "https://my-resource.openai.azure.com",
      "https://cognitiveservices.azure.com/.default",
      "the Azure public cloud",
    ],
  ])(
    "%s: tokens for %s, and describe() tells where the scope comes from",
    async (resourceUrl, scope, cloud) => {
      const source = new EntraIdProviderConfigSource({ resourceUrl });
      expect(source.scope).toBe(scope);
      expect(source.scopeGiven).toBe(false);
      expect(source.describe()).toMatchObject({
        scope,
        cloud,
        scopeFrom: expect.stringMatching(/^the default for /),
      });
      await source.getProviderConfig();
      expect(fake.scopes).toEqual([scope]);
      source.dispose();
    },
  );

  it("a Foundry project endpoint asks for https://ai.azure.com/.default; Claude on Foundry for Cognitive Services", () => {
    const project = new EntraIdProviderConfigSource({
      baseUrl: "https://r.services.ai.azure.com/api/projects/p/openai/v1/",
    });
    expect(project.scope).toBe("https://ai.azure.com/.default");
    const gov = new EntraIdProviderConfigSource({ baseUrl: "https://r.services.ai.azure.us/api/projects/p" });
    expect(gov.scope).toBe("https://ai.azure.us/.default");
    const claude = new EntraIdProviderConfigSource({
      baseUrl: "https://r.services.ai.azure.com/anthropic",
      type: "anthropic",
    });
    expect(claude.scope).toBe("https://cognitiveservices.azure.com/.default");
    expect(claude.describe().scopeFrom).toBe(
      "the default for Claude on Azure AI Foundry (*.services.ai.azure.com/anthropic) in the Azure public cloud",
    );
  });

  it("an unknown host keeps the public default, marked as a guess with how to set it, in describe() and diagnose()", async () => {
    const source = new EntraIdProviderConfigSource({ baseUrl: "http://127.0.0.1:8080/openai/v1/" });
    const guess =
      "guessed: 127.0.0.1:8080 is not a known Azure AI host, so the Azure public cloud's default; set COPILOT_PROVIDER_TOKEN_SCOPE to the scope the endpoint expects";
    expect(source.scope).toBe("https://cognitiveservices.azure.com/.default");
    expect(source.describe().scopeFrom).toBe(guess);
    expect(source.describe()).not.toHaveProperty("cloud");
    const d = await source.diagnose();
    expect(d.facts).toMatchObject({
      scope: "https://cognitiveservices.azure.com/.default",
      "scope from": guess,
    });
    expect(d.warnings).toBeUndefined();
    source.dispose();
  });

  it("a given scope wins, and says so", () => {
    const source = new EntraIdProviderConfigSource({
      resourceUrl: GOV,
      scope: "https://cognitiveservices.azure.us/.default",
    });
    expect(source.scopeGiven).toBe(true);
    expect(source.describe().scopeFrom).toBe("given (the scope option, or COPILOT_PROVIDER_TOKEN_SCOPE)");
  });

  it("the module passes COPILOT_PROVIDER_TOKEN_SCOPE only when set: else the source derives it", () => {
    const derived = selectProviderConfigSource({ AZURE_OPENAI_ENDPOINT: GOV }, [azureEntraModule]);
    const source = derived.module.create({ env: { AZURE_OPENAI_ENDPOINT: GOV }, selection: derived });
    expect((source as EntraIdProviderConfigSource).scope).toBe("https://cognitiveservices.azure.us/.default");
    expect(derived.reasons).toContain(
      "token scope https://cognitiveservices.azure.us/.default (the default for Azure OpenAI (*.openai.azure.us) in Azure Government; set COPILOT_PROVIDER_TOKEN_SCOPE to change it)",
    );
    const env = {
      AZURE_OPENAI_ENDPOINT: GOV,
      COPILOT_PROVIDER_TOKEN_SCOPE: "https://cognitiveservices.azure.us/.default",
    };
    const given = selectProviderConfigSource(env, [azureEntraModule]);
    expect((given.module.create({ env, selection: given }) as EntraIdProviderConfigSource).scopeGiven).toBe(
      true,
    );
    const guessed = azureEntraModule.detect({ COPILOT_PROVIDER_BASE_URL: "http://127.0.0.1:9/openai/v1/" });
    expect(guessed.reasons).toContain(
      "token scope https://cognitiveservices.azure.com/.default (guessed: 127.0.0.1:9 is not a known Azure AI host, so the Azure public cloud's default; set COPILOT_PROVIDER_TOKEN_SCOPE to the scope the endpoint expects)",
    );
  });
});

describe("the authority of the endpoint's cloud", () => {
  const warningOf = (reasons: readonly string[]) => reasons.filter((r) => r.startsWith("warning: "));

  it("the selection's reasons warn about a service principal signing in at the public authority for a Government endpoint", () => {
    const env = { AZURE_OPENAI_ENDPOINT: GOV, ...SP };
    const d = seenByCredential(env, () => azureEntraModule.detect(env));
    expect(warningOf(d.reasons)).toEqual([
      `warning: the endpoint is in Azure Government, but the service principal (AZURE_CLIENT_SECRET, through EnvironmentCredential) signs in at https://login.microsoftonline.com (AZURE_AUTHORITY_HOST is not set), the Azure public cloud's authority, which does not know Azure Government's tenants: ${GOV_FIX}`,
    ]);
    expect(d.problems).toEqual([]);
    expect(JSON.stringify(d)).not.toContain("not-shown-sp-secret");
  });

  it("and the reverse: a workload identity with Government's authority for a public endpoint", () => {
    const d = azureEntraModule.detect({
      AZURE_OPENAI_ENDPOINT: "https://r.openai.azure.com",
      ...WORKLOAD,
      AZURE_AUTHORITY_HOST: "https://login.microsoftonline.us",
    });
    expect(warningOf(d.reasons).join()).toContain(
      "the endpoint is in the Azure public cloud, but the workload identity (AZURE_FEDERATED_TOKEN_FILE, through WorkloadIdentityCredential) signs in at https://login.microsoftonline.us (AZURE_AUTHORITY_HOST)",
    );
    expect(warningOf(d.reasons).join()).toContain("unset AZURE_AUTHORITY_HOST");
  });

  it.each<[string, Env]>([
    ["the right authority", { ...SP, AZURE_AUTHORITY_HOST: "https://login.microsoftonline.us" }],
    ["managed identity (it never talks to the authority)", MANAGED],
  ])("no warning with %s", (_label, env) => {
    expect(warningOf(azureEntraModule.detect({ AZURE_OPENAI_ENDPOINT: GOV, ...env }).reasons)).toEqual([]);
  });

  it("no warning for a credential given in code: it may carry its own authority", () => {
    const module = createAzureEntraModule({ credential: new ScriptedCredential([]) });
    expect(warningOf(module.detect({ AZURE_OPENAI_ENDPOINT: GOV, ...SP }).reasons)).toEqual([]);
  });

  it("developer sign-ins for a sovereign endpoint: how to point the Azure CLI at that cloud", () => {
    const hint =
      "the endpoint is in Azure Government: a developer sign-in must be to that cloud, e.g. `az cloud set --name AzureUSGovernment` then `az login` (the Azure CLI keeps its own cloud setting and does not read AZURE_AUTHORITY_HOST)";
    expect(azureEntraModule.detect({ AZURE_OPENAI_ENDPOINT: GOV }).reasons).toContain(hint);
    expect(
      azureEntraModule.detect({ AZURE_OPENAI_ENDPOINT: GOV, AZURE_TOKEN_CREDENTIALS: "AzureCliCredential" })
        .reasons,
    ).toContain(hint);
    expect(azureEntraModule.detect({ AZURE_OPENAI_ENDPOINT: GOV, ...MANAGED }).reasons).not.toContain(hint);
    expect(azureEntraModule.detect({ AZURE_OPENAI_ENDPOINT: "https://r.openai.azure.cn" }).reasons).toContain(
      "the endpoint is in Azure China (21Vianet): a developer sign-in must be to that cloud, e.g. `az cloud set --name AzureChinaCloud` then `az login` (the Azure CLI keeps its own cloud setting and does not read AZURE_AUTHORITY_HOST)",
    );
    expect(
      azureEntraModule.detect({ AZURE_OPENAI_ENDPOINT: "https://r.openai.azure.com" }).reasons.join(),
    ).not.toContain("az cloud set");
  });

  it("diagnose() carries the warning when the environment's service principal would answer", async () => {
    const source = seenByCredential(SP, () => new EntraIdProviderConfigSource({ resourceUrl: GOV, env: SP }));
    const d = await source.diagnose();
    expect(d.facts).toMatchObject({
      cloud: "Azure Government",
      scope: "https://cognitiveservices.azure.us/.default",
    });
    expect(d.warnings).toEqual([expect.stringContaining(GOV_FIX)]);
    expect(d.problems).toBeUndefined();
    source.dispose();
  });

  it("diagnose() goes by the credential that answered: EnvironmentCredential is warned about, managed identity is not", async () => {
    fake.answeredBy = "EnvironmentCredential";
    const sp = new EntraIdProviderConfigSource({ resourceUrl: GOV, env: {} });
    expect((await sp.diagnose()).warnings).toEqual([
      expect.stringContaining(
        `but EnvironmentCredential (the service principal of the AZURE_CLIENT_* variables) signs in at https://login.microsoftonline.com (AZURE_AUTHORITY_HOST is not set)`,
      ),
    ]);
    fake.answeredBy = "ManagedIdentityCredential";
    const mi = seenByCredential(SP, () => new EntraIdProviderConfigSource({ resourceUrl: GOV, env: SP }));
    const d = await mi.diagnose();
    expect(d.facts["answered by"]).toBe("ManagedIdentityCredential");
    expect(d.warnings).toBeUndefined();
    sp.dispose();
    mi.dispose();
  });

  it("diagnose() warns about the reverse too, and never for a credential given in code", async () => {
    const env = { ...WORKLOAD, AZURE_AUTHORITY_HOST: "https://login.chinacloudapi.cn" };
    const reverse = seenByCredential(
      env,
      () => new EntraIdProviderConfigSource({ resourceUrl: "https://r.openai.azure.com", env }),
    );
    expect((await reverse.diagnose()).warnings?.join()).toContain(
      "Azure China (21Vianet)'s authority, which does not know the Azure public cloud's tenants: unset AZURE_AUTHORITY_HOST",
    );
    const given = new EntraIdProviderConfigSource({
      resourceUrl: GOV,
      env: SP,
      credential: new ScriptedCredential([
        {
          token: makeJwt({
            aud: "https://cognitiveservices.azure.us",
            exp: Math.floor(Date.now() / 1000) + 3600,
          }),
          expiresInMs: 3_600_000,
        },
      ]),
    });
    expect((await given.diagnose()).warnings).toBeUndefined();
    reverse.dispose();
    given.dispose();
  });
});
