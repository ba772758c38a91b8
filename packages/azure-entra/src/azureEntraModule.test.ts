import "reflect-metadata";
import {
  API_KEY_VARIABLES,
  ConfigurationError,
  type Env,
  PROVIDER_CONFIG_SOURCE,
  type ProviderConfigSourceModule,
  registerCopilotByok,
  type Selection,
  selectProviderConfigSource,
} from "@copilot-byok/core";
import { isSet, NO_ENDPOINT_PROBLEM, readProviderEnv } from "@copilot-byok/core/plugin";
import { ScriptedCredential } from "@copilot-byok/test-utils/ScriptedCredential";
import { tokenOf } from "@copilot-byok/test-utils/tokenOf";
import { setIdentityEnv } from "@copilot-byok/testing";
import { container } from "tsyringe";
import { describe, expect, expectTypeOf, it } from "vitest";
import { azureEntraModule, createAzureEntraModule } from "./azureEntraModule.js";
import { EntraIdProviderConfigSource } from "./EntraIdProviderConfigSource.js";
import { CANARY_TOKEN } from "./test-support/canary.js";
import { seenByCredential } from "./test-support/seenByCredential.js";

const FOUNDRY = "https://my-resource.services.ai.azure.com";
const CLIENT_ID = "3f2a1b0c-9d8e-4f7a-8b6c-5d4e3f2a1b0c";
const HOUR = 3_600_000;

/** A stand-in for the static-key module's detection, for selection tests. */
const keyModule: ProviderConfigSourceModule = {
  mode: "static-key",
  detect: (env) => {
    const found = API_KEY_VARIABLES.find((n) => isSet(env, n));
    return {
      applicable: found !== undefined,
      strength: "explicit",
      reasons: found ? [`static key found in ${found}`] : [],
      ...(found ? { summary: `a static key (${found})` } : {}),
    };
  },
  create: () => {
    throw new Error("not used");
  },
};

const SELECTION: Selection = { mode: "azure-entra", reasons: [], module: azureEntraModule };

