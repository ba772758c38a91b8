import "reflect-metadata";
import { azureEntraModule } from "@copilot-byok/azure-entra";
import { type Env, registerCopilotByok } from "@copilot-byok/core";
import { staticKeyModule } from "@copilot-byok/static-key";
import { container, type DependencyContainer } from "tsyringe";
import { ChatService } from "./ChatService.js";

/** Composition root: the environment alone decides the mode (COPILOT_PROVIDER_AUTH, keys, identity signals). */
export function createApp(env: Env): { app: DependencyContainer; chat: ChatService } {
  const app = container.createChildContainer();
  registerCopilotByok(app, {
    env,
    modules: [staticKeyModule, azureEntraModule],
    clientOptions: env.COPILOT_HOME ? { baseDirectory: env.COPILOT_HOME } : {},
  });
  return { app, chat: app.resolve(ChatService) };
}
