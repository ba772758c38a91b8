import { parseArgs } from "node:util";
import type { Env, ProviderConfigSourceModule } from "@copilot-byok/core";
import { cliVersion } from "./cliVersion.js";
import { closestName } from "./closestName.js";
import { DeadlineExceededError, startDeadline } from "./deadline.js";
import { DEFAULT_MODULES } from "./defaultModules.js";
import { missingEmulatorsPackage } from "./emulatorsPackage.js";
import { formatDoctorReport } from "./formatDoctorReport.js";
import { loadModules, ModuleLoadError } from "./loadModules.js";
import { createOutput, type Output } from "./Output.js";
import { runDoctor } from "./runDoctor.js";
import { runEmulators } from "./runEmulators.js";

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
  emulators         start the Azure AI Foundry and managed-identity emulators on 127.0.0.1 and
                    print the variables that point an app (or an example) at them; runs until
                    Ctrl-C (needs @copilot-byok/testing installed next to the CLI)
    --write-env <p>   write the variables to the env file <p> instead of printing them
    --authority       also start the Entra ID authority emulator (service principal and
                      workload identity, reached through a CONNECT proxy)
    --json            print the emulators and their variables as one line of JSON

  --version         print the version of copilot-byok
  --help, -h        print this help

Exit codes: 0 healthy (emulators: stopped by Ctrl-C), 1 problems found, 2 usage error.`;

export interface MainContext {
  env: Env;
  out: Output;
  /** Where `--module` paths and packages, and the `--write-env` file, are resolved from. Default: `process.cwd()`. */
  cwd: string;
  /** Ends `emulators` when aborted (the command runs until then). Default: the first SIGINT or SIGTERM. */
  stop: AbortSignal;
}

/** The commands, in the order the usage lists them. */
const COMMANDS = ["doctor", "demo", "emulators"] as const;
type Command = (typeof COMMANDS)[number];

/** Every option, and the commands it applies to (none: it applies alone, as `--version` and `--help` do). */
const OPTIONS = {
  probe: { type: "boolean", commands: ["doctor"] },
  json: { type: "boolean", commands: ["doctor", "emulators"] },
  timeout: { type: "string", commands: ["doctor", "demo"] },
  module: { type: "string", commands: ["doctor"] },
  emulators: { type: "boolean", commands: ["demo"] },
  prompt: { type: "string", commands: ["demo"] },
  // Not --env-file: Node reads that one itself, even after the script name, and exits when the file does not
  // exist yet (nodejs/node#54232), before this code runs.
  "write-env": { type: "string", commands: ["emulators"] },
  authority: { type: "boolean", commands: ["emulators"] },
  version: { type: "boolean", commands: [] },
  help: { type: "boolean", commands: [], short: "h" },
} as const satisfies Record<
  string,
  { type: "boolean" | "string"; commands: readonly Command[]; short?: string }
>;
type OptionName = keyof typeof OPTIONS;

/** A usage error: its message completes "copilot-byok: "; the usage follows unless `withUsage` is false. */
class UsageError extends Error {
  constructor(
    message: string,
    readonly withUsage = true,
  ) {
    super(message);
  }
}

/** The CLI: returns the exit code. */
export async function main(argv: readonly string[], context?: Partial<MainContext>): Promise<number> {
  const env = context?.env ?? process.env;
  const out = context?.out ?? createOutput(process.stdout, process.stderr);
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    out.error(`copilot-byok: ${error.message}`);
    if (error.withUsage) out.error(USAGE);
    return 2;
  }
  const { command, values } = parsed;
  if (values.help || command === "help") {
    out.line(USAGE);
    return 0;
  }
  if (values.version) {
    out.line(cliVersion(context?.cwd) ?? "unknown (the package.json of @copilot-byok/cli was not found)");
    return 0;
  }
  const timeoutMs = values.timeout === undefined ? 30_000 : Number(values.timeout);
  if (!Number.isInteger(timeoutMs) || timeoutMs <= 0) {
    out.error(`copilot-byok: --timeout must be a positive whole number of milliseconds`);
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
    case "demo": {
      // Imported when asked for: it needs @copilot-byok/testing, which the other commands do without.
      let demo: typeof import("./runDemo.js");
      try {
        demo = await import("./runDemo.js");
      } catch (error) {
        const missing = missingEmulatorsPackage("demo", error);
        if (!missing) throw error;
        for (const line of missing) out.error(line);
        return 1;
      }
      return demo.runDemo({
        env,
        out,
        forceEmulators: values.emulators ?? false,
        timeoutMs,
        ...(values.prompt ? { prompt: values.prompt } : {}),
      });
    }
    case "emulators": {
      const stop = context?.stop ? { signal: context.stop, release: () => undefined } : stopOnSignals();
      try {
        return await runEmulators({
          out,
          stop: stop.signal,
          cwd: context?.cwd ?? process.cwd(),
          json: values.json ?? false,
          authority: values.authority ?? false,
          ...(values["write-env"] !== undefined ? { envFile: values["write-env"] } : {}),
        });
      } finally {
        stop.release();
      }
    }
    default: {
      if (command) {
        const guess = closestName(command, COMMANDS);
        out.error(
          `copilot-byok: unknown command "${command}"${guess ? `: did you mean ${guess}?` : ""} (commands: ${COMMANDS.join(", ")})`,
        );
      } else out.error("copilot-byok: no command given");
      out.error(USAGE);
      return 2;
    }
  }
}

/** Aborted by the first SIGINT (Ctrl-C) or SIGTERM, which then no longer end the process by themselves. */
function stopOnSignals(): { signal: AbortSignal; release: () => void } {
  const controller = new AbortController();
  const signals = ["SIGINT", "SIGTERM"] as const;
  const handlers = signals.map((name) => {
    const handler = () => controller.abort(name);
    process.once(name, handler);
    return [name, handler] as const;
  });
  return {
    signal: controller.signal,
    release: () => {
      for (const [name, handler] of handlers) process.removeListener(name, handler);
    },
  };
}

interface ParsedValues {
  probe?: boolean;
  json?: boolean;
  timeout?: string;
  module?: string[];
  emulators?: boolean;
  prompt?: string;
  "write-env"?: string;
  authority?: boolean;
  version?: boolean;
  help?: boolean;
}

/**
 * The command and its options. Parsed without Node's strict mode, whose messages are its own: each problem is
 * a {@link UsageError} of ours, an unknown option or command with the closest known one.
 */
function parse(argv: readonly string[]): { command: string | undefined; values: ParsedValues } {
  const { tokens } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    strict: false,
    tokens: true,
    options: Object.fromEntries(
      Object.entries(OPTIONS).map(([name, option]) => [
        name,
        {
          type: option.type,
          ...("short" in option ? { short: option.short } : {}),
          ...(name === "module" ? { multiple: true } : {}),
        },
      ]),
    ),
  });
  const values: Record<string, string | boolean | string[]> = {};
  const given: { name: OptionName; raw: string }[] = [];
  const positionals: string[] = [];
  for (const token of tokens) {
    if (token.kind === "positional") positionals.push(token.value);
    if (token.kind !== "option") continue;
    if (!Object.hasOwn(OPTIONS, token.name)) {
      const typed = token.rawName.replace(/^-+/, "");
      const guess = typed === "env-file" ? "write-env" : closestName(typed, Object.keys(OPTIONS));
      throw new UsageError(`unknown option ${token.rawName}${guess ? `: did you mean --${guess}?` : ""}`);
    }
    const name = token.name as OptionName;
    const option = OPTIONS[name];
    if (option.type === "string") {
      // Node's parser takes the next option (`--timeout --json`) as the value: that is a missing value too.
      if (token.value === undefined || (!token.inlineValue && token.value.startsWith("-")))
        throw new UsageError(`${token.rawName} needs a value`);
      if (name === "module")
        values.module = [...((values.module as string[] | undefined) ?? []), token.value];
      else values[name] = token.value;
    } else {
      if (token.value !== undefined) throw new UsageError(`${token.rawName} takes no value`);
      values[name] = true;
    }
    given.push({ name, raw: token.rawName });
  }
  if (positionals.length > 1) throw new UsageError(`unexpected argument "${positionals[1]}"`);
  const command = positionals[0];
  if (command !== undefined && (COMMANDS as readonly string[]).includes(command)) {
    for (const { name, raw } of given) {
      const commands: readonly string[] = OPTIONS[name].commands;
      if (commands.length > 0 && !commands.includes(command))
        throw new UsageError(`${raw} applies to ${commands.join(" and ")} only`, false);
    }
  }
  return { command, values: values as ParsedValues };
}
