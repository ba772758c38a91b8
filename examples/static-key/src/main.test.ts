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
const NO_ENDPOINT =
  "  - no provider endpoint: set COPILOT_PROVIDER_BASE_URL, AZURE_AI_FOUNDRY_RESOURCE_URL, AZURE_OPENAI_ENDPOINT (in that precedence)";
let home: string;
beforeAll(async () => {
  if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: build first (npm run setup)`);
  home = await mkdtemp(join(tmpdir(), "example-main-"));
});
afterAll(async () => {
  await rm(home, { recursive: true, force: true });
});
/** The environment of a fresh shell: PATH and HOME only. */
const bare = () => ({ PATH: process.env.PATH ?? "", HOME: home });

describe("node examples/static-key/dist/main.js", () => {
  it("run bare: exit 1 with the configuration's problems, no stack trace", async () => {
    const run = await startNode([MAIN], bare()).ended;
    expect(run.code).toBe(1);
    expect(run.stdout).toBe("");
    expect(run.stderr.split("\n")).toEqual([
      "configuration problems (3):",
      "  - COPILOT_PROVIDER_AUTH=auto found no applicable mode (static-key: no static key variable set (COPILOT_PROVIDER_API_KEY, COPILOT_PROVIDER_API_KEY_FILE, AZURE_OPENAI_API_KEY))",
      NO_ENDPOINT,
      "  - no static key: set COPILOT_PROVIDER_API_KEY, COPILOT_PROVIDER_API_KEY_FILE, AZURE_OPENAI_API_KEY (in that precedence)",
      HINT,
      "",
    ]);
  });

  it("runs with the variables `copilot-byok emulators` prints, the static key line included (README)", async () => {
    const emulators = await startEmulatorsCommand(bare());
    try {
      const { env, staticKeyEnv } = emulators.printed;
      const run = await startNode([MAIN, "hello with a key"], { ...bare(), ...env, ...staticKeyEnv }).ended;
      expect(run.stderr).toBe("");
      expect(run.code).toBe(0);
      expect(run.stdout).toContain("mode: static-key\n");
      expect(run.stdout).toContain("reply: Echo: hello with a key\n");
    } finally {
      expect((await emulators.stop()).code).toBe(0);
    }
  }, 120_000);
});
