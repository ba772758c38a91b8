// The consumer scenario, shared by consumer.mjs and consumer.cjs: each loads the packages through its own
// module system (import / require) and hands them in, so both entry points are exercised by the same code.
const { mkdtemp, rm } = require("node:fs/promises");
const { tmpdir } = require("node:os");
const { join } = require("node:path");

/** One session per mode against the emulators; returns the number of failures. */
async function runScenario(api, flavour) {
  const { azureEntraModule, CopilotSessionFactory, registerCopilotByok, staticKeyModule } = api;
  const { startAzureEmulators, approveAll, CopilotClient, container, plugin } = api;
  const KEY = "consumer-smoke-key-0123456789";
  const emulators = await startAzureEmulators({ apiKeys: [KEY] });
  Object.assign(process.env, emulators.identity.env("app-service"));
  const home = await mkdtemp(join(tmpdir(), `consumer-${flavour}-`));
  const client = new CopilotClient({ useLoggedInUser: false, baseDirectory: home, logLevel: "none" });
  let failures = 0;
  try {
    // A third mode, written against @copilot-byok/core/plugin as a plug-in author would: an expiring key.
    const expiringKeyModule = {
      mode: "expiring-key",
      detect: (env) => ({
        applicable: Boolean(env.EXPIRING_KEY),
        strength: "explicit",
        reasons: ["EXPIRING_KEY"],
      }),
      create: ({ env }) =>
        plugin.createProviderConfigSource({
          mode: "expiring-key",
          provider: plugin.providerSettingsFromEnv(env).settings,
          credentialKind: "bearer",
          credential: new plugin.RefreshingCache({
            fetch: async () => ({ value: env.EXPIRING_KEY, expiresOnTimestamp: Date.now() + 3_600_000 }),
          }),
        }),
    };
    for (const [mode, extra] of [
      ["static-key", { COPILOT_PROVIDER_API_KEY: KEY }],
      ["azure-entra", {}],
      ["expiring-key", { EXPIRING_KEY: KEY }],
    ]) {
      const app = container.createChildContainer();
      try {
        const env = { ...emulators.env("app-service"), COPILOT_PROVIDER_MODEL_ID: "gpt-4.1", ...extra };
        const selection = registerCopilotByok(app, {
          env,
          modules: [staticKeyModule, expiringKeyModule, azureEntraModule],
          client,
        });
        const session = await app
          .resolve(CopilotSessionFactory)
          .createSession({ onPermissionRequest: approveAll });
        const reply = (await session.sendAndWait(`${flavour} ${mode}`, 60_000))?.data.content ?? "";
        await session.disconnect();
        const ok = selection.mode === mode && reply.includes(`${flavour} ${mode}`);
        if (!ok) failures += 1;
        console.log(`${ok ? "ok" : "FAILED"} ${flavour} ${process.version} ${mode}: ${reply}`);
      } finally {
        await app.dispose();
      }
    }
  } finally {
    await client.stop();
    await emulators.close();
    await rm(home, { recursive: true, force: true });
  }
  return failures;
}

module.exports = { runScenario };
