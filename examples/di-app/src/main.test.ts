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

describe("node examples/di-app/dist/main.js", () => {
  it("run bare: exit 1 with the configuration's problems, no stack trace", async () => {
    const run = await startNode([MAIN], bare()).ended;
    expect(run.code).toBe(1);
    expect(run.stdout).toBe("");
    expect(run.stderr.split("\n")).toEqual(["configuration problems (1):", NO_ENDPOINT, HINT, ""]);
  });

  it("switches mode by the variables `copilot-byok emulators` prints alone: identity, then with the key line", async () => {
    const emulators = await startEmulatorsCommand(bare());
    try {
      const { env, staticKeyEnv } = emulators.printed;
      const identity = await startNode([MAIN, "hello by identity"], { ...bare(), ...env }).ended;
      expect(identity.stderr).toBe("");
      expect(identity.code).toBe(0);
      expect(identity.stdout).toBe("mode: azure-entra\nreply: Echo: hello by identity\n");
      const key = await startNode([MAIN, "hello by key"], { ...bare(), ...env, ...staticKeyEnv }).ended;
      expect(key.stderr).toBe("");
      expect(key.code).toBe(0);
      expect(key.stdout).toBe("mode: static-key\nreply: Echo: hello by key\n");
    } finally {
      expect((await emulators.stop()).code).toBe(0);
    }
  }, 120_000);
});
