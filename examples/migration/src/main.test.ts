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

describe("node examples/migration/dist/main.js", () => {
  it("run bare: walks the migration on its own emulators, the doctor healthy at each step (exit 0)", async () => {
    const run = await startNode([MAIN], bare()).ended;
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(run.stdout.match(/^copilot-byok doctor: healthy$/gm)).toHaveLength(4);
  }, 120_000);

  it("a bad configuration: exit 1 with the doctor's problems, no stack trace", async () => {
    const run = await startNode([MAIN], {
      ...bare(),
      AZURE_AI_FOUNDRY_RESOURCE_URL: "https://example.services.ai.azure.com",
      COPILOT_PROVIDER_AUTH: "azure-entr",
    }).ended;
    expect(run.code).toBe(1);
    expect(run.stderr).toBe("");
    expect(run.stdout).toContain(
      '\nproblems:\n  - COPILOT_PROVIDER_AUTH has "azure-entr", which is not a registered mode: did you mean azure-entra? Use one of auto, static-key, azure-entra (or pass the module that serves it in modules)\n',
    );
    expect(run.stdout + run.stderr).not.toMatch(/^\s+at /m);
  });

  it("with the variables `copilot-byok emulators` prints: the doctor on that environment, healthy (exit 0)", async () => {
    const emulators = await startEmulatorsCommand(bare());
    try {
      const run = await startNode([MAIN], { ...bare(), ...emulators.printed.env }).ended;
      expect(run.stderr).toBe("");
      expect(run.code).toBe(0);
      expect(run.stdout).toContain(
        "=== your environment ===\ncopilot-byok doctor: healthy\n\nmode: azure-entra\n",
      );
      expect(run.stdout).toMatch(/^probe: OK HTTP 200 POST /m);
    } finally {
      expect((await emulators.stop()).code).toBe(0);
    }
  }, 120_000);
});
