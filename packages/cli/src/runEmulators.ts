import { writeFile } from "node:fs/promises";
import { resolve } from "node:path";
import {
  EMULATORS_PACKAGE,
  type EmulatorsPackage,
  loadEmulatorsPackage,
  missingEmulatorsPackage,
} from "./emulatorsPackage.js";
import type { Output } from "./Output.js";

/**
 * The static key the Foundry emulator accepts (besides the identity emulator's tokens): a fixed value of this
 * emulator, no secret. 20 characters at least, the shortest key the static-key mode takes.
 */
export const EMULATOR_API_KEY = "copilot-byok-emulator-key-not-a-secret";

/** The model the printed variables name (the emulator answers any model name). */
export const EMULATOR_MODEL = "gpt-4.1";

export interface EmulatorsOptions {
  out: Output;
  /** When to stop (the command waits for it, by design without a bound: it runs until Ctrl-C). */
  stop: AbortSignal;
  /** Also start the Entra ID authority emulator (service principal, workload identity) behind its CONNECT proxy. */
  authority?: boolean;
  /** Write the variables to this file (resolved from `cwd`) instead of printing them. */
  envFile?: string;
  /** Print {@link EmulatorsDescription} as one line of JSON instead of the text. */
  json?: boolean;
  cwd?: string;
  /** How long closing the emulators may take once stopped. Default 5 000. */
  closeTimeoutMs?: number;
  /** Loads {@link EMULATORS_PACKAGE}. Default: `import()` of it. */
  loadPackage?: () => Promise<EmulatorsPackage>;
}

/** What `copilot-byok emulators --json` prints (one line), once the emulators are up. */
export interface EmulatorsDescription {
  foundry: {
    /** `AZURE_AI_FOUNDRY_RESOURCE_URL`. */
    resourceUrl: string;
    /** The OpenAI v1 base URL (`COPILOT_PROVIDER_BASE_URL` for `type: "openai"`). */
    baseUrl: string;
    /** Claude's base URL (`COPILOT_PROVIDER_BASE_URL` for `type: "anthropic"`). */
    anthropicBaseUrl: string;
    /** The static key it accepts: {@link EMULATOR_API_KEY}. */
    apiKey: string;
  };
  identity: { url: string; protocol: "app-service" };
  /** Entra ID mode with a managed identity: the endpoint, the model and the identity emulator's variables. */
  env: Record<string, string>;
  /** Static-key mode: add these to `env` (auto then chooses static-key). */
  staticKeyEnv: Record<string, string>;
  /** With `--authority`: the Entra ID authority emulator, and the variables that replace the identity's in `env`. */
  authority?: {
    /** `HTTPS_PROXY`: the CONNECT proxy in front of `hosts`. */
    proxyUrl: string;
    hosts: string[];
    /** `NODE_EXTRA_CA_CERTS`: the CA of its certificate (read when Node starts). */
    caCertificatePath: string;
    servicePrincipalEnv: Record<string, string>;
    workloadIdentityEnv: Record<string, string>;
  };
  /** The file the variables were written to (`--write-env`), absolute. */
  envFile?: string;
}

const IDENTITY_VARIABLES = ["IDENTITY_ENDPOINT", "IDENTITY_HEADER"];

/**
 * `copilot-byok emulators`: starts the Foundry and managed-identity emulators of `@copilot-byok/testing` (and
 * with `authority` the Entra ID authority emulator) on 127.0.0.1, prints the variables that point an app at them
 * (`export NAME='value'` lines, the rest `#` comments) or writes them to `envFile`, and runs until `stop` is
 * aborted; then closes them (bounded by `closeTimeoutMs`). Returns the exit code: 0 once stopped, 1 when the
 * package is missing, the emulators do not start or the file cannot be written.
 */
