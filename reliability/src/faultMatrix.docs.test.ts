import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { EMULATOR_TESTS, INJECTED_TESTS } from "./support/faultRows.js";

// docs/fault-matrix.md names each fault-matrix test by its exact title: keep the two in step.

describe("docs/fault-matrix.md", () => {
  it("names every fault-matrix test by its exact title, and every row has a test", async () => {
    const doc = await readFile(new URL("../../docs/fault-matrix.md", import.meta.url), "utf8");
    const titles = [...Object.values(EMULATOR_TESTS), ...Object.values(INJECTED_TESTS)];
    expect(titles.filter((title) => !doc.includes(title))).toEqual([]);
    for (const id of Object.keys(EMULATOR_TESTS)) expect(doc).toMatch(new RegExp(`\\| ${id} \\|`));
  });
});
