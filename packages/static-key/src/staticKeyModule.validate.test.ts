import "reflect-metadata";
import { rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import {
  CONFIGURATION_ERROR_CODE,
  ConfigurationError,
  CopilotSessionFactory,
  PROVIDER_CONFIG_SOURCE,
  registerCopilotByok,
} from "@copilot-byok/core";
import { createTempDir } from "@copilot-byok/test-utils/tempDir";
import type { CopilotClient } from "@github/copilot-sdk";
import { container, inject, injectable } from "tsyringe";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { staticKeyModule } from "./staticKeyModule.js";
import { CANARY_KEY } from "./test-support/canary.js";

// The README's promise for a missing key file, in the pattern the core README and examples/di-app teach: an
// @inject service resolved from a real tsyringe container. The ConfigurationError comes from
// registerCopilotByok (the module's validate reads the file once), so `instanceof ConfigurationError` catches
// it; at the first resolve tsyringe would wrap it in an Error of its own ("Cannot inject the dependency …").

const FOUNDRY = { AZURE_AI_FOUNDRY_RESOURCE_URL: "https://r.services.ai.azure.com" };
const client = {} as CopilotClient;

@injectable()
class ChatService {
  constructor(@inject(CopilotSessionFactory) readonly sessions: CopilotSessionFactory) {}
}

let temp: { path: string; remove(): Promise<void> };
beforeEach(async () => {
  temp = await createTempDir("sk-validate-");
});
afterEach(async () => {
  await temp.remove();
});

describe("staticKeyModule: a key file that cannot be used is a ConfigurationError of registerCopilotByok", () => {
  it("a missing key file: registerCopilotByok throws the ConfigurationError, nothing is registered", () => {
    const child = container.createChildContainer();
    const file = join(temp.path, "missing-key");
    let caught: unknown;
    try {
      registerCopilotByok(child, {
        env: { ...FOUNDRY, COPILOT_PROVIDER_API_KEY_FILE: file },
        modules: [staticKeyModule],
        client,
      });
      child.resolve(ChatService);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ConfigurationError);
    const error = caught as ConfigurationError;
    expect(error.code).toBe(CONFIGURATION_ERROR_CODE);
    expect(error.problems.join("\n")).toMatch(/COPILOT_PROVIDER_API_KEY_FILE/);
    expect(error.problems.join("\n")).toMatch(/does not exist|no such file|not found/i);
    expect(child.isRegistered(PROVIDER_CONFIG_SOURCE)).toBe(false);
  });

  it("an empty key file, or one holding no valid key: the same, without the content", async () => {
    const file = join(temp.path, "key");
    for (const content of ["", "x"]) {
      await writeFile(file, content);
      const child = container.createChildContainer();
      let caught: unknown;
      try {
        registerCopilotByok(child, {
          env: { ...FOUNDRY, COPILOT_PROVIDER_API_KEY_FILE: file },
          modules: [staticKeyModule],
          client,
        });
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(ConfigurationError);
      expect((caught as ConfigurationError).problems.join("\n")).toMatch(/COPILOT_PROVIDER_API_KEY_FILE/);
    }
  });

  it("a good key file: registered, and the @inject service resolves with the key", async () => {
    const file = join(temp.path, "key");
    await writeFile(file, CANARY_KEY);
    const child = container.createChildContainer();
    registerCopilotByok(child, {
      env: { ...FOUNDRY, COPILOT_PROVIDER_API_KEY_FILE: file },
      modules: [staticKeyModule],
      client,
    });
    const service = child.resolve(ChatService);
    expect(service.sessions).toBeInstanceOf(CopilotSessionFactory);
    const config = await child.resolve(PROVIDER_CONFIG_SOURCE).getProviderConfig();
    expect(config.apiKey).toBe(CANARY_KEY);
    await child.dispose();
  });

  it("the file gone between registration and the first resolve: tsyringe's wrapper, the ConfigurationError its cause", async () => {
    const file = join(temp.path, "key");
    await writeFile(file, CANARY_KEY);
    const child = container.createChildContainer();
    registerCopilotByok(child, {
      env: { ...FOUNDRY, COPILOT_PROVIDER_API_KEY_FILE: file },
      modules: [staticKeyModule],
      client,
    });
    await rm(file);
    let caught: unknown;
    try {
      child.resolve(ChatService);
    } catch (error) {
      caught = error;
    }
    // What the README says of this case: not a ConfigurationError itself.
    expect(caught).toBeInstanceOf(Error);
    expect(caught).not.toBeInstanceOf(ConfigurationError);
    expect((caught as Error).message).toMatch(/Cannot inject the dependency/);
    await child.dispose();
  });

  it("keys from a variable, or another mode chosen: validate reads no file", () => {
    expect(
      staticKeyModule.validate?.({ env: { ...FOUNDRY, COPILOT_PROVIDER_API_KEY: CANARY_KEY } } as never),
    ).toEqual([]);
    expect(staticKeyModule.validate?.({ env: { ...FOUNDRY } } as never)).toEqual([]);
  });
});
