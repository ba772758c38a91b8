import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { type Ended, startNode } from "./NodeProcess.js";

/** The built command, as `npx copilot-byok` runs it in this repository (npm run setup builds it). */
const CLI = fileURLToPath(new URL("../../packages/cli/dist/esm/bin.js", import.meta.url));

/** What `copilot-byok emulators --json` prints: the variables of each mode. */
export interface PrintedVariables {
  /** Entra ID mode (a managed identity token). */
  readonly env: Record<string, string>;
  /** Add for static-key mode. */
  readonly staticKeyEnv: Record<string, string>;
}

/** `copilot-byok emulators --json`, running: the variables it printed, and `stop()` (Ctrl-C) with how it ended. */
export interface EmulatorsCommand {
  readonly printed: PrintedVariables;
  stop(): Promise<Ended>;
}

/** Starts `copilot-byok emulators --json` as a user does, and reads the variables from its first line. */
export async function startEmulatorsCommand(env: Record<string, string>): Promise<EmulatorsCommand> {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: build first (npm run setup)`);
  const command = startNode([CLI, "emulators", "--json"], env);
  try {
    const printed = JSON.parse(await command.line(/^\{/)) as PrintedVariables;
    return {
      printed,
      stop: () => {
        command.kill("SIGINT");
        return command.ended;
      },
    };
  } catch (error) {
    command.kill("SIGKILL");
    throw error;
  }
}
