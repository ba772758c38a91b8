import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { startNode } from "@copilot-byok/test-utils/NodeProcess";
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

describe("node examples/opentelemetry/dist/main.js", () => {
  it("run bare (PATH and HOME only): runs on its own emulator and prints the metrics and spans (exit 0)", async () => {
    const run = await startNode([MAIN], { PATH: process.env.PATH ?? "", HOME: home }).ended;
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("reply 2: Echo: hello after the rotation\n");
    expect(run.stdout).toMatch(
      /the provider answered: 200 \(sha256:\w+\), 401 \(sha256:\w+\), 200 \(sha256:\w+\)\n/,
    );
    expect(run.stdout).toContain("copilot_byok.credential.renewals (counter)\n");
    expect(run.stdout).toContain("copilot_byok.mode=static-key copilot_byok.outcome=renewed\n");
    expect(run.stdout).toContain("event copilot_byok.request_replayed copilot_byok.outcome=accepted\n");
    expect(run.stdout).not.toContain("CANARY");
  }, 120_000);
});