export async function runEmulators(options: EmulatorsOptions): Promise<number> {
  const { out, stop } = options;
  let pkg: EmulatorsPackage;
  try {
    pkg = await (options.loadPackage ?? loadEmulatorsPackage)();
  } catch (error) {
    const lines = missingEmulatorsPackage("emulators", error) ?? [
      `copilot-byok emulators: could not load ${EMULATORS_PACKAGE}: ${describe(error)}`,
    ];
    for (const line of lines) out.error(line);
    return 1;
  }
  let emulators: Awaited<ReturnType<EmulatorsPackage["startAzureEmulators"]>>;
  try {
    emulators = await pkg.startAzureEmulators({
      apiKeys: [EMULATOR_API_KEY],
      ...(options.authority ? { authority: true } : {}),
    });
  } catch (error) {
    out.error(`copilot-byok emulators: the emulators did not start: ${describe(error)}`);
    return 1;
  }
  try {
    const description = describeEmulators(emulators);
    if (options.envFile !== undefined) {
      const path = resolve(options.cwd ?? process.cwd(), options.envFile);
      try {
        await writeFile(path, `${envFileLines(description).join("\n")}\n`, { mode: 0o600 });
      } catch (error) {
        out.error(`copilot-byok emulators: could not write --write-env ${path}: ${describe(error)}`);
        return 1;
      }
      description.envFile = path;
    }
    if (options.json) out.line(JSON.stringify(description));
    else for (const line of textLines(description)) out.line(line);
    const reason = await stopped(stop);
    const note = `copilot-byok emulators: ${reason ? `${reason}: ` : ""}stopped`;
    if (options.json) out.error(note);
    else out.line(`# ${note}`);
    return 0;
  } finally {
    await closeWithin(emulators, options.closeTimeoutMs ?? 5_000, out);
  }
}

function describeEmulators(
  emulators: Awaited<ReturnType<EmulatorsPackage["startAzureEmulators"]>>,
): EmulatorsDescription {
  const { foundry, identity, authority } = emulators;
  // Spread: the records' own inspect/JSON hooks would mask the values this command exists to print.
  const identityEnv = { ...emulators.env("app-service") };
  const description: EmulatorsDescription = {
    foundry: {
      resourceUrl: foundry.resourceUrl,
      baseUrl: foundry.baseUrl,
      anthropicBaseUrl: foundry.anthropicBaseUrl,
      apiKey: EMULATOR_API_KEY,
    },
    identity: { url: identity.url, protocol: "app-service" },
    env: {
      AZURE_AI_FOUNDRY_RESOURCE_URL: foundry.resourceUrl,
      COPILOT_PROVIDER_MODEL_ID: EMULATOR_MODEL,
      ...Object.fromEntries(IDENTITY_VARIABLES.map((name) => [name, identityEnv[name] ?? ""])),
    },
    staticKeyEnv: { COPILOT_PROVIDER_API_KEY: EMULATOR_API_KEY },
  };
  if (authority) {
    const withoutResource = (env: Record<string, string>) => {
      const { AZURE_AI_FOUNDRY_RESOURCE_URL: _resource, ...rest } = env;
      return rest;
    };
    description.authority = {
      proxyUrl: authority.proxyUrl,
      hosts: [...authority.hosts],
      caCertificatePath: authority.caCertificatePath,
      servicePrincipalEnv: withoutResource({ ...emulators.env("service-principal") }),
      workloadIdentityEnv: withoutResource({ ...emulators.env("workload-identity") }),
    };
  }
  return description;
}

/** The text printed: comments, and `export` lines unless the variables went to a file. */
function textLines(d: EmulatorsDescription): string[] {
  const lines = [
    "# copilot-byok emulators: running on 127.0.0.1 until Ctrl-C",
    `#   Azure AI Foundry emulator  ${d.foundry.resourceUrl} (OpenAI v1 at /openai/v1/, Claude at /anthropic; any model name)`,
    `#   managed-identity emulator  ${d.identity.url} (the App Service protocol: IDENTITY_ENDPOINT, IDENTITY_HEADER)`,
  ];
  if (d.authority)
    lines.push(
      `#   Entra ID authority emulator ${d.authority.hosts.join(", ")} through the CONNECT proxy ${d.authority.proxyUrl}`,
    );
  lines.push("#");
  if (d.envFile !== undefined) {
    lines.push(
      `# The variables are in ${d.envFile} (Entra ID mode; the static key and any other mode commented out there).`,
      `# Load them in another terminal: set -a; . ${shellQuote(d.envFile)}; set +a   or: node --env-file=${shellQuote(d.envFile)} <app>`,
    );
  } else {
    lines.push(
      "# In another terminal, export these (Entra ID mode: a managed identity token), then run your app:",
      ...exportLines(d.env),
      "#",
      `# Static-key mode: the Foundry emulator also accepts the key ${d.foundry.apiKey} (this emulator's own,`,
      "# no secret). Export it too, and auto chooses static-key over the identity:",
      ...exportLines(d.staticKeyEnv).map((line) => `# ${line}`),
    );
    if (d.authority) lines.push("#", ...authorityLines(d.authority, (env) => exportLines(env)));
  }
  lines.push("#", "# Check what an app will do with them: copilot-byok doctor --probe");
  return lines;
}

