import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";

/** The built package (`npm test` builds it first), in a process of its own: what keeps a process alive. */
const esmEntry = join(resolve(dirname(fileURLToPath(import.meta.url)), ".."), "dist", "esm", "index.js");

describe.skipIf(!existsSync(esmEntry))("TokenCache in a process of its own", () => {
  it("keeps the process alive while a caller waits for a hanging credential: the caller gets the timeout", () => {
    // The adversarial review's repro: before the fix the process exited 0 silently, the promise never settled.
    const script = `
const { TokenCache } = await import(${JSON.stringify(pathToFileURL(esmEntry).href)});
const cache = new TokenCache({ credential: { getToken: () => new Promise(() => {}) }, timeoutMs: 200 });
cache.getToken("https://cognitiveservices.azure.com/.default").then(
  () => console.log("resolved"),
  (error) => console.log("rejected", error.reason),
);
process.on("exit", () => console.log("exit"));
`;
    const run = spawnSync(process.execPath, ["--input-type=module", "-e", script], {
      encoding: "utf8",
      timeout: 20_000,
    });
    expect(run.stderr).toBe("");
    expect(run.stdout.trim().split("\n")).toEqual(["rejected timeout", "exit"]);
    expect(run.status).toBe(0);
  });
});
