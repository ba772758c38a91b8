import "reflect-metadata";
import { CopilotSessionFactory, registerCopilotByok } from "@copilot-byok/core";
import { approveAll } from "@github/copilot-sdk";
import { container } from "tsyringe";
import { reportFailure } from "./reportFailure.js";
import { tokenBrokerModule } from "./tokenBrokerModule.js";

// TOKEN_BROKER_URL, the provider endpoint and COPILOT_PROVIDER_MODEL_ID come from the environment.
const app = container.createChildContainer();
try {
  const selection = registerCopilotByok(app, { modules: [tokenBrokerModule] });
  console.log(`mode: ${selection.mode}\n  ${selection.reasons.join("\n  ")}`);
  const session = await app.resolve(CopilotSessionFactory).createSession({ onPermissionRequest: approveAll });
  console.log(`reply: ${(await session.sendAndWait(process.argv[2] ?? "Say hello.", 60_000))?.data.content}`);
  await session.disconnect();
} catch (error) {
  process.exitCode = reportFailure(error);
} finally {
  await app.dispose();
}