/** The `--authority` block, every variable commented out: each kind replaces the managed identity's. */
function authorityLines(
  a: NonNullable<EmulatorsDescription["authority"]>,
  render: (env: Record<string, string>) => string[],
): string[] {
  return [
    `# --authority: instead of ${IDENTITY_VARIABLES.join(" and ")}, a service principal (its secret is this emulator's own):`,
    ...render(a.servicePrincipalEnv).map((line) => `# ${line}`),
    "# or workload identity (a federated token file):",
    ...render(a.workloadIdentityEnv).map((line) => `# ${line}`),
    "# (HTTPS_PROXY reaches the authority through the proxy, NODE_EXTRA_CA_CERTS trusts its CA: Node reads it at start.)",
  ];
}

/** The `--write-env` file's content: `NAME='value'` lines (read by `node --env-file`, dotenv and `set -a; . file`). */
function envFileLines(d: EmulatorsDescription): string[] {
  const assignments = (env: Record<string, string>) =>
    Object.entries(env).map(([name, value]) => `${name}=${envFileQuote(name, value)}`);
  return [
    "# copilot-byok emulators: valid while they run (Ctrl-C in their terminal stops them).",
    "# Entra ID mode (a managed identity token):",
    ...assignments(d.env),
    `# Static-key mode: uncomment (the Foundry emulator's own key, no secret); auto then chooses static-key:`,
    ...assignments(d.staticKeyEnv).map((line) => `# ${line}`),
    ...(d.authority ? authorityLines(d.authority, assignments) : []),
  ];
}

function exportLines(env: Record<string, string>): string[] {
  return Object.entries(env).map(([name, value]) => `export ${name}=${shellQuote(value)}`);
}

/** A POSIX shell word for `value`: single-quoted, a `'` in it written as `'\''`. */
function shellQuote(value: string): string {
  return `'${value.replaceAll("'", "'\\''")}'`;
}

/**
 * A value for an env file: single-quoted, or double-quoted when it holds a `'` (dotenv-style files know no
 * escape inside single quotes).
 */
function envFileQuote(name: string, value: string): string {
  if (/[\r\n]/.test(value) || (value.includes("'") && value.includes('"')))
    throw new Error(`the value of ${name} cannot be written to an env file (line breaks or both quotes)`);
  return value.includes("'") ? `"${value}"` : `'${value}'`;
}

/** Resolves once `signal` is aborted, with its reason when that is a signal name (`SIGINT`). */
function stopped(signal: AbortSignal): Promise<string | undefined> {
  const reason = () => (typeof signal.reason === "string" ? signal.reason : undefined);
  if (signal.aborted) return Promise.resolve(reason());
  return new Promise((done) => signal.addEventListener("abort", () => done(reason()), { once: true }));
}

async function closeWithin(
  emulators: { close(): Promise<void> },
  timeoutMs: number,
  out: Output,
): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<"timeout">((done) => {
    timer = setTimeout(() => done("timeout"), timeoutMs);
  });
  try {
    const outcome = await Promise.race([
      emulators.close().then(
        () => "closed" as const,
        (error: unknown) => describe(error),
      ),
      timedOut,
    ]);
    if (outcome === "timeout")
      out.error(`copilot-byok emulators: closing took longer than ${timeoutMs} ms: left to the exit`);
    else if (outcome !== "closed") out.error(`copilot-byok emulators: closing failed: ${outcome}`);
  } finally {
    clearTimeout(timer);
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
