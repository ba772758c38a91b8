import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { tokenOf } from "@copilot-byok/test-utils/tokenOf";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

const HOUR = 3_600_000;
const FOUNDRY = "https://my-resource.services.ai.azure.com";

/** Accounting of `@azure/identity` loads, through a mock that stands in for it. */
const identity = vi.hoisted(() => ({
  loads: 0,
  constructed: [] as unknown[],
  managedIdentity: [] as unknown[][],
  failConstruction: 0,
}));

beforeEach(() => {
  identity.loads = 0;
  identity.constructed = [];
  identity.managedIdentity = [];
  identity.failConstruction = 0;
  vi.resetModules();
  vi.doMock("@azure/identity", () => {
    identity.loads += 1;
    class DefaultAzureCredential {
      constructor(options: unknown) {
        if (identity.failConstruction > 0) {
          identity.failConstruction -= 1;
          throw new Error("DefaultAzureCredential could not start");
        }
        identity.constructed.push(options);
      }
      async getToken() {
        return { token: "from-default-credential", expiresOnTimestamp: Date.now() + HOUR };
      }
    }
    class ManagedIdentityCredential {
      constructor(...args: unknown[]) {
        identity.managedIdentity.push(args);
      }
      async getToken() {
        return { token: "from-managed-identity", expiresOnTimestamp: Date.now() + HOUR };
      }
    }
    class ChainedTokenCredential {
      readonly sources: { getToken(): Promise<unknown> }[];
      constructor(...sources: { getToken(): Promise<unknown> }[]) {
        this.sources = sources;
      }
      async getToken() {
        return this.sources[0]?.getToken();
      }
    }
    return { DefaultAzureCredential, ManagedIdentityCredential, ChainedTokenCredential };
  });
});

afterEach(() => {
  vi.doUnmock("@azure/identity");
  for (const name of [
    "AZURE_TOKEN_CREDENTIALS",
    "AZURE_CLIENT_ID",
    "AZURE_FEDERATED_TOKEN_FILE",
    "AZURE_TENANT_ID",
  ]) {
    delete process.env[name];
  }
});

describe("loading @azure/identity lazily", () => {
  it("never loads it for a source with a credential of its own, nor for creating a default one", async () => {
    const entry = await import("./index.js");
    const withCredential = new entry.EntraIdProviderConfigSource({
      resourceUrl: FOUNDRY,
      credential: { getToken: async () => ({ token: "t", expiresOnTimestamp: Date.now() + HOUR }) },
    });
    expect(await tokenOf(await withCredential.getProviderConfig())).toBe("t");
    const withDefault = new entry.EntraIdProviderConfigSource({ resourceUrl: FOUNDRY });
    expect(withDefault.describe().credential).toBe("DefaultAzureCredential");
    entry.azureEntraModule.detect({ IDENTITY_ENDPOINT: "http://127.0.0.1:1/msi" });
    expect(identity.loads).toBe(0);
  });

  it("loads it and creates DefaultAzureCredential once, on the first token request", async () => {
    const { EntraIdProviderConfigSource } = await import("./index.js");
    const source = new EntraIdProviderConfigSource({
      resourceUrl: FOUNDRY,
      defaultCredentialOptions: { managedIdentityClientId: "client-id" },
    });
    expect(identity.loads).toBe(0);
    const configs = await Promise.all([source.getProviderConfig(), source.getProviderConfig()]);
    expect(await Promise.all(configs.map(tokenOf))).toEqual([
      "from-default-credential",
      "from-default-credential",
    ]);
    expect(identity.loads).toBe(1);
    expect(identity.constructed).toEqual([{ managedIdentityClientId: "client-id" }]);
  });

  it("reports a construction failure as a token error and tries again at the next call", async () => {
    const { createLazyDefaultAzureCredential } = await import("./createLazyDefaultAzureCredential.js");
    const { TokenCache } = await import("./TokenCache.js");
    const { TokenAcquisitionError } = await import("@copilot-byok/core"); // the instance the reset modules use
    identity.failConstruction = 1;
    const cache = new TokenCache({ credential: createLazyDefaultAzureCredential() });
    const error = await cache
      .getToken("https://cognitiveservices.azure.com/.default")
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TokenAcquisitionError);
    expect((error as Error).message).toContain("DefaultAzureCredential could not get a token");
    expect((error as Error).message).toContain("DefaultAzureCredential could not start");
    expect(await cache.getToken("https://cognitiveservices.azure.com/.default")).toBe(
      "from-default-credential",
    );
  });

  it("checks AZURE_TOKEN_CREDENTIALS itself before DefaultAzureCredential echoes a bad value", async () => {
    const { createLazyDefaultAzureCredential } = await import("./createLazyDefaultAzureCredential.js");
    const { ConfigurationError } = await import("@copilot-byok/core");
    process.env.AZURE_TOKEN_CREDENTIALS = "a-secret-looking-value-0123456789";
    const credential = createLazyDefaultAzureCredential();
    const error = await credential.getToken("s").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigurationError);
    expect((error as Error).message).toContain(
      "AZURE_TOKEN_CREDENTIALS has a value of 33 characters (not shown)",
    );
    expect(identity.loads).toBe(0);
    expect(credential.credentialName).toBe("DefaultAzureCredential");
  });
});

