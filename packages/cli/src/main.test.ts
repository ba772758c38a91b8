import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { main, USAGE } from "./main.js";
import { createMemoryOutput } from "./Output.js";

const CLI_DIR = fileURLToPath(new URL("..", import.meta.url));
const BROKER = "./src/test-support/testBrokerModule.mjs";
const BROKER_TOKEN = "canary-main-broker-token-e5a07d3c91f2";

describe("copilot-byok main", () => {
  it.each([
    [["frobnicate"], 'unknown command "frobnicate"'],
    [[], "no command given"],
    [["doctor", "--nope"], "unknown option --nope"],
    [["doctor", "--timeout", "soon"], "--timeout must be a positive whole number"],
    [["doctor", "--timeout", "0"], "--timeout must be a positive whole number"],
    [["doctor", "extra"], 'unexpected argument "extra"'],
  ])("%j is a usage error (exit 2)", async (argv, message) => {
    const out = createMemoryOutput();
    expect(await main(argv, { env: {}, out })).toBe(2);
    expect(out.errors.join("\n")).toContain(message);
    expect(out.lines).toEqual([]);
  });

  // Item 7 of "A newcomer's first hour": Node's parse message for --version, and no "did you mean".
  it.each([
    [
      ["doctr"],
      'copilot-byok: unknown command "doctr": did you mean doctor? (commands: doctor, demo, emulators)',
    ],
    [
      ["emulator"],
      'copilot-byok: unknown command "emulator": did you mean emulators? (commands: doctor, demo, emulators)',
    ],
    [["frobnicate"], 'copilot-byok: unknown command "frobnicate" (commands: doctor, demo, emulators)'],
    [["doctor", "--prob"], "copilot-byok: unknown option --prob: did you mean --probe?"],
    [["doctor", "--nope"], "copilot-byok: unknown option --nope"],
    [["doctor", "-x"], "copilot-byok: unknown option -x"],
    [
      ["emulators", "--env-file", "vars.env"],
      "copilot-byok: unknown option --env-file: did you mean --write-env?",
    ],
    [["doctor", "--timeout"], "copilot-byok: --timeout needs a value"],
    [["doctor", "--timeout", "--probe"], "copilot-byok: --timeout needs a value"],
    [["doctor", "--json=yes"], "copilot-byok: --json takes no value"],
  ])("%j: one short line of ours, then the usage (exit 2)", async (argv, message) => {
    const out = createMemoryOutput();
    expect(await main(argv, { env: {}, out })).toBe(2);
    expect(out.errors).toEqual([message, USAGE]);
    expect(out.lines).toEqual([]);
  });

  it.each([
    [["doctor", "--write-env", "vars.env"], "copilot-byok: --write-env applies to emulators only"],
    [["emulators", "--probe"], "copilot-byok: --probe applies to doctor only"],
    [["emulators", "--timeout", "5"], "copilot-byok: --timeout applies to doctor and demo only"],
  ])("%j: an option of another command is a usage error in one line (exit 2)", async (argv, message) => {
    const out = createMemoryOutput();
    expect(await main(argv, { env: {}, out })).toBe(2);
    expect(out.errors).toEqual([message]);
    expect(out.lines).toEqual([]);
  });

  it("prints the version of its package.json for --version (exit 0)", async () => {
    const manifest = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8"));
    for (const argv of [["--version"], ["doctor", "--version"]]) {
      const out = createMemoryOutput();
      expect(await main(argv, { env: {}, out })).toBe(0);
      expect(out.lines).toEqual([manifest.version]);
      expect(out.errors).toEqual([]);
    }
  });

  it("prints the usage for --help (exit 0)", async () => {
    const out = createMemoryOutput();
    expect(await main(["--help"], { env: {}, out })).toBe(0);
    expect(out.lines.join("\n")).toBe(USAGE);
  });

  it("exits 1 with every problem when the configuration is bad", async () => {
    const out = createMemoryOutput();
    const code = await main(["doctor"], {
      env: { COPILOT_PROVIDER_AUTH: "magic", COPILOT_PROVIDER_TYPE: "x" },
      out,
    });
    expect(code).toBe(1);
    const text = out.lines.join("\n");
    expect(text).toContain("problems found");
    expect(text).toContain("COPILOT_PROVIDER_AUTH");
    expect(text).toContain("use one of auto, static-key, azure-entra");
    expect(text).toContain("COPILOT_PROVIDER_TYPE");
    expect(text).toContain("no provider endpoint");
  });

  it("prints JSON with --json", async () => {
    const out = createMemoryOutput();
    const code = await main(["doctor", "--json"], { env: { COPILOT_PROVIDER_AUTH: "magic" }, out });
    expect(code).toBe(1);
    const report = JSON.parse(out.lines.join("\n"));
    expect(report.healthy).toBe(false);
    expect(report.problems.length).toBeGreaterThan(0);
  });

  it.each([
    [
      ["doctor", "--module", "./src/test-support/missing.mjs"],
      "--module ./src/test-support/missing.mjs: no such file",
    ],
    [["doctor", "--module", "@acme/not-installed"], "--module @acme/not-installed: no such package from"],
    [
      ["doctor", "--module", "./src/humanDuration.ts"],
      "--module ./src/humanDuration.ts: exports no provider config source module",
    ],
    [
      ["doctor", "--module", BROKER, "--module", "./src/test-support/missing.mjs"],
      "missing.mjs: no such file",
    ],
    [["demo", "--module", BROKER], "--module applies to doctor only"],
  ])("%j is a usage error (exit 2) in one line naming the plug-in", async (argv, message) => {
    const out = createMemoryOutput();
    expect(await main(argv, { env: {}, out, cwd: CLI_DIR })).toBe(2);
    expect(out.errors).toHaveLength(1);
    expect(out.errors[0]).toContain(message);
    expect(out.lines).toEqual([]);
  });

  it("doctor --module: a plug-in's mode is chosen and reported in full, text and --json, without its token", async () => {
    const env = {
      COPILOT_PROVIDER_BASE_URL: "https://broker-gateway.example/openai/v1/",
      COPILOT_PROVIDER_MODEL_ID: "gpt-4.1",
      TEST_BROKER_TOKEN: BROKER_TOKEN,
    };
    const text = createMemoryOutput();
    expect(await main(["doctor", "--module", BROKER], { env, out: text, cwd: CLI_DIR })).toBe(0);
    const lines = text.lines.join("\n");
    expect(lines).toContain("copilot-byok doctor: healthy");
    expect(lines).toContain("mode: test-broker\n  - COPILOT_PROVIDER_AUTH not set (auto): chose test-broker");
    expect(lines).toContain(`  - test-broker (testBrokerModule from ${BROKER})`);
    expect(lines).toContain("test-broker:\n  credential kind: bearer\n  credential: TestBrokerCredential");
    expect(lines).toContain("token:\n  audience (aud): api://test-broker (matches the scope)");
    expect(lines).toMatch(/ {2}expires: \S+ \(in (59 min|1 h)\)/);

    const json = createMemoryOutput();
    expect(await main(["doctor", "--json", "--module", BROKER], { env, out: json, cwd: CLI_DIR })).toBe(0);
    const report = JSON.parse(json.lines.join("\n"));
    expect(report).toMatchObject({
      healthy: true,
      mode: "test-broker",
      credentialKind: "bearer",
      facts: { credential: "TestBrokerCredential", "token variable": "TEST_BROKER_TOKEN" },
      token: { audience: "api://test-broker", audienceMatchesScope: true, answeredBy: "broker replica b" },
    });
    expect(report.modules.map((m: { mode: string }) => m.mode)).toEqual([
      "static-key",
      "azure-entra",
      "test-broker",
    ]);
    expect(text.lines.join("\n") + json.lines.join("\n")).not.toContain(BROKER_TOKEN);
  });
});
