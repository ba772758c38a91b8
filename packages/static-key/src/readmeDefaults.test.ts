import { readFileSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { codeSpansOf, markdownTablesInFile } from "@copilot-byok/test-utils/markdownTable";
import { createTempDir } from "@copilot-byok/test-utils/tempDir";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { KeyFileWatcher } from "./KeyFileWatcher.js";
import { defaultKeyPerRequest } from "./keyDelivery.js";
import { StaticKeyProviderConfigSource } from "./StaticKeyProviderConfigSource.js";
import { staticKeyModule } from "./staticKeyModule.js";
import { CANARY_KEY } from "./test-support/canary.js";

// The defaults packages/static-key/README.md states (it has no table with a "default" column: they are in the
// API table's parentheses and in the Rotation list), and README.md's key row, against the code's: read from
// constructed objects, never copied here. A README default that drifts from the code fails this test.

const README = new URL("../README.md", import.meta.url);
const ROOT_README = new URL("../../../README.md", import.meta.url);
const readme = () => readFileSync(README, "utf8");

let temp: { path: string; remove(): Promise<void> };
let file: string;
beforeEach(async () => {
  temp = await createTempDir("sk-defaults-");
  file = join(temp.path, "key");
  await writeFile(file, CANARY_KEY);
});
afterEach(async () => {
  await temp.remove();
});

/** The `(…)` after `` `name` `` in the API table's row of the constructor. */
function constructorDefault(name: string): string {
  const table = markdownTablesInFile(README, "what").find((rows) => "name" in (rows[0] ?? {}));
  const row = table?.find((r) => r.name?.includes("new StaticKeyProviderConfigSource(options)"));
  const match = new RegExp(`\`${name}\` \\(([^)]*)\\)`).exec(row?.what ?? "");
  if (!match) throw new Error(`no default of ${name} in the README's constructor row`);
  return match[1] as string;
}

describe("packages/static-key/README.md: the documented defaults", () => {
  it("the constructor row: type, wireApi, pollIntervalMs, keyPerRequest, logger, clock", () => {
    const source = new StaticKeyProviderConfigSource({
      baseUrl: "https://r.example.com/v1/",
      apiKeyFile: file,
    });
    try {
      const described = source.describe();
      expect(described.type).toBe(codeSpansOf(constructorDefault("type"))[0]);
      expect(described.wireApi).toBe(codeSpansOf(constructorDefault("wireApi"))[0]);
      expect(described.pollIntervalMs).toBe(Number(constructorDefault("pollIntervalMs")));
      expect(constructorDefault("keyPerRequest")).toMatch(/per type/);
      expect(described.keyPerRequest).toBe(defaultKeyPerRequest(described.type as "openai"));
      // Not observable from outside: a silent logger and the system clock are what the source holds when none is
      // given (KeyFileWatcher.test.ts drives the clock; no output is checked by the rotation tests).
      expect(constructorDefault("logger")).toBe("silent");
      expect(codeSpansOf(constructorDefault("clock"))).toEqual(["systemClock"]);
    } finally {
      source.dispose();
    }
  });

  it("Rotation: the poll interval and the settle time", () => {
    const poll = /`pollIntervalMs` \(default \*\*(\d+) ms\*\*/.exec(readme())?.[1];
    const settle = /`settleMs`,\s+default \*\*(\d+) ms\*\*/.exec(readme())?.[1];
    const watcher = new KeyFileWatcher({ path: file });
    try {
      expect(watcher.pollIntervalMs).toBe(Number(poll));
      expect(watcher.settleMs).toBe(Number(settle));
    } finally {
      watcher.dispose();
    }
  });
});

describe("README.md: the key variables have no default", () => {
  it("no key variable set: the static-key mode is not applicable", () => {
    const row = markdownTablesInFile(ROOT_README, "default")
      .flat()
      .find((r) => r.variable?.includes("`COPILOT_PROVIDER_API_KEY`"));
    expect(row?.default).toBe("—");
    const detection = staticKeyModule.detect({
      AZURE_AI_FOUNDRY_RESOURCE_URL: "https://r.services.ai.azure.com",
    });
    expect(detection.applicable).toBe(false);
  });
});
