import { execFile, execFileSync, spawn } from "node:child_process";
import { existsSync, readdirSync, readFileSync, realpathSync, statSync } from "node:fs";
import { cp, mkdir, mkdtemp, rm, symlink } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { EmulatorsPackage } from "./emulatorsPackage.js";
import { main } from "./main.js";
import type { Output } from "./Output.js";
import { EMULATOR_API_KEY, type EmulatorsDescription, runEmulators } from "./runEmulators.js";

const execFileAsync = promisify(execFile);
const BIN = fileURLToPath(new URL("../dist/esm/bin.js", import.meta.url));

/** An output that keeps lines, and tells when one matching `pattern` has come. */
function watchedOutput() {
  const lines: string[] = [];
  const errors: string[] = [];
  const waiters: { pattern: RegExp; resolve: (line: string) => void }[] = [];
  const out: Output = {
    line: (text = "") => {
      lines.push(text);
      for (const w of waiters.splice(0)) {
        if (w.pattern.test(text)) w.resolve(text);
        else waiters.push(w);
      }
    },
    error: (text) => void errors.push(text),
  };
  const next = (pattern: RegExp) =>
    new Promise<string>((resolve, reject) => {
      const found = lines.find((l) => pattern.test(l));
      if (found !== undefined) return resolve(found);
      const timer = setTimeout(
        () => reject(new Error(`no line matching ${pattern}: ${lines.join("\n")}`)),
        30_000,
      );
      waiters.push({
        pattern,
        resolve: (line) => {
          clearTimeout(timer);
          resolve(line);
        },
      });
    });
  return { out, lines, errors, next };
}

