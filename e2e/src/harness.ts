import "reflect-metadata";
import { azureEntraModule } from "@copilot-byok/azure-entra";
import {
  CopilotSessionFactory,
  type Env,
  type ProviderConfigSourceModule,
  registerCopilotByok,
  type Selection,
} from "@copilot-byok/core";
import { staticKeyModule } from "@copilot-byok/static-key";
import { startRuntime } from "@copilot-byok/test-utils/runtime";
import {
  type AzureEmulators,
  type AzureEmulatorsOptions,
  setProcessEnv,
  startAzureEmulators,
} from "@copilot-byok/testing";
import { approveAll, type CopilotClient, type CopilotSession } from "@github/copilot-sdk";
import { container } from "tsyringe";

/** An app container wired from `env` alone, and a session from its factory. */
export async function openApp(
  client: CopilotClient,
  env: Env,
  modules: readonly ProviderConfigSourceModule[] = [staticKeyModule, azureEntraModule],
): Promise<{ selection: Selection; session: CopilotSession; close(): Promise<void> }> {
  const app = container.createChildContainer();
  const selection = registerCopilotByok(app, { env, modules, client });
  try {
    const session = await app
      .resolve(CopilotSessionFactory)
      .createSession({ onPermissionRequest: approveAll });
    return {
      selection,
      session,
      close: async () => {
        await session.disconnect().catch(() => undefined);
        await app.dispose();
      },
    };
  } catch (error) {
    await app.dispose();
    throw error;
  }
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The emulators, `process.env` pointed at them (read by `@azure/identity` itself), and a real runtime. */
export interface Stack {
  readonly emulators: AzureEmulators;
  readonly client: CopilotClient;
  close(): Promise<void>;
}

/** Starts a {@link Stack}; `extraEnv` joins the identity variables in `process.env` until `close()`. */
export async function startStack(
  options: AzureEmulatorsOptions = {},
  extraEnv: Readonly<Record<string, string>> = {},
): Promise<Stack> {
  const emulators = await startAzureEmulators(options);
  const restoreEnv = setProcessEnv({ ...emulators.identity.env("app-service"), ...extraEnv });
  const runtime = await startRuntime("copilot-byok-e2e-").catch(async (error: unknown) => {
    restoreEnv();
    await emulators.close();
    throw error;
  });
  return {
    emulators,
    client: runtime.client,
    close: async () => {
      await runtime.close();
      restoreEnv();
      await emulators.close();
    },
  };
}