describe("azureEntraModule.detect", () => {
  it("falls back to DefaultAzureCredential's developer credentials without identity signals", () => {
    const detection = azureEntraModule.detect({ AZURE_AI_FOUNDRY_RESOURCE_URL: FOUNDRY });
    expect(detection).toMatchObject({ applicable: true, strength: "fallback", problems: [] });
    expect(detection.summary).toBeUndefined();
    expect(detection.reasons.join("\n")).toContain(
      "DefaultAzureCredential will try developer credentials (Azure CLI, azd, VS Code)",
    );
    expect(detection.reasons).toContain(
      "token scope https://cognitiveservices.azure.com/.default (the default for Azure AI Foundry (*.services.ai.azure.com) in the Azure public cloud; set COPILOT_PROVIDER_TOKEN_SCOPE to change it)",
    );
  });

  it("names each identity signal and what it means", () => {
    const cases: [Env, string][] = [
      [
        { IDENTITY_ENDPOINT: "http://127.0.0.1:1/msi", IDENTITY_HEADER: "h" },
        "IDENTITY_ENDPOINT is set: App Service / Functions",
      ],
      [
        { MSI_ENDPOINT: "http://127.0.0.1:1/msi" },
        "MSI_ENDPOINT is set: managed identity of an older App Service or of Cloud Shell",
      ],
      [
        { AZURE_FEDERATED_TOKEN_FILE: "/var/run/token", AZURE_CLIENT_ID: CLIENT_ID, AZURE_TENANT_ID: "t" },
        "AZURE_FEDERATED_TOKEN_FILE is set: AKS workload identity, through WorkloadIdentityCredential",
      ],
      [
        { AZURE_CLIENT_SECRET: CANARY_TOKEN, AZURE_CLIENT_ID: CLIENT_ID, AZURE_TENANT_ID: "t" },
        "AZURE_CLIENT_SECRET is set (value not shown): a service principal, through EnvironmentCredential",
      ],
      [{ AZURE_CLIENT_CERTIFICATE_PATH: "/cert.pem" }, "a service principal with a certificate"],
      [{ AZURE_POD_IDENTITY_AUTHORITY_HOST: "http://127.0.0.1:2" }, "AKS pod identity"],
      [
        { AZURE_CLIENT_ID: CLIENT_ID },
        `AZURE_CLIENT_ID=${CLIENT_ID}: the user-assigned managed identity to use`,
      ],
    ];
    for (const [signals, expected] of cases) {
      const detection = azureEntraModule.detect({ ...signals, AZURE_AI_FOUNDRY_RESOURCE_URL: FOUNDRY });
      expect(detection.strength, expected).toBe("signals");
      expect(detection.reasons.join("\n")).toContain(expected);
      expect(detection.summary).toMatch(/^managed identity signals \(/);
      expect(JSON.stringify(detection)).not.toContain(CANARY_TOKEN);
    }
  });

  it("says what a signal still lacks, and lists every signal in the summary", () => {
    const env = {
      IDENTITY_ENDPOINT: "http://127.0.0.1:1/msi",
      AZURE_FEDERATED_TOKEN_FILE: "/var/run/token",
      AZURE_CLIENT_ID: "not a guid but long enough to hide",
    };
    const detection = seenByCredential(env, () => azureEntraModule.detect(env));
    expect(detection.summary).toBe(
      "managed identity signals (IDENTITY_ENDPOINT, AZURE_FEDERATED_TOKEN_FILE, AZURE_CLIENT_ID)",
    );
    const text = detection.reasons.join("\n");
    expect(text).toContain("it also needs IDENTITY_HEADER, not set");
    expect(text).toContain("it also needs AZURE_TENANT_ID, not set");
    expect(text).toContain("AZURE_CLIENT_ID=a value of 34 characters (not shown)");
    expect(text).not.toContain("developer credentials");
    expect(detection.problems).toEqual([NO_ENDPOINT_PROBLEM]);
  });

  it("explains AZURE_TOKEN_CREDENTIALS, and reports a value DefaultAzureCredential refuses", () => {
    const okEnv = {
      AZURE_TOKEN_CREDENTIALS: " managedidentitycredential ",
      COPILOT_PROVIDER_BASE_URL: FOUNDRY,
    };
    const ok = seenByCredential(okEnv, () => azureEntraModule.detect(okEnv));
    expect(ok.reasons.join("\n")).toContain(
      "AZURE_TOKEN_CREDENTIALS=ManagedIdentityCredential restricts DefaultAzureCredential's chain to ManagedIdentityCredential only",
    );
    expect(ok.problems).toEqual([]);
    expect(azureEntraModule.detect({ AZURE_TOKEN_CREDENTIALS: "dev" }).reasons.join("\n")).toContain(
      "developer credentials only",
    );

    const badEnv = { AZURE_TOKEN_CREDENTIALS: "production", COPILOT_PROVIDER_BASE_URL: FOUNDRY };
    const bad = seenByCredential(badEnv, () => azureEntraModule.detect(badEnv));
    expect(bad.problems).toEqual([
      'AZURE_TOKEN_CREDENTIALS has "production", which DefaultAzureCredential does not accept: use one of dev, prod, EnvironmentCredential, WorkloadIdentityCredential, ManagedIdentityCredential, VisualStudioCodeCredential, AzureCliCredential, AzurePowerShellCredential, AzureDeveloperCliCredential (case-insensitive), or unset it',
    ]);
    const hidden = azureEntraModule.detect({ AZURE_TOKEN_CREDENTIALS: CANARY_TOKEN.repeat(2) });
    expect(JSON.stringify(hidden)).not.toContain(CANARY_TOKEN);
    // A credential given to the module makes AZURE_TOKEN_CREDENTIALS irrelevant.
    const given = createAzureEntraModule({ credential: new ScriptedCredential() });
    expect(given.detect({ AZURE_TOKEN_CREDENTIALS: "production" }).problems).toEqual([NO_ENDPOINT_PROBLEM]);
  });

  it("notes the scope from COPILOT_PROVIDER_TOKEN_SCOPE and an unused key", () => {
    const detection = azureEntraModule.detect({
      COPILOT_PROVIDER_TOKEN_SCOPE: "https://ai.azure.com/.default",
      COPILOT_PROVIDER_API_KEY: CANARY_TOKEN,
    });
    expect(detection.reasons).toContain(
      "token scope https://ai.azure.com/.default (from COPILOT_PROVIDER_TOKEN_SCOPE)",
    );
    expect(detection.reasons).toContain("COPILOT_PROVIDER_API_KEY is set but not used in azure-entra mode");
    expect(JSON.stringify(detection)).not.toContain(CANARY_TOKEN);
  });

  it("chooses by the env record, not by process.env (which it only compares against)", () => {
    const saved = process.env.IDENTITY_ENDPOINT;
    process.env.IDENTITY_ENDPOINT = "http://127.0.0.1:1/msi";
    try {
      expect(azureEntraModule.detect({}).strength).toBe("fallback");
    } finally {
      if (saved === undefined) delete process.env.IDENTITY_ENDPOINT;
      else process.env.IDENTITY_ENDPOINT = saved;
    }
  });

  it("plays with core's selection: fallback without a key, named as an alternative beside one", () => {
    const entraEnv = {
      AZURE_AI_FOUNDRY_RESOURCE_URL: FOUNDRY,
      IDENTITY_ENDPOINT: "http://127.0.0.1:1/msi",
      IDENTITY_HEADER: "h",
    };
    const entra = seenByCredential(entraEnv, () =>
      selectProviderConfigSource(entraEnv, [keyModule, azureEntraModule]),
    );
    expect(entra.mode).toBe("azure-entra");
    expect(entra.reasons.join("\n")).toContain("IDENTITY_ENDPOINT is set: App Service / Functions");

    const key = selectProviderConfigSource(
      {
        AZURE_AI_FOUNDRY_RESOURCE_URL: FOUNDRY,
        COPILOT_PROVIDER_API_KEY: CANARY_TOKEN,
        IDENTITY_ENDPOINT: "http://127.0.0.1:1/msi",
      },
      [keyModule, azureEntraModule],
    );
    expect(key.mode).toBe("static-key");
    expect(key.reasons).toContain(
      "also present: managed identity signals (IDENTITY_ENDPOINT): set COPILOT_PROVIDER_AUTH=azure-entra to use azure-entra instead",
    );

    let error: unknown;
    try {
      const env = { COPILOT_PROVIDER_AUTH: "azure-entra", AZURE_TOKEN_CREDENTIALS: "nope" };
      seenByCredential(env, () => selectProviderConfigSource(env, [azureEntraModule]));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigurationError);
    expect((error as ConfigurationError).problems).toEqual([
      NO_ENDPOINT_PROBLEM,
      expect.stringContaining('AZURE_TOKEN_CREDENTIALS has "nope"'),
    ]);
  });
});

describe("azureEntraModule.create", () => {
  it("builds the source from the environment", () => {
    const env: Env = {
      AZURE_AI_FOUNDRY_RESOURCE_URL: FOUNDRY,
      COPILOT_PROVIDER_MODEL_ID: "gpt-4.1",
      COPILOT_PROVIDER_WIRE_MODEL: "gpt-4-1-deployment",
      COPILOT_PROVIDER_TOKEN_SCOPE: "https://ai.azure.com/.default",
    };
    const source = azureEntraModule.create({ env, selection: SELECTION });
    expect(source).toBeInstanceOf(EntraIdProviderConfigSource);
    expect(source.describe()).toMatchObject({
      mode: "azure-entra",
      baseUrl: `${FOUNDRY}/openai/v1/`,
      scope: "https://ai.azure.com/.default",
      credential: "DefaultAzureCredential",
      type: "openai",
      wireApi: "responses",
      modelId: "gpt-4.1",
      wireModel: "gpt-4-1-deployment",
      refreshWindowMs: 300_000,
      timeoutMs: 30_000,
      tokenState: "empty",
    });
  });

  it("refuses an environment without an endpoint or with bad values, listing every problem", () => {
    const env: Env = { COPILOT_PROVIDER_TYPE: "bedrock", AZURE_TOKEN_CREDENTIALS: "nope" };
    let error: unknown;
    try {
      azureEntraModule.create({ env, selection: SELECTION });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigurationError);
    expect((error as ConfigurationError).problems).toEqual([
      ...readProviderEnv(env).problems,
      NO_ENDPOINT_PROBLEM,
      expect.stringContaining("AZURE_TOKEN_CREDENTIALS"),
    ]);
  });

  it("takes the module's credential, then DefaultAzureCredential", async () => {
    const env: Env = { AZURE_AI_FOUNDRY_RESOURCE_URL: FOUNDRY };
    const moduleCredential = new ScriptedCredential([{ token: "from-module", expiresInMs: HOUR }]);
    const module = createAzureEntraModule({
      credential: moduleCredential,
      credentialName: "ModuleCredential",
    });

    const fromModule = module.create({ env, selection: SELECTION });
    expect(await tokenOf(await fromModule.getProviderConfig())).toBe("from-module");
    expect(fromModule.describe().credential).toBe("ModuleCredential");

    // The same module, registered in a child container through registerCopilotByok.
    const parent = container.createChildContainer();
    const child = parent.createChildContainer();
    registerCopilotByok(child, { env, modules: [module] });
    const fromChild = child.resolve(PROVIDER_CONFIG_SOURCE);
    expect(fromChild).toBeInstanceOf(EntraIdProviderConfigSource);
    expect(await tokenOf(await fromChild.getProviderConfig())).toBe("from-module");
    expect(fromChild.describe().credential).toBe("ModuleCredential");
    await child.dispose();
    await parent.dispose();

    expect(azureEntraModule.create({ env, selection: SELECTION }).describe().credential).toBe(
      "DefaultAzureCredential",
    );
  });

  it("works through registerCopilotByok: selected, created on resolve, logs through the context, disposed with the container", async () => {
    const logs: string[] = [];
    const record = (level: string) => (message: string, details?: unknown) =>
      logs.push(`${level} ${message} ${JSON.stringify(details)}`);
    const logger = {
      debug: record("debug"),
      info: record("info"),
      warn: record("warn"),
      error: record("error"),
    };
    const scoped = container.createChildContainer();
    const module = createAzureEntraModule({
      credential: new ScriptedCredential([{ token: CANARY_TOKEN, expiresInMs: HOUR }]),
    });
    const selection = registerCopilotByok(scoped, {
      env: {
        AZURE_AI_FOUNDRY_RESOURCE_URL: FOUNDRY,
        AZURE_CLIENT_ID: CLIENT_ID,
        COPILOT_PROVIDER_MODEL_ID: "gpt-4.1",
      },
      modules: [keyModule, module],
      logger,
    });
    expect(selection.mode).toBe("azure-entra");
    expect(selection.reasons.join("\n")).toContain(`AZURE_CLIENT_ID=${CLIENT_ID}`);

    const source = scoped.resolve(PROVIDER_CONFIG_SOURCE);
    expect(source).toBeInstanceOf(EntraIdProviderConfigSource);
    const config = await source.getProviderConfig();
    expect(config).toMatchObject({
      baseUrl: `${FOUNDRY}/openai/v1/`,
      modelId: "gpt-4.1",
    });
    expect(config).not.toHaveProperty("bearerToken");
    expect(await tokenOf(config)).toBe(CANARY_TOKEN);
    expect(logs.some((l) => l.includes("azure-entra source created"))).toBe(true);
    expect(logs.some((l) => l.includes("obtained from ScriptedCredential"))).toBe(true);
    expect(logs.join("\n")).not.toContain(CANARY_TOKEN);

    await scoped.dispose();
    await expect(source.getProviderConfig()).rejects.toMatchObject({ code: "COPILOT_BYOK_DISPOSED" });
  });
});

describe("an env whose credential variables DefaultAzureCredential cannot see", () => {
  const HEADER = "canary-identity-header-0b7e2d";
  const MANAGED = { IDENTITY_ENDPOINT: "http://127.0.0.1:1/msi", IDENTITY_HEADER: HEADER };
  const env = { AZURE_AI_FOUNDRY_RESOURCE_URL: FOUNDRY, ...MANAGED };

  function problemsOf(run: () => unknown): readonly string[] {
    try {
      run();
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigurationError);
      expect(JSON.stringify({ ...(error as Error), message: (error as Error).message })).not.toContain(
        HEADER,
      );
      return (error as ConfigurationError).problems;
    }
    throw new Error("expected a ConfigurationError");
  }

  it("is refused by registerCopilotByok, naming the variables, never their values", () => {
    const app = container.createChildContainer();
    const problems = seenByCredential({}, () =>
      problemsOf(() => registerCopilotByok(app, { env, modules: [azureEntraModule] })),
    );
    expect(problems).toEqual([
      "DefaultAzureCredential reads process.env, not the env given to copilot-byok: IDENTITY_ENDPOINT, IDENTITY_HEADER are set in env but not in process.env; set them in the process environment (where the credential sees them), or pass a credential (createAzureEntraModule({ credential }), or the credential option of EntraIdProviderConfigSource)",
    ]);
    expect(app.isRegistered(PROVIDER_CONFIG_SOURCE)).toBe(false);
  });

  it("names a variable whose value differs, and refuses a source built with that env", () => {
    const other = { ...env, AZURE_CLIENT_ID: CLIENT_ID };
    const seen = { ...env, AZURE_CLIENT_ID: "0a1b2c3d-0000-4000-8000-000000000000" };
    const problems = seenByCredential(seen, () =>
      problemsOf(() => new EntraIdProviderConfigSource({ resourceUrl: FOUNDRY, env: other })),
    );
    expect(problems).toEqual([
      expect.stringContaining(
        "AZURE_CLIENT_ID has another value in process.env (values not shown); set it in the process environment",
      ),
    ]);
    expect(problems[0]).not.toContain(CLIENT_ID);
  });

  it("is accepted where process.env holds the same values, by default (a snapshot of process.env), or with a credential given", () => {
    const app = container.createChildContainer();
    const same = seenByCredential(env, () =>
      selectProviderConfigSource({ ...env, IDENTITY_HEADER: ` ${HEADER} ` }, [azureEntraModule]),
    );
    expect(same.reasons.join("\n")).toContain("IDENTITY_ENDPOINT is set: App Service / Functions");
    const restore = setIdentityEnv(env); // the endpoint too: registerCopilotByok snapshots process.env
    try {
      expect(registerCopilotByok(app, { modules: [createAzureEntraModule()] }).mode).toBe("azure-entra");
    } finally {
      restore();
    }
    const given = createAzureEntraModule({ credential: new ScriptedCredential([]) });
    expect(seenByCredential({}, () => selectProviderConfigSource(env, [given])).mode).toBe("azure-entra");
    expect(
      seenByCredential({}, () =>
        given.create({ env, selection: { mode: "azure-entra", reasons: [], module: given } }),
      ),
    ).toBeInstanceOf(EntraIdProviderConfigSource);
  });
});

describe("the selection's mode type", () => {
  it("is the literal mode of the modules given, string for modules typed loosely", () => {
    const entra = seenByCredential({}, () =>
      selectProviderConfigSource({ AZURE_AI_FOUNDRY_RESOURCE_URL: FOUNDRY }, [azureEntraModule]),
    );
    expectTypeOf(entra.mode).toEqualTypeOf<"azure-entra">();
    expectTypeOf(azureEntraModule.mode).toEqualTypeOf<"azure-entra">();
    expectTypeOf(createAzureEntraModule().mode).toEqualTypeOf<"azure-entra">();
    expect(entra.mode).toBe("azure-entra");

    const loose = selectProviderConfigSource({ AZURE_AI_FOUNDRY_RESOURCE_URL: FOUNDRY }, [
      keyModule,
      azureEntraModule,
    ]);
    expectTypeOf(loose.mode).toEqualTypeOf<string>();
    expect(loose.mode).toBe("azure-entra");
  });
});
