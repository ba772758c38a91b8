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

describe("node examples/long-running-server/dist/main.js", () => {
  it("run bare: exit 1 with the configuration's problems, no stack trace", async () => {
    const run = await startNode([MAIN], bare()).ended;
    expect(run.code).toBe(1);
    expect(run.stdout).toBe("");
    expect(run.stderr.split("\n")).toEqual(["configuration problems (1):", NO_ENDPOINT, HINT, ""]);
  });

  it("a PORT that is no port: exit 1 saying so, with the other problems", async () => {
    const run = await startNode([MAIN], { ...bare(), PORT: "eighty" }).ended;
    expect(run.code).toBe(1);
    expect(run.stderr.split("\n")).toEqual([
      "configuration problems (1):",
      '  - PORT has "eighty": use a whole number from 0 to 65535 (0: any free port)',
      HINT,
      "",
    ]);
  });

  it("serves with the variables `copilot-byok emulators` prints, and stops on SIGTERM (exit 0)", async () => {
    const emulators = await startEmulatorsCommand(bare());
    try {
      const server = startNode([MAIN], { ...bare(), ...emulators.printed.env, PORT: "0" });
      try {
        const ready = await server.line(/^chat server on /);
        const url = /^chat server on (http:\/\/127\.0\.0\.1:\d+) \(mode azure-entra\)/.exec(ready)?.[1];
        expect(url).toBeDefined();
        const response = await fetch(`${url}/ask`, {
          method: "POST",
          body: JSON.stringify({ prompt: "hello over HTTP" }),
          signal: AbortSignal.timeout(60_000),
        });
        expect(response.status).toBe(200);
        expect(await response.json()).toEqual({ mode: "azure-entra", reply: "Echo: hello over HTTP" });
      } finally {
        server.kill("SIGTERM");
      }
      const ended = await server.ended;
      expect(ended.code).toBe(0);
      expect(ended.stdout).toContain("SIGTERM: draining and shutting down\n");
    } finally {
      expect((await emulators.stop()).code).toBe(0);
    }
  }, 120_000);
});
