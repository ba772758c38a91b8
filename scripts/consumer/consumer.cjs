// A CommonJS app (many DI apps are) using the packed packages as installed from npm.
require("reflect-metadata");
const { mkdtemp, rm } = require("node:fs/promises");
const { tmpdir } = require("node:os");
const { join } = require("node:path");
const { azureEntraModule } = require("@copilot-byok/azure-entra");
const { CopilotSessionFactory, registerCopilotByok } = require("@copilot-byok/core");
const { staticKeyModule } = require("@copilot-byok/static-key");
const { startAzureEmulators } = require("@copilot-byok/testing");
const { approveAll, CopilotClient } = require("@github/copilot-sdk");
const { container } = require("tsyringe");

async function main() {
  const KEY = "consumer-smoke-key-0123456789";
  const emulators = await startAzureEmulators({ apiKeys: [KEY] });
  Object.assign(process.env, emulators.identity.env("app-service"));
  const home = await mkdtemp(join(tmpdir(), "consumer-cjs-"));
  const client = new CopilotClient({ useLoggedInUser: false, baseDirectory: home, logLevel: "none" });
  let failures = 0;
  try {
    for (const [mode, extra] of [
      ["static-key", { COPILOT_PROVIDER_API_KEY: KEY }],
      ["azure-entra", {}],
    ]) {
      const app = container.createChildContainer();
      try {
        const env = { ...emulators.env("app-service"), COPILOT_PROVIDER_MODEL_ID: "gpt-4.1", ...extra };
        const selection = registerCopilotByok(app, {
          env,
          modules: [staticKeyModule, azureEntraModule],
          client,
        });
        const session = await app
          .resolve(CopilotSessionFactory)
          .createSession({ onPermissionRequest: approveAll });
        const reply = (await session.sendAndWait(`cjs ${mode}`, 60_000))?.data.content ?? "";
        await session.disconnect();
        const ok = selection.mode === mode && reply.includes(`cjs ${mode}`);
        if (!ok) failures += 1;
        console.log(`${ok ? "ok" : "FAILED"} cjs ${process.version} ${mode}: ${reply}`);
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

main().then(
  (failures) => {
    process.exitCode = failures === 0 ? 0 : 1;
  },
  (error) => {
    console.error(error);
    process.exitCode = 1;
  },
);