describe("AZURE_TOKEN_CREDENTIALS=ManagedIdentityCredential", () => {
  // @azure/identity 4.13.1's DefaultAzureCredential drops all of its options in this mode: the library builds
  // the ManagedIdentityCredential itself, as DefaultAzureCredential's chain would, with the options given.
  const RETRY = { maxRetries: 5, retryDelayInMs: 800 };

  it("passes a user-assigned client id given in code to ManagedIdentityCredential", async () => {
    const { EntraIdProviderConfigSource } = await import("./index.js");
    process.env.AZURE_TOKEN_CREDENTIALS = " managedidentitycredential ";
    const source = new EntraIdProviderConfigSource({
      resourceUrl: FOUNDRY,
      defaultCredentialOptions: { managedIdentityClientId: "client-id" },
    });
    expect(await tokenOf(await source.getProviderConfig())).toBe("from-managed-identity");
    source.dispose();
    expect(identity.constructed).toEqual([]);
    expect(identity.managedIdentity).toEqual([[{ clientId: "client-id", retryOptions: RETRY }]]);
    expect(source.describe().credential).toBe("DefaultAzureCredential");
  });

  it("passes a resource id, keeps retryOptions given, and falls back to AZURE_CLIENT_ID", async () => {
    const { createLazyDefaultAzureCredential } = await import("./createLazyDefaultAzureCredential.js");
    process.env.AZURE_TOKEN_CREDENTIALS = "ManagedIdentityCredential";
    process.env.AZURE_CLIENT_ID = "from-env";
    const retryOptions = { maxRetries: 1 };
    await createLazyDefaultAzureCredential({
      managedIdentityResourceId: "/subscriptions/x/id",
      retryOptions,
    }).getToken("s");
    await createLazyDefaultAzureCredential().getToken("s");
    expect(identity.managedIdentity).toEqual([
      [{ resourceId: "/subscriptions/x/id", retryOptions }],
      [{ clientId: "from-env", retryOptions: RETRY }],
    ]);
  });

  it("uses workload identity when AZURE_FEDERATED_TOKEN_FILE is set, and system-assigned without any id", async () => {
    const { createLazyDefaultAzureCredential } = await import("./createLazyDefaultAzureCredential.js");
    process.env.AZURE_TOKEN_CREDENTIALS = "ManagedIdentityCredential";
    await createLazyDefaultAzureCredential().getToken("s");
    process.env.AZURE_FEDERATED_TOKEN_FILE = "/var/run/token";
    process.env.AZURE_TENANT_ID = "tenant";
    await createLazyDefaultAzureCredential({ workloadIdentityClientId: "workload" }).getToken("s");
    expect(identity.managedIdentity).toEqual([
      [{ retryOptions: RETRY }],
      ["workload", { retryOptions: RETRY, tenantId: "tenant" }],
    ]);
  });

  it("refuses missing requiredEnvVars with a ConfigurationError, as DefaultAzureCredential would refuse", async () => {
    const { createLazyDefaultAzureCredential } = await import("./createLazyDefaultAzureCredential.js");
    const { ConfigurationError } = await import("@copilot-byok/core");
    process.env.AZURE_TOKEN_CREDENTIALS = "ManagedIdentityCredential";
    const error = await createLazyDefaultAzureCredential({ requiredEnvVars: "AZURE_CLIENT_ID" })
      .getToken("s")
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigurationError);
    expect((error as Error).message).toContain("AZURE_CLIENT_ID");
    expect(identity.managedIdentity).toEqual([]);
  });

  it("leaves other AZURE_TOKEN_CREDENTIALS values to DefaultAzureCredential", async () => {
    const { createLazyDefaultAzureCredential } = await import("./createLazyDefaultAzureCredential.js");
    process.env.AZURE_TOKEN_CREDENTIALS = "prod";
    await createLazyDefaultAzureCredential({ managedIdentityClientId: "client-id" }).getToken("s");
    expect(identity.constructed).toEqual([{ managedIdentityClientId: "client-id" }]);
    expect(identity.managedIdentity).toEqual([]);
  });
});

