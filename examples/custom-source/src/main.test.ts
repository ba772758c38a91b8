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

const BROKER = fileURLToPath(new URL("../dist/broker.js", import.meta.url));

describe("node examples/custom-source/dist/main.js", () => {
  it("run bare: exit 1 with the configuration's problems, no stack trace", async () => {
    const run = await startNode([MAIN], bare()).ended;
    expect(run.code).toBe(1);
    expect(run.stdout).toBe("");
    expect(run.stderr.split("\n")).toEqual([
      "configuration problems (3):",
      "  - COPILOT_PROVIDER_AUTH=auto found no applicable mode (token-broker: TOKEN_BROKER_URL is not set)",
      NO_ENDPOINT,
      "  - TOKEN_BROKER_URL is not set: give an https:// URL",
      HINT,
      "",
    ]);
  });

  it("the stand-in broker run bare: exit 1 naming the identity variables it needs", async () => {
    const run = await startNode([BROKER], bare()).ended;
    expect(run.code).toBe(1);
    expect(run.stderr.split("\n")).toEqual([
      "configuration problems (2):",
      "  - IDENTITY_ENDPOINT is not set: the managed identity endpoint the broker asks for tokens",
      "  - IDENTITY_HEADER is not set: the secret header of that endpoint",
      HINT,
      "",
    ]);
  });

  it("runs with the variables `copilot-byok emulators` prints and the stand-in broker's TOKEN_BROKER_URL (README: three terminals)", async () => {
    const emulators = await startEmulatorsCommand(bare());
    try {
      const env = { ...bare(), ...emulators.printed.env };
      const broker = startNode([BROKER], env);
      try {
        const line = await broker.line(/^export TOKEN_BROKER_URL=/);
        const url = /^export TOKEN_BROKER_URL='(.+)'$/.exec(line)?.[1] as string;
        const run = await startNode([MAIN, "hello through the broker"], { ...env, TOKEN_BROKER_URL: url })
          .ended;
        expect(run.stderr).toBe("");
        expect(run.code).toBe(0);
        expect(run.stdout).toContain("mode: token-broker\n");
        expect(run.stdout).toContain("reply: Echo: hello through the broker\n");
      } finally {
        broker.kill("SIGINT");
      }
      expect((await broker.ended).code).toBe(0);
    } finally {
      expect((await emulators.stop()).code).toBe(0);
    }
  }, 120_000);
});
