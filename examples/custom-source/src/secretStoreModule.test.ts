import "reflect-metadata";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { inspect } from "node:util";
import { azureEntraModule } from "@copilot-byok/azure-entra";
import { CopilotSessionFactory, PROVIDER_CONFIG_SOURCE, registerCopilotByok } from "@copilot-byok/core";
import { startAzureEmulators } from "@copilot-byok/testing";
import { approveAll } from "@github/copilot-sdk";
import { container } from "tsyringe";
import { expect, it } from "vitest";
import { type SecretStore, SecretStoreSource, secretStoreModule } from "./secretStoreModule.js";

it("a plug-in source chosen by the environment, reading the key from a store once", async () => {
  const key = "example-store-key-0123456789";
  const emulators = await startAzureEmulators({ apiKeys: [key] });
  const home = await mkdtemp(join(tmpdir(), "example-custom-"));
  const reads: string[] = [];
  const store: SecretStore = {
    name: "memory-store",
    getSecret: async (name) => {
      reads.push(name);
      return key;
    },
  };
  const app = container.createChildContainer();
  try {
    const selection = registerCopilotByok(app, {
      env: {
        AZURE_AI_FOUNDRY_RESOURCE_URL: emulators.foundry.resourceUrl,
        COPILOT_PROVIDER_MODEL_ID: "gpt-4.1",
        SECRET_STORE_KEY_NAME: "byok-key",
      },
      modules: [secretStoreModule(store), azureEntraModule],
      clientOptions: { baseDirectory: home },
    });
    expect(selection.mode).toBe("secret-store");
    const sessions = app.resolve(CopilotSessionFactory);
    for (const prompt of ["first", "second"]) {
      const session = await sessions.createSession({ onPermissionRequest: approveAll });
      expect((await session.sendAndWait(prompt, 60_000))?.data.content).toContain(prompt);
      await session.disconnect();
    }
    expect(reads).toEqual(["byok-key"]);
    const source = app.resolve(PROVIDER_CONFIG_SOURCE);
    expect(source).toBeInstanceOf(SecretStoreSource);
    expect(inspect(source)).not.toContain(key);
    expect(JSON.stringify(source)).not.toContain(key);
  } finally {
    await app.dispose();
    await emulators.close();
    await rm(home, { recursive: true, force: true });
  }
}, 90_000);
