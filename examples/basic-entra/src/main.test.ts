import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { startNode } from "@copilot-byok/test-utils/NodeProcess";
import { startEmulatorsCommand } from "@copilot-byok/test-utils/startEmulatorsCommand";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

// The built entry, run as the README says (npm test builds before testing).
const MAIN = fileURLToPath(new URL("../dist/main.js", import.meta.url));
const HINT =
  "To try it on this machine: at the repository root, run `npx @copilot-byok/cli emulators` in another terminal and export the variables it prints (see the example's README.md); `npx @copilot-byok/cli doctor` explains a configuration.";
let home: string;
beforeAll(async () => {
  if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: build first (npm run setup)`);
  home = await mkdtemp(join(tmpdir(), "example-basic-entra-main-"));
});
afterAll(async () => {
  await rm(home, { recursive: true, force: true });
});
const bare = () => ({ PATH: process.env.PATH ?? "", HOME: home });

describe("node examples/basic-entra/dist/main.js", () => {
  it("run bare: exit 1 with the configuration's problems, no stack trace", async () => {
    const run = await startNode([MAIN], bare()).ended;
    expect(run.code).toBe(1);
    expect(run.stdout).toBe("");
    expect(run.stderr.split("\n")).toEqual([
      "configuration problems (1):",
      "  - no provider endpoint: set COPILOT_PROVIDER_BASE_URL, AZURE_AI_FOUNDRY_RESOURCE_URL, AZURE_OPENAI_ENDPOINT (in that precedence)",
      HINT,
      "",
    ]);
  });

  it("runs with the variables `copilot-byok emulators` prints (README: two terminals)", async () => {
    const emulators = await startEmulatorsCommand(bare());
    try {
      const run = await startNode([MAIN, "hello from the README"], { ...bare(), ...emulators.printed.env })
        .ended;
      expect(run.stderr).toBe("");
      expect(run.code).toBe(0);
      expect(run.stdout).toContain("mode: azure-entra\n");
      expect(run.stdout).toContain("reply: Echo: hello from the README\n");
    } finally {
      const stopped = await emulators.stop();
      expect(stopped.code).toBe(0);
      expect(stopped.stderr).toBe("copilot-byok emulators: SIGINT: stopped\n");
    }
  }, 120_000);

  it("a failure past the configuration (the identity refuses): one error with its details, no stack trace", async () => {
    const emulators = await startEmulatorsCommand(bare());
    try {
      const run = await startNode([MAIN], {
        ...bare(),
        ...emulators.printed.env,
        IDENTITY_HEADER: "not-the-emulators-header",
      }).ended;
      expect(run.code).toBe(1);
      const lines = run.stderr.trimEnd().split("\n");
      expect(lines[0]).toMatch(/^error: \w+Error: /);
      expect(lines.slice(1, -1).every((line) => line.startsWith("  "))).toBe(true);
      expect(lines.at(-1)).toBe(HINT);
      expect(run.stderr).not.toMatch(/^\s+at /m);
      expect(run.stderr).not.toContain("not-the-emulators-header");
    } finally {
      await emulators.stop();
    }
  }, 120_000);
});
