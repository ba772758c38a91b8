import { CopilotSessionFactory, type Env, registerCopilotByok } from "@copilot-byok/core";
import { staticKeyModule } from "@copilot-byok/static-key";
import { approveAll } from "@github/copilot-sdk";
import { container } from "tsyringe";

/**
 * A static API key, from the environment or a mounted secret file:
 *   AZURE_AI_FOUNDRY_RESOURCE_URL=https://<resource>.services.ai.azure.com   (or COPILOT_PROVIDER_BASE_URL)
 *   COPILOT_PROVIDER_API_KEY=<key>   or   COPILOT_PROVIDER_API_KEY_FILE=/run/secrets/byok-key
 *   COPILOT_PROVIDER_MODEL_ID=gpt-4.1
 */
export async function askWithStaticKey(env: Env, prompt: string): Promise<string> {
  const app = container.createChildContainer();
  try {
    const selection = registerCopilotByok(app, {
      env,
      modules: [staticKeyModule],
      clientOptions: env.COPILOT_HOME ? { baseDirectory: env.COPILOT_HOME } : {},
    });
    console.log(`mode: ${selection.mode}\n  ${selection.reasons.join("\n  ")}`);
    const session = await app
      .resolve(CopilotSessionFactory)
      .createSession({ onPermissionRequest: approveAll });
    const reply = await session.sendAndWait(prompt, 60_000);
    await session.disconnect();
    return reply?.data.content ?? "";
  } finally {
    await app.dispose();
  }
}
