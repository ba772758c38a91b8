import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  BASE_URL_VARIABLES,
  CONFIGURATION_ERROR_CODE,
  CopilotSessionFactory,
  type Env,
  formatForLog,
  type Logger,
  redactText,
  registerCopilotByok,
} from "@copilot-byok/core";
import {
  COPILOT_SDK_PACKAGE,
  COPILOT_SDK_RANGE,
  type CopilotSdk,
  isSet,
  loadCopilotSdk,
} from "@copilot-byok/core/plugin";
import { setProcessEnv, startAzureEmulators } from "@copilot-byok/testing";
import type { CopilotClient } from "@github/copilot-sdk";
import { container as rootContainer } from "tsyringe";
import { askOnce } from "./askOnce.js";
import { DEFAULT_MODULES } from "./defaultModules.js";
import type { Output } from "./Output.js";
import { withProgress } from "./withProgress.js";

export interface DemoOptions {
  env: Env;
  out: Output;
  forceEmulators?: boolean;
  timeoutMs?: number;
  prompt?: string;
}

const DEMO_KEY = "demo-key-for-the-local-emulator-only";
const DEMO_MODEL = "gpt-4.1";

/**
 * Runs one session per mode through `registerCopilotByok` with nothing but env vars changing: against the
 * bundled emulators by default, against the provider the environment names otherwise. The Copilot SDK (a peer
 * dependency) is loaded here, not when the CLI starts, so that `doctor` runs without it; missing, the demo says
 * what to install and returns 1.
 */
export async function runDemo(options: DemoOptions): Promise<number> {
  const { env, out, timeoutMs = 60_000 } = options;
  let sdk: CopilotSdk;
  try {
    sdk = await loadCopilotSdk();
  } catch (error) {
    if ((error as { code?: unknown } | null)?.code !== CONFIGURATION_ERROR_CODE) throw error;
    out.error(
      `copilot-byok demo needs ${COPILOT_SDK_PACKAGE} (the Copilot runtime), which is not installed: npm install ${COPILOT_SDK_PACKAGE}@${COPILOT_SDK_RANGE}`,
    );
    out.error("(copilot-byok doctor works without it)");
    return 1;
  }
  const prompt = options.prompt ?? "Say hello in five words.";
  const useOwnProvider = !options.forceEmulators && BASE_URL_VARIABLES.some((v) => isSet(env, v));
  const baseDirectory = await mkdtemp(join(tmpdir(), "copilot-byok-demo-"));
  const client = new sdk.CopilotClient({ useLoggedInUser: false, baseDirectory, logLevel: "none" });
  let failures = 0;
  try {
    if (useOwnProvider) {
      out.line("copilot-byok demo: your provider (the environment names one)");
      await withProgress(out, "starting the Copilot runtime", () => client.start());
      failures += await runScenario(out, client, "your environment", env, prompt, timeoutMs);
      return failures === 0 ? 0 : 1;
    }
    out.line(
      "copilot-byok demo: bundled emulators on 127.0.0.1 (set AZURE_AI_FOUNDRY_RESOURCE_URL to use Azure)",
    );
    const emulators = await withProgress(out, "starting the Foundry and managed-identity emulators", () =>
      startAzureEmulators({ apiKeys: [DEMO_KEY] }),
    );
    try {
      await withProgress(out, "starting the Copilot runtime", () => client.start());
      const common = {
        AZURE_AI_FOUNDRY_RESOURCE_URL: emulators.foundry.resourceUrl,
        COPILOT_PROVIDER_MODEL_ID: DEMO_MODEL,
      };
      failures += await runScenario(
        out,
        client,
        "static key",
        { ...common, COPILOT_PROVIDER_API_KEY: DEMO_KEY },
        prompt,
        timeoutMs,
      );
      const identityEnv = emulators.identity.env("app-service");
      // @azure/identity reads process.env itself: point it at the emulator for this scenario only.
      const restore = setProcessEnv(identityEnv);
      try {
        failures += await runScenario(
          out,
          client,
          "managed identity",
          { ...common, ...identityEnv },
          prompt,
          timeoutMs,
        );
      } finally {
        restore();
      }
      const requests = emulators.foundry.requests;
      out.line("");
      out.line(`the Foundry emulator saw ${requests.length} model request(s):`);
      for (const r of requests) {
        out.line(
          `  ${r.status} ${r.path} auth=${r.authKind}${r.tokenId ? ` token=${r.tokenId.slice(0, 8)}…` : ""}${r.rejectReason ? ` (${r.rejectReason})` : ""}`,
        );
      }
    } finally {
      await emulators.close();
    }
    return failures === 0 ? 0 : 1;
  } finally {
    await client.stop().catch(() => []);
    await rm(baseDirectory, { recursive: true, force: true });
  }
}

async function runScenario(
  out: Output,
  client: CopilotClient,
  label: string,
  env: Env,
  prompt: string,
  timeoutMs: number,
): Promise<number> {
  out.line("");
  out.line(`── ${label} ──`);
  const app = rootContainer.createChildContainer();
  try {
    const selection = registerCopilotByok(app, {
      env,
      modules: DEFAULT_MODULES,
      client,
      logger: printingLogger(out),
    });
    out.line(`mode: ${selection.mode}`);
    for (const reason of selection.reasons) out.line(`  - ${reason}`);
    const sessions = app.resolve(CopilotSessionFactory);
    const reply = await withProgress(out, `asking "${prompt}"`, () => askOnce(sessions, prompt, timeoutMs));
    out.line(`reply: ${reply}`);
    return 0;
  } catch (error) {
    out.line(
      `failed: ${redactText(error instanceof Error ? `${error.name}: ${error.message}` : String(error))}`,
    );
    return 1;
  } finally {
    await app.dispose();
  }
}

function printingLogger(out: Output): Logger {
  const write = (level: string) => (message: string, details?: Readonly<Record<string, unknown>>) =>
    out.line(`  [${level}] ${message}${details ? ` ${formatForLog(details)}` : ""}`);
  return { debug: () => {}, info: write("info"), warn: write("warn"), error: write("error") };
}