/** The built package (after `tsc -b packages/azure-entra` and the CommonJS build), checked in a separate process. */
const packageDir = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const esmEntry = join(packageDir, "dist", "esm", "index.js");
const cjsEntry = join(packageDir, "dist", "cjs", "index.js");

describe.skipIf(!existsSync(esmEntry))("loading @azure/identity lazily, in the built package", () => {
  it("ESM: importing the entry and using an injected credential does not load @azure/identity", () => {
    const dir = mkdtempSync(join(tmpdir(), "azure-entra-lazy-"));
    try {
      const marker = join(dir, "loaded.txt");
      const hooks = join(dir, "hooks.mjs");
      writeFileSync(
        hooks,
        `import { appendFileSync } from "node:fs";
export async function resolve(specifier, context, next) {
  if (specifier === "@azure/identity" || specifier.startsWith("@azure/identity/")) appendFileSync(${JSON.stringify(marker)}, specifier + "\\n");
  return next(specifier, context);
}`,
      );
      const register = join(dir, "register.mjs");
      writeFileSync(
        register,
        `import { register } from "node:module";\nregister(${JSON.stringify(pathToFileURL(hooks).href)});\n`,
      );
      const script = `
const { EntraIdProviderConfigSource } = await import(${JSON.stringify(pathToFileURL(esmEntry).href)});
const source = new EntraIdProviderConfigSource({
  resourceUrl: "${FOUNDRY}",
  credential: { getToken: async () => ({ token: "t", expiresOnTimestamp: Date.now() + 3600000 }) },
});
const config = await source.getProviderConfig();
const token = await config.bearerTokenProvider({ providerName: "default", sessionId: "t" });
source.dispose();
if (token !== "t") process.exit(3);
`;
      const run = spawnSync(
        process.execPath,
        ["--import", pathToFileURL(register).href, "--input-type=module", "-e", script],
        {
          cwd: packageDir,
          encoding: "utf8",
          timeout: 20_000,
        },
      );
      expect(run.stderr).toBe("");
      expect(run.status).toBe(0);
      expect(existsSync(marker) ? readFileSync(marker, "utf8") : "").toBe("");

      // The control: the hook does see @azure/identity when the default credential is used.
      const control = `
const { EntraIdProviderConfigSource } = await import(${JSON.stringify(pathToFileURL(esmEntry).href)});
const source = new EntraIdProviderConfigSource({ resourceUrl: "${FOUNDRY}", timeoutMs: 500 });
// A closed port on 127.0.0.1, and nothing but managed identity: no other host is ever asked.
Object.assign(process.env, { AZURE_TOKEN_CREDENTIALS: "ManagedIdentityCredential", IDENTITY_ENDPOINT: "http://127.0.0.1:9/msi/token", IDENTITY_HEADER: "h" });
await source.getProviderConfig().catch(() => {});
source.dispose();
process.exit(0);
`;
      const controlRun = spawnSync(
        process.execPath,
        ["--import", pathToFileURL(register).href, "--input-type=module", "-e", control],
        { cwd: packageDir, encoding: "utf8", timeout: 20_000 },
      );
      expect(controlRun.status).toBe(0);
      expect(readFileSync(marker, "utf8")).toContain("@azure/identity");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it.skipIf(!existsSync(cjsEntry))(
    "CommonJS: requiring the entry and using an injected credential does not load @azure/identity",
    () => {
      const script = `
const { EntraIdProviderConfigSource } = require(${JSON.stringify(cjsEntry)});
const source = new EntraIdProviderConfigSource({
  resourceUrl: "${FOUNDRY}",
  credential: { getToken: async () => ({ token: "t", expiresOnTimestamp: Date.now() + 3600000 }) },
});
source.getProviderConfig().then(async (config) => {
  const token = await config.bearerTokenProvider({ providerName: "default", sessionId: "t" });
  source.dispose();
  const loaded = Object.keys(require.cache).filter((k) => k.includes("@azure+identity") || k.includes("@azure/identity"));
  process.stdout.write(JSON.stringify({ token, loaded }));
});
`;
      const run = spawnSync(process.execPath, ["-e", script], {
        cwd: packageDir,
        encoding: "utf8",
        timeout: 20_000,
      });
      expect(run.stderr).toBe("");
      expect(JSON.parse(run.stdout)).toEqual({ token: "t", loaded: [] });
    },
  );
});
