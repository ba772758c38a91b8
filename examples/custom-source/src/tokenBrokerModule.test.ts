import "reflect-metadata";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { inspect } from "node:util";
import { azureEntraModule } from "@copilot-byok/azure-entra";
import { formatDoctorReport, main, runDoctor } from "@copilot-byok/cli";
import {
  ConfigurationError,
  CopilotSessionFactory,
  PROVIDER_CONFIG_SOURCE,
  registerCopilotByok,
  selectProviderConfigSource,
} from "@copilot-byok/core";
import { staticKeyModule } from "@copilot-byok/static-key";
import { type FoundryEmulator, startFoundryEmulator } from "@copilot-byok/testing";
import { approveAll } from "@github/copilot-sdk";
import { container } from "tsyringe";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTokenBroker, type TokenBroker } from "./startTokenBroker.js";
import { TOKEN_BROKER_URL, tokenBrokerModule } from "./tokenBrokerModule.js";

const MODULES = [staticKeyModule, tokenBrokerModule, azureEntraModule];
let broker: TokenBroker;
let foundry: FoundryEmulator;
let home: string;
let env: Record<string, string>;
beforeAll(async () => {
  broker = await startTokenBroker();
  foundry = await startFoundryEmulator({ apiKeys: () => broker.validTokens() });
  home = await mkdtemp(join(tmpdir(), "example-custom-"));
  env = {
    [TOKEN_BROKER_URL]: broker.url,
    AZURE_AI_FOUNDRY_RESOURCE_URL: foundry.resourceUrl,
    COPILOT_PROVIDER_MODEL_ID: "gpt-4.1",
  };
});
afterAll(async () => {
  await Promise.all([broker?.close(), foundry?.close()]);
  await rm(home, { recursive: true, force: true });
});

describe("a plug-in token broker source, written against @copilot-byok/core/plugin only", () => {
  it("is chosen by auto and by name, and explains itself", () => {
    const auto = selectProviderConfigSource(env, MODULES);
    expect(auto.mode).toBe("token-broker");
    expect(auto.reasons).toContain(`${TOKEN_BROKER_URL} is set: tokens come from that broker`);
    expect(selectProviderConfigSource({ ...env, COPILOT_PROVIDER_AUTH: "token-broker" }, MODULES).mode).toBe(
      "token-broker",
    );
    const { [TOKEN_BROKER_URL]: _url, ...withoutBroker } = env;
    expect(() =>
      selectProviderConfigSource({ ...withoutBroker, COPILOT_PROVIDER_AUTH: "token-broker" }, MODULES),
    ).toThrow(ConfigurationError);
  });

  it("serves sessions through the real runtime with one broker call for many sessions, never showing the token", async () => {
    const app = container.createChildContainer();
    try {
      registerCopilotByok(app, { env, modules: MODULES, clientOptions: { baseDirectory: home } });
      const sessions = app.resolve(CopilotSessionFactory);
      const started = await Promise.all(
        ["first", "second", "third"].map(() => sessions.createSession({ onPermissionRequest: approveAll })),
      );
      for (const [i, session] of started.entries()) {
        expect((await session.sendAndWait(`prompt ${i}`, 60_000))?.data.content).toContain(`prompt ${i}`);
        await session.disconnect();
      }
      expect(broker.issued).toHaveLength(1);
      const token = broker.issued[0]?.token as string;
      expect(foundry.requests.length).toBeGreaterThanOrEqual(3);
      expect(foundry.requests.every((r) => r.status === 200 && r.authKind === "bearer-key")).toBe(true);

      const source = app.resolve(PROVIDER_CONFIG_SOURCE);
      expect(source.describe()).toMatchObject({
        mode: "token-broker",
        broker: broker.url,
        credentialKind: "bearer",
        credentialState: "valid",
        expiresOn: new Date((broker.issued[0]?.expiresOn as number) * 1000).toISOString(),
      });
      const config = await source.getProviderConfig();
      expect(config).not.toHaveProperty("apiKey");
      expect(config).not.toHaveProperty("bearerToken");
      for (const shown of [
        inspect(source),
        JSON.stringify(source),
        inspect(config),
        JSON.stringify(source.describe()),
      ])
        expect(shown).not.toContain(token);
      const diagnostics = await source.diagnose?.();
      expect(diagnostics).toMatchObject({ credentialKind: "bearer", facts: { broker: broker.url } });
      expect(JSON.stringify(diagnostics)).not.toContain(token);
    } finally {
      await app.dispose();
    }
  }, 120_000);

  it("appears in the doctor with its own facts: from an app's code, and from the CLI with --module", async () => {
    const report = await runDoctor({ env, modules: MODULES });
    expect(report).toMatchObject({
      healthy: true,
      mode: "token-broker",
      credentialKind: "bearer",
      facts: { broker: broker.url, credentialKind: "bearer", credentialState: "valid" },
    });
    expect(report.modules).toContainEqual({
      mode: "token-broker",
      origin: "tokenBrokerModule from examples/custom-source",
    });
    const text = formatDoctorReport(report);
    expect(text).toContain("token-broker:");
    expect(text).toContain(`  broker: ${broker.url}`);

    const lines: string[] = [];
    const out = { line: (l: string) => void lines.push(l), error: (l: string) => void lines.push(l) };
    const here = dirname(fileURLToPath(import.meta.url));
    const code = await main(["doctor", "--json", "--module", "./tokenBrokerModule.ts"], {
      env,
      out,
      cwd: here,
    });
    expect(code).toBe(0);
    const json = JSON.parse(lines.join("\n"));
    expect(json).toMatchObject({ healthy: true, mode: "token-broker", facts: { broker: broker.url } });
    for (const issued of broker.issued) expect(lines.join("\n")).not.toContain(issued.token);
  }, 60_000);
});
