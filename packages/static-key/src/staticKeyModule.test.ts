import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import {
  ConfigurationError,
  type Env,
  fingerprint,
  PROVIDER_CONFIG_SOURCE,
  type ProviderConfigSourceModule,
  registerCopilotByok,
  selectProviderConfigSource,
} from "@copilot-byok/core";
import { createCaptureLogger } from "@copilot-byok/test-utils/captureLogger";
import { createTempDir } from "@copilot-byok/test-utils/tempDir";
import { waitFor } from "@copilot-byok/test-utils/waitFor";
import type { CopilotClient } from "@github/copilot-sdk";
import { container } from "tsyringe";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { StaticKeyProviderConfigSource } from "./StaticKeyProviderConfigSource.js";
import { createStaticKeyModule, staticKeyModule } from "./staticKeyModule.js";
import { CANARY_KEY } from "./test-support/canary.js";
import { KEY_FILE_WAIT } from "./test-support/keyFileWait.js";

const FOUNDRY = { AZURE_AI_FOUNDRY_RESOURCE_URL: "https://r.services.ai.azure.com" };

/** Stands in for azure-entra: applicable everywhere, `signals` when managed identity variables are set. */
const identityModule: ProviderConfigSourceModule = {
  mode: "azure-entra",
  detect: (env) => ({
    applicable: true,
    strength: env.IDENTITY_ENDPOINT ? "signals" : "fallback",
    reasons: [],
    ...(env.IDENTITY_ENDPOINT ? { summary: "managed identity signals (IDENTITY_ENDPOINT)" } : {}),
  }),
  create: () => {
    throw new Error("not used");
  },
};

let temp: { path: string; remove(): Promise<void> };
beforeEach(async () => {
  temp = await createTempDir("static-key-");
});
afterEach(async () => {
  await temp.remove();
});

describe("staticKeyModule with selectProviderConfigSource", () => {
  it("wins in auto when a key is set, says which variable won and why, and names the other mode", () => {
    const env: Env = {
      ...FOUNDRY,
      AZURE_OPENAI_API_KEY: CANARY_KEY,
      COPILOT_PROVIDER_API_KEY_FILE: "/run/secrets/byok-key",
      IDENTITY_ENDPOINT: "http://127.0.0.1:1/msi",
    };
    const selection = selectProviderConfigSource(env, [staticKeyModule, identityModule]);
    expect(selection.mode).toBe("static-key");
    expect(selection.reasons).toEqual([
      "COPILOT_PROVIDER_AUTH not set (auto): chose static-key",
      "static key to be read from COPILOT_PROVIDER_API_KEY_FILE (a key file: /run/secrets/byok-key)",
      "COPILOT_PROVIDER_API_KEY_FILE wins over AZURE_OPENAI_API_KEY (precedence COPILOT_PROVIDER_API_KEY > COPILOT_PROVIDER_API_KEY_FILE > AZURE_OPENAI_API_KEY)",
      'the runtime sends the key in the "Authorization: Bearer" header (provider type openai, read before each request)',
      "also present: managed identity signals (IDENTITY_ENDPOINT): set COPILOT_PROVIDER_AUTH=azure-entra to use azure-entra instead",
      "base URL from AZURE_AI_FOUNDRY_RESOURCE_URL",
    ]);
    expect(JSON.stringify(selection)).not.toContain(CANARY_KEY);
  });

  it("is not chosen in auto without a key", () => {
    expect(selectProviderConfigSource(FOUNDRY, [staticKeyModule, identityModule]).mode).toBe("azure-entra");
  });

  it("when asked for without a key, lists what is missing", () => {
    try {
      selectProviderConfigSource({ COPILOT_PROVIDER_AUTH: "static-key" }, [staticKeyModule, identityModule]);
      throw new Error("expected a ConfigurationError");
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigurationError);
      expect((error as ConfigurationError).problems).toEqual([
        "no provider endpoint: set COPILOT_PROVIDER_BASE_URL, AZURE_AI_FOUNDRY_RESOURCE_URL, AZURE_OPENAI_ENDPOINT (in that precedence)",
        "no static key: set COPILOT_PROVIDER_API_KEY, COPILOT_PROVIDER_API_KEY_FILE, AZURE_OPENAI_API_KEY (in that precedence)",
      ]);
    }
  });
});

describe("staticKeyModule with registerCopilotByok", () => {
  it("registers the source, logs to the registration's logger, and is disposed with the container", async () => {
    const path = join(temp.path, "key");
    await writeFile(path, `${CANARY_KEY}\n`);
    const logger = createCaptureLogger();
    const app = container.createChildContainer();
    const selection = registerCopilotByok(app, {
      env: { ...FOUNDRY, COPILOT_PROVIDER_API_KEY_FILE: path, COPILOT_PROVIDER_TYPE: "azure" },
      modules: [createStaticKeyModule({ pollIntervalMs: 20 }), identityModule],
      client: {} as CopilotClient,
      logger,
    });
    expect(selection.mode).toBe("static-key");
    const source = app.resolve(PROVIDER_CONFIG_SOURCE);
    expect(source).toBeInstanceOf(StaticKeyProviderConfigSource);
    expect(source.describe()).toMatchObject({
      baseUrl: "https://r.services.ai.azure.com",
      keySource: `file:${path}`,
      pollIntervalMs: 20,
      fingerprint: fingerprint(CANARY_KEY),
    });

    await writeFile(path, "rotated-key-abcdef0123456789abcdef01\n");
    await waitFor(() => logger.messages("info").some((m) => m.startsWith("static key rotated")), {
      ...KEY_FILE_WAIT,
      what: "the rotation log",
    });

    await app.dispose();
    await expect(source.getProviderConfig()).rejects.toMatchObject({ code: "COPILOT_BYOK_DISPOSED" });
    expect(logger.text()).not.toContain(CANARY_KEY);
  });

  it("a module-level logger wins over the registration's", async () => {
    const moduleLogger = createCaptureLogger();
    const app = container.createChildContainer();
    registerCopilotByok(app, {
      env: { ...FOUNDRY, COPILOT_PROVIDER_API_KEY: "/run/secrets/byok-key" },
      modules: [createStaticKeyModule({ logger: moduleLogger })],
      client: {} as CopilotClient,
      logger: createCaptureLogger(),
    });
    app.resolve(PROVIDER_CONFIG_SOURCE);
    expect(moduleLogger.messages("warn").join()).toMatch(/looks like a file path/);
    await app.dispose();
  });
});
