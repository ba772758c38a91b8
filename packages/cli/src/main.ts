import { parseArgs } from "node:util";
import type { Env, ProviderConfigSourceModule } from "@copilot-byok/core";
import { DeadlineExceededError, startDeadline } from "./deadline.js";
import { DEFAULT_MODULES } from "./defaultModules.js";
import { formatDoctorReport } from "./formatDoctorReport.js";
import { loadModules, ModuleLoadError } from "./loadModules.js";
import { createOutput, type Output } from "./Output.js";
import { runDemo } from "./runDemo.js";
import { runDoctor } from "./runDoctor.js";

export const USAGE = `Usage: copilot-byok <command> [options]

Commands:
  doctor            which auth mode this environment selects and why, the credential, token claims
    --probe           also send one minimal model request and explain a failure
    --json            print the report as JSON
    --timeout <ms>    doctor: bound for the whole run, probe included; demo: for each reply
                      (default 30000)
    --module <m>      also choose from the modes a plug-in exports: a file (./broker.mjs) or a
                      package (@acme/copilot-byok-broker), resolved from the working directory;
                      repeatable; built-in modes come first (auto gives ties to the earlier)
  demo              run the same session code once per mode against the bundled emulators,
                    or against your provider when the environment names one
    --emulators       use the emulators even when the environment names a provider
    --prompt <text>   what to ask (default "Say hello in five words.")

Exit codes: 0 healthy, 1 problems found, 2 usage error.`;

export interface MainContext {
  env: Env;
  out: Output;
  /** Where `--module` paths and packages are resolved from. Default: `process.cwd()`. */
  cwd: string;
}

/** The CLI: returns the exit code. */
export async function main(argv: readonly string[], context?: Partial<MainContext>): Promise<number> {
  const env = context?.env ?? process.env;
  const out = context?.out ?? createOutput(process.stdout, process.stderr);
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (error) {
    out.error(`copilot-byok: ${error instanceof Error ? error.message : String(error)}`);
    out.error(USAGE);
    return 2;
  }
  const { command, values } = parsed;
  if (values.help || command === "help") {
    out.line(USAGE);
    return 0;
  }
  const timeoutMs = values.timeout === undefined ? 30_000 : Number(values.timeout);
  if (!Number.isInteger(timeoutMs) || timeoutMs <= 0) {
    out.error(`copilot-byok: --timeout must be a positive whole number of milliseconds`);
    return 2;
  }
  if (values.module && command === "demo") {
    out.error("copilot-byok: --module applies to doctor only");
    return 2;
  }
  switch (command) {
    case "doctor": {
      // One deadline for the run: loading the plug-ins, the credential and the probe share it.
      const startedAt = Date.now();
      let modules: readonly ProviderConfigSourceModule[] = DEFAULT_MODULES;
      if (values.module) {
        const deadline = startDeadline(timeoutMs);
        try {
          const cwd = context?.cwd ?? process.cwd();
          const loaded = await deadline.race(loadModules(values.module, { cwd, registered: modules }));
          modules = [...DEFAULT_MODULES, ...loaded];
        } catch (error) {
          if (error instanceof DeadlineExceededError) {
            out.error(
              `copilot-byok: loading the --module plug-ins took longer than ${timeoutMs} ms (--timeout)`,
            );
            return 1;
          }
          if (!(error instanceof ModuleLoadError)) throw error;
          out.error(`copilot-byok: ${error.message}`);
          return 2;
        } finally {
          deadline.clear();
        }
      }
      const report = await runDoctor({ env, probe: values.probe ?? false, timeoutMs, startedAt, modules });
      if (values.json) out.line(JSON.stringify(report, null, 2));
      else for (const line of formatDoctorReport(report)) out.line(line);
      return report.healthy ? 0 : 1;
    }
    case "demo":
      return runDemo({
        env,
        out,
        forceEmulators: values.emulators ?? false,
        timeoutMs,
        ...(values.prompt ? { prompt: values.prompt } : {}),
      });
    default:
      out.error(
        command
          ? `copilot-byok: unknown command "${command}": use doctor or demo`
          : "copilot-byok: no command given",
      );
      out.error(USAGE);
      return 2;
  }
}

function parse(argv: readonly string[]) {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    strict: true,
    options: {
      probe: { type: "boolean" },
      json: { type: "boolean" },
      timeout: { type: "string" },
      module: { type: "string", multiple: true },
      emulators: { type: "boolean" },
      prompt: { type: "string" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (positionals.length > 1) throw new Error(`unexpected argument "${positionals[1]}"`);
  return { command: positionals[0], values };
}
