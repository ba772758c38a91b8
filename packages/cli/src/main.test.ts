import { describe, expect, it } from "vitest";
import { main, USAGE } from "./main.js";
import { createMemoryOutput } from "./Output.js";

describe("copilot-byok main", () => {
  it.each([
    [["frobnicate"], 'unknown command "frobnicate"'],
    [[], "no command given"],
    [["doctor", "--nope"], "Unknown option '--nope'"],
    [["doctor", "--timeout", "soon"], "--timeout must be a positive whole number"],
    [["doctor", "--timeout", "0"], "--timeout must be a positive whole number"],
    [["doctor", "extra"], 'unexpected argument "extra"'],
  ])("%j is a usage error (exit 2)", async (argv, message) => {
    const out = createMemoryOutput();
    expect(await main(argv, { env: {}, out })).toBe(2);
    expect(out.errors.join("\n")).toContain(message);
    expect(out.lines).toEqual([]);
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
});
