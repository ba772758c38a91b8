// An ESM app using the packed packages as installed from npm: one session per mode against the emulators.
import "reflect-metadata";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { azureEntraModule } from "@copilot-byok/azure-entra";
import { CopilotSessionFactory, registerCopilotByok } from "@copilot-byok/core";
import { staticKeyModule } from "@copilot-byok/static-key";
import { startAzureEmulators } from "@copilot-byok/testing";
import { approveAll, CopilotClient } from "@github/copilot-sdk";
import { container } from "tsyringe";

const KEY = "consumer-smoke-key-0123456789";
const emulators = await startAzureEmulators({ apiKeys: [KEY] });
Object.assign(process.env, emulators.identity.env("app-service"));
const home = await mkdtemp(join(tmpdir(), "consumer-esm-"));
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
      const reply = (await session.sendAndWait(`esm ${mode}`, 60_000))?.data.content ?? "";
      await session.disconnect();
      const ok = selection.mode === mode && reply.includes(`esm ${mode}`);
      if (!ok) failures += 1;
      console.log(`${ok ? "ok" : "FAILED"} esm ${process.version} ${mode}: ${reply}`);
    } finally {
      await app.dispose();
    }
  }
} finally {
  await client.stop();
  await emulators.close();
  await rm(home, { recursive: true, force: true });
}
process.exitCode = failures === 0 ? 0 : 1;
