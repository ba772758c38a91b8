import { azureEntraModule } from "@copilot-byok/azure-entra";
import { CopilotSessionFactory, type Env, registerCopilotByok } from "@copilot-byok/core";
import { approveAll } from "@github/copilot-sdk";
import { container } from "tsyringe";

/**
 * The seed scenario: an app on Azure reaches Azure AI Foundry's OpenAI-compatible endpoint with a
 * Managed Identity token instead of a key. Configuration is the environment alone:
 *   AZURE_AI_FOUNDRY_RESOURCE_URL=https://<resource>.services.ai.azure.com
 *   COPILOT_PROVIDER_MODEL_ID=gpt-4.1          (and COPILOT_PROVIDER_WIRE_MODEL=<deployment> if it differs)
 *   AZURE_CLIENT_ID=<client id>                 (only for a user-assigned identity)
 */
export async function askWithManagedIdentity(env: Env, prompt: string): Promise<string> {
  const app = container.createChildContainer();
  try {
    const selection = registerCopilotByok(app, {
      env: { ...env, COPILOT_PROVIDER_AUTH: "azure-entra" },
      modules: [azureEntraModule],
      clientOptions: env.COPILOT_HOME ? { baseDirectory: env.COPILOT_HOME } : {},
    });
    console.log(`mode: ${selection.mode}\n  ${selection.reasons.join("\n  ")}`);
    const sessions = app.resolve(CopilotSessionFactory);
    const session = await sessions.createSession({ onPermissionRequest: approveAll });
    const reply = await session.sendAndWait(prompt, 60_000);
    await session.disconnect();
    return reply?.data.content ?? "";
  } finally {
    await app.dispose(); // stops the Copilot runtime and the token refresher
  }
}
