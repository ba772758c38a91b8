import "reflect-metadata";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { azureEntraModule } from "@copilot-byok/azure-entra";
import {
  CopilotSessionFactory,
  type Env,
  type ProviderConfigSourceModule,
  registerCopilotByok,
  type Selection,
} from "@copilot-byok/core";
import { staticKeyModule } from "@copilot-byok/static-key";
import {
  type AzureEmulators,
  type AzureEmulatorsOptions,
  setProcessEnv,
  startAzureEmulators,
} from "@copilot-byok/testing";
import { approveAll, CopilotClient, type CopilotSession } from "@github/copilot-sdk";
import { container } from "tsyringe";

/** The session code under test: the same function in every mode. */
export async function ask(session: CopilotSession, prompt: string, timeoutMs = 30_000): Promise<string> {
  const reply = await session.sendAndWait(prompt, timeoutMs);
  return reply?.data.content ?? "";
}

/** A real CopilotClient (real runtime) in a temp home; `close()` stops it and removes the home. */
export async function startRuntime(): Promise<{ client: CopilotClient; close(): Promise<void> }> {
  const baseDirectory = await mkdtemp(join(tmpdir(), "copilot-byok-e2e-"));
  const client = new CopilotClient({ useLoggedInUser: false, baseDirectory, logLevel: "none" });
  await client.start();
  return {
    client,
    close: async () => {
      await client.stop().catch(() => []);
      await rm(baseDirectory, { recursive: true, force: true });
    },
  };
}

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

/** Waits until `check()` is true, polling; fails after `timeoutMs`. */
export async function waitFor(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > until) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(50);
  }
}

/**
 * Resolves at the session's next `session.idle` event (or after `timeoutMs`). A failed `sendAndWait` rejects
 * on `session.error` before the failed turn's own `session.idle` arrives; wait for it before sending again,
 * or the next `sendAndWait` may resolve on that stale idle.
 */
export function nextIdle(session: CopilotSession, timeoutMs = 10_000): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, timeoutMs);
    const off = session.on((event) => {
      if (event.type === "session.idle") done();
    });
    function done() {
      clearTimeout(timer);
      off();
      resolve();
    }
  });
}

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
  const runtime = await startRuntime().catch(async (error: unknown) => {
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