/** `copilot-byok emulators <argv>` in this process, until `stop()`. */
async function startCommand(argv: string[], cwd?: string) {
  const output = watchedOutput();
  const controller = new AbortController();
  const code = main(["emulators", ...argv], {
    env: {},
    out: output.out,
    stop: controller.signal,
    ...(cwd ? { cwd } : {}),
  });
  const ready = await output.next(argv.includes("--json") ? /^\{/ : /^# Check what an app will do/);
  return {
    ...output,
    ready,
    stop: async (reason: string) => {
      controller.abort(reason);
      return code;
    },
  };
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "cli-emulators-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("copilot-byok emulators", () => {
  it("--json: one line naming both emulators, the variables of each mode and the static key; exit 0 when stopped", async () => {
    const command = await startCommand(["--json"]);
    const description = JSON.parse(command.ready) as EmulatorsDescription;
    try {
      const { resourceUrl } = description.foundry;
      expect(resourceUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(description).toMatchObject({
        foundry: {
          baseUrl: `${resourceUrl}/openai/v1/`,
          anthropicBaseUrl: `${resourceUrl}/anthropic`,
          apiKey: EMULATOR_API_KEY,
        },
        identity: { protocol: "app-service" },
        staticKeyEnv: { COPILOT_PROVIDER_API_KEY: EMULATOR_API_KEY },
      });
      expect(Object.keys(description.env)).toEqual([
        "AZURE_AI_FOUNDRY_RESOURCE_URL",
        "COPILOT_PROVIDER_MODEL_ID",
        "IDENTITY_ENDPOINT",
        "IDENTITY_HEADER",
      ]);
      expect(description.env.AZURE_AI_FOUNDRY_RESOURCE_URL).toBe(resourceUrl);
      expect(description.authority).toBeUndefined();

      // The doctor, given what was printed: static-key mode healthy, its probe answered by the emulator.
      const doctor = watchedOutput();
      const env = { ...description.env, ...description.staticKeyEnv };
      expect(await main(["doctor", "--probe"], { env, out: doctor.out })).toBe(0);
      expect(doctor.lines).toContain("copilot-byok doctor: healthy");
      expect(doctor.lines).toContain("mode: static-key");
      expect(doctor.lines.some((l) => /^probe: OK HTTP 200 POST /.test(l))).toBe(true);
    } finally {
      expect(await command.stop("SIGTERM")).toBe(0);
    }
    expect(command.lines).toHaveLength(1);
    expect(command.errors).toEqual(["copilot-byok emulators: SIGTERM: stopped"]);
  });

  it("text: comments and export lines a shell takes as they are, the static key commented out, labelled", async () => {
    const command = await startCommand([]);
    try {
      const { lines } = command;
      expect(lines[0]).toBe("# copilot-byok emulators: running on 127.0.0.1 until Ctrl-C");
      expect(lines.every((l) => l.startsWith("#") || /^export [A-Z_]+='[^']*'$/.test(l))).toBe(true);
      expect(lines.filter((l) => l.startsWith("export ")).map((l) => l.split("=")[0])).toEqual([
        "export AZURE_AI_FOUNDRY_RESOURCE_URL",
        "export COPILOT_PROVIDER_MODEL_ID",
        "export IDENTITY_ENDPOINT",
        "export IDENTITY_HEADER",
      ]);
      expect(lines).toContain(
        "# In another terminal, export these (Entra ID mode: a managed identity token), then run your app:",
      );
      expect(lines).toContain("export COPILOT_PROVIDER_MODEL_ID='gpt-4.1'");
      expect(lines).toContain(
        `# Static-key mode: the Foundry emulator also accepts the key ${EMULATOR_API_KEY} (this emulator's own,`,
      );
      expect(lines).toContain(`# export COPILOT_PROVIDER_API_KEY='${EMULATOR_API_KEY}'`);
      // What a user pastes into a shell is what the emulators need.
      const printed = execFileSync(
        "/bin/sh",
        ["-c", `${lines.join("\n")}\nprintf '%s\\n' "$AZURE_AI_FOUNDRY_RESOURCE_URL" "$IDENTITY_HEADER"`],
        { encoding: "utf8", env: { PATH: process.env.PATH ?? "" } },
      );
      const url = /^export AZURE_AI_FOUNDRY_RESOURCE_URL='(.*)'$/.exec(
        lines.find((l) => l.startsWith("export AZURE_AI_FOUNDRY_RESOURCE_URL=")) ?? "",
      )?.[1];
      expect(printed.split("\n")[0]).toBe(url);
    } finally {
      expect(await command.stop("SIGINT")).toBe(0);
    }
    expect(command.lines.at(-1)).toBe("# copilot-byok emulators: SIGINT: stopped");
    expect(command.errors).toEqual([]);
  });

  it("--write-env: the variables in a file node --env-file reads (owner only), not printed", async () => {
    const command = await startCommand(["--write-env", "emulators.env", "--json"], dir);
    const description = JSON.parse(command.ready) as EmulatorsDescription;
    try {
      const file = join(dir, "emulators.env");
      expect(description.envFile).toBe(file);
      expect(statSync(file).mode & 0o077).toBe(0);
      const content = readFileSync(file, "utf8").split("\n");
      expect(content).toContain(`# COPILOT_PROVIDER_API_KEY='${EMULATOR_API_KEY}'`);
      const loaded = execFileSync(
        process.execPath,
        [`--env-file=${file}`, "-e", "console.log(JSON.stringify(process.env))"],
        { encoding: "utf8", env: { PATH: process.env.PATH ?? "" } },
      );
      const env = JSON.parse(loaded) as Record<string, string>;
      for (const [name, value] of Object.entries(description.env)) expect(env[name]).toBe(value);
      expect(env.COPILOT_PROVIDER_API_KEY).toBeUndefined();
    } finally {
      expect(await command.stop("SIGINT")).toBe(0);
    }

    const text = await startCommand(["--write-env", "text.env"], dir);
    try {
      expect(text.lines.filter((l) => l.startsWith("export "))).toEqual([]);
      expect(text.lines).toContain(
        `# The variables are in ${join(dir, "text.env")} (Entra ID mode; the static key and any other mode commented out there).`,
      );
    } finally {
      expect(await text.stop("SIGINT")).toBe(0);
    }
  });

  it("--write-env into a folder that does not exist: exit 1 saying why, the emulators closed", async () => {
    const output = watchedOutput();
    const code = await main(["emulators", "--write-env", "missing/folder/x.env"], {
      env: {},
      out: output.out,
      cwd: dir,
      stop: new AbortController().signal,
    });
    expect(code).toBe(1);
    expect(output.errors).toHaveLength(1);
    expect(output.errors[0]).toMatch(
      new RegExp(
        `^copilot-byok emulators: could not write --write-env ${join(dir, "missing/folder/x.env")}: Error: ENOENT`,
      ),
    );
  });

  it("--authority: the Entra ID authority emulator's variables, labelled, commented out, and in the JSON", async () => {
    const json = await startCommand(["--authority", "--json"]);
    try {
      const { authority } = JSON.parse(json.ready) as EmulatorsDescription;
      expect(authority?.hosts).toEqual(["login.microsoftonline.com"]);
      expect(Object.keys(authority?.servicePrincipalEnv ?? {})).toEqual([
        "AZURE_TENANT_ID",
        "AZURE_CLIENT_ID",
        "AZURE_CLIENT_SECRET",
        "HTTPS_PROXY",
        "NO_PROXY",
        "NODE_EXTRA_CA_CERTS",
      ]);
      expect(authority?.servicePrincipalEnv.HTTPS_PROXY).toBe(authority?.proxyUrl);
      expect(existsSync(authority?.caCertificatePath ?? "")).toBe(true);
      expect(authority?.workloadIdentityEnv.AZURE_FEDERATED_TOKEN_FILE).toBeTruthy();
    } finally {
      expect(await json.stop("SIGINT")).toBe(0);
    }
    const text = await startCommand(["--authority"]);
    try {
      const start = text.lines.indexOf(
        "# --authority: instead of IDENTITY_ENDPOINT and IDENTITY_HEADER, a service principal (its secret is this emulator's own):",
      );
      expect(start).toBeGreaterThan(0);
      const block = text.lines.slice(start, text.lines.indexOf("#", start));
      expect(block).toContain("# or workload identity (a federated token file):");
      expect(block.every((l) => l.startsWith("# "))).toBe(true);
      expect(block.some((l) => /^# export AZURE_CLIENT_SECRET='.+'$/.test(l))).toBe(true);
    } finally {
      expect(await text.stop("SIGINT")).toBe(0);
    }
  });

  it("without @copilot-byok/testing: says what to install, exit 1", async () => {
    const output = watchedOutput();
    const missing = Object.assign(
      new Error(
        "Cannot find package '@copilot-byok/testing' imported from /app/node_modules/@copilot-byok/cli/dist/esm/runEmulators.js",
      ),
      { code: "ERR_MODULE_NOT_FOUND" },
    );
    const code = await runEmulators({
      out: output.out,
      stop: new AbortController().signal,
      loadPackage: () => Promise.reject(missing),
    });
    expect(code).toBe(1);
    expect(output.lines).toEqual([]);
    expect(output.errors).toEqual([
      "copilot-byok emulators: the emulators come from @copilot-byok/testing, which is not installed next to @copilot-byok/cli. Either:",
      "  - install it where the CLI is: npm install --save-dev @copilot-byok/testing",
      "  - or run both without installing: npx -p @copilot-byok/cli -p @copilot-byok/testing copilot-byok emulators",
    ]);
  });

  it("emulators whose close() never ends: stopped all the same, within its bound, saying so", async () => {
    const output = watchedOutput();
    const controller = new AbortController();
    const hanging = {
      startAzureEmulators: async () => ({
        foundry: {
          resourceUrl: "http://127.0.0.1:1",
          baseUrl: "http://127.0.0.1:1/openai/v1/",
          anthropicBaseUrl: "http://127.0.0.1:1/anthropic",
        },
        identity: { url: "http://127.0.0.1:2" },
        authority: undefined,
        env: () => ({ IDENTITY_ENDPOINT: "http://127.0.0.1:2/msi/token", IDENTITY_HEADER: "h" }),
        close: () => new Promise<void>(() => undefined),
      }),
    } as unknown as EmulatorsPackage;
    controller.abort("SIGINT");
    const code = await runEmulators({
      out: output.out,
      stop: controller.signal,
      closeTimeoutMs: 50,
      loadPackage: async () => hanging,
    });
    expect(code).toBe(0);
    expect(output.errors).toEqual([
      "copilot-byok emulators: closing took longer than 50 ms: left to the exit",
    ]);
  });
});

describe("copilot-byok emulators (the built command)", () => {
  beforeAll(() => {
    if (!existsSync(BIN)) throw new Error(`${BIN} is missing: build first (npm run setup)`);
  });

  it.each(["SIGINT", "SIGTERM"] as const)(
    "runs until %s, then closes the emulators and exits 0",
    async (signal) => {
      const child = spawn(process.execPath, [BIN, "emulators"], {
        env: { PATH: process.env.PATH ?? "", HOME: dir },
        stdio: ["ignore", "pipe", "pipe"],
      });
      let stdout = "";
      let stderr = "";
      child.stderr.on("data", (d) => {
        stderr += d;
      });
      const killer = setTimeout(() => child.kill("SIGKILL"), 30_000);
      const ended = new Promise<number | null>((resolve) => child.once("close", resolve));
      await new Promise<void>((resolve) => {
        child.stdout.on("data", (d) => {
          stdout += d;
          if (stdout.includes("# Check what an app will do with them")) resolve();
        });
        child.once("close", () => resolve());
      });
      const url = /^export AZURE_AI_FOUNDRY_RESOURCE_URL='(.+)'$/m.exec(stdout)?.[1] as string;
      const ask = () =>
        fetch(`${url}/openai/v1/responses`, {
          method: "POST",
          headers: { "api-key": EMULATOR_API_KEY, "content-type": "application/json" },
          body: JSON.stringify({ model: "gpt-4.1", input: "ping" }),
          signal: AbortSignal.timeout(10_000),
        });
      expect((await ask()).status).toBe(200);
      child.kill(signal);
      const code = await ended;
      clearTimeout(killer);
      expect(code).toBe(0);
      expect(stderr).toBe("");
      expect(stdout.trimEnd().split("\n").at(-1)).toBe(`# copilot-byok emulators: ${signal}: stopped`);
      await expect(ask()).rejects.toThrow();
    },
    60_000,
  );

  it("the variables it prints run the doctor healthy in Entra ID mode (the real @azure/identity, a child process)", async () => {
    const command = await startCommand(["--json"]);
    try {
      const { env } = JSON.parse(command.ready) as EmulatorsDescription;
      // Asynchronously: the emulators answer from this process.
      const { stdout: doctor } = await execFileAsync(
        process.execPath,
        [BIN, "doctor", "--probe", "--timeout", "20000"],
        { encoding: "utf8", env: { PATH: process.env.PATH ?? "", HOME: dir, ...env }, timeout: 30_000 },
      );
      expect(doctor).toContain("copilot-byok doctor: healthy\n\nmode: azure-entra\n");
      expect(doctor).toMatch(/^probe: OK HTTP 200 POST /m);
    } finally {
      expect(await command.stop("SIGINT")).toBe(0);
    }
  }, 60_000);
});

// The CLI installed without @copilot-byok/testing (an optional peer): doctor works, emulators and demo say
// what to install. An install made here: the CLI's dependencies linked, the package itself copied (a link
// would resolve back to the workspace, where the testing package is).
describe("copilot-byok installed without @copilot-byok/testing", () => {
  let bin: string;
  beforeAll(async () => {
    if (!existsSync(BIN)) throw new Error(`${BIN} is missing: build first (npm run setup)`);
    const cli = fileURLToPath(new URL("..", import.meta.url));
    const modules = join(dir, "install", "node_modules");
    for (const entry of readdirSync(join(cli, "node_modules"))) {
      const names = entry.startsWith("@")
        ? readdirSync(join(cli, "node_modules", entry)).map((name) => `${entry}/${name}`)
        : [entry];
      for (const name of names.filter((n) => n !== "@copilot-byok/testing" && !n.startsWith("."))) {
        await mkdir(dirname(join(modules, name)), { recursive: true });
        await symlink(realpathSync(join(cli, "node_modules", name)), join(modules, name));
      }
    }
    const installed = join(modules, "@copilot-byok", "cli");
    await cp(join(cli, "dist"), join(installed, "dist"), { recursive: true });
    await cp(join(cli, "package.json"), join(installed, "package.json"));
    bin = join(installed, "dist", "esm", "bin.js");
  });

  const run = (args: string[]) =>
    execFileAsync(process.execPath, [bin, ...args], {
      encoding: "utf8",
      env: { PATH: process.env.PATH ?? "", HOME: dir },
      timeout: 30_000,
    }).then(
      ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
      (error: { code: number; stdout: string; stderr: string }) => error,
    );

  it.each(["emulators", "demo"])("%s: says what to install, exit 1", async (command) => {
    const { code, stdout, stderr } = await run([command]);
    expect(code).toBe(1);
    expect(stdout).toBe("");
    expect(stderr.split("\n")).toEqual([
      `copilot-byok ${command}: the emulators come from @copilot-byok/testing, which is not installed next to @copilot-byok/cli. Either:`,
      "  - install it where the CLI is: npm install --save-dev @copilot-byok/testing",
      `  - or run both without installing: npx -p @copilot-byok/cli -p @copilot-byok/testing copilot-byok ${command}`,
      "",
    ]);
  });

  it("doctor and --version work without it", async () => {
    const doctor = await run(["doctor"]);
    expect(doctor.code).toBe(1);
    expect(doctor.stdout.split("\n")[0]).toBe("copilot-byok doctor: problems found");
    const version = await run(["--version"]);
    expect(version.stdout).toBe(
      `${JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")).version}\n`,
    );
  });
});
