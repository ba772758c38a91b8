import { codeSpansOf, type MarkdownRow, markdownTablesInFile } from "@copilot-byok/test-utils/markdownTable";
import { describe, expect, it } from "vitest";
import {
  API_KEY_VARIABLES,
  BASE_URL_VARIABLES,
  COPILOT_PROVIDER_AUTH,
  COPILOT_PROVIDER_MODEL_ID,
  COPILOT_PROVIDER_TOKEN_SCOPE,
  COPILOT_PROVIDER_TYPE,
  COPILOT_PROVIDER_WIRE_API,
  COPILOT_PROVIDER_WIRE_MODEL,
} from "./envNames.js";
import { readProviderEnv } from "./readProviderEnv.js";
import { selectProviderConfigSource } from "./selectProviderConfigSource.js";
import type { ProviderConfigSourceModule } from "./types.js";

// README.md's environment contract (variable | meaning | default) against what the env parser and the
// selection make of an empty environment: the documented default, when set, must give the same result as
// nothing set. A README default that drifts from the code fails this test.

const ROOT_README = new URL("../../../README.md", import.meta.url);

function fakeModule(mode: string, strength: "signals" | "fallback"): ProviderConfigSourceModule {
  return {
    mode,
    detect: () => ({ applicable: true, strength, reasons: [`${mode} detected`] }),
    create: () => {
      throw new Error("not created here");
    },
  };
}
const MODULES = [fakeModule("fallback-mode", "fallback"), fakeModule("signals-mode", "signals")];

/** How each row's default is observed; `key` is the row's variables joined by ", ". */
const CHECKS: Record<string, (defaultCell: string) => void> = {
  [COPILOT_PROVIDER_AUTH]: (cell) => {
    const [documented] = codeSpansOf(cell);
    const unset = selectProviderConfigSource({}, MODULES);
    const set = selectProviderConfigSource({ [COPILOT_PROVIDER_AUTH]: documented as string }, MODULES);
    expect(set.mode).toBe(unset.mode);
    expect(unset.reasons[0]).toContain(`${COPILOT_PROVIDER_AUTH} not set (${documented})`);
  },
  [COPILOT_PROVIDER_TYPE]: (cell) => {
    expect(readProviderEnv({}).settings.type).toBe(codeSpansOf(cell)[0]);
  },
  [COPILOT_PROVIDER_WIRE_API]: (cell) => {
    expect(readProviderEnv({}).settings.wireApi).toBe(codeSpansOf(cell)[0]);
  },
  [COPILOT_PROVIDER_TOKEN_SCOPE]: (cell) => {
    // Without an endpoint (or on the public cloud) the scope is the public cloud's; that it follows the
    // endpoint's cloud is checked by packages/azure-entra/src/readmeDefaults.test.ts.
    expect(cell).toMatch(/follows the endpoint's cloud/);
    expect(readProviderEnv({}).settings.tokenScope).toBe(codeSpansOf(cell)[0]);
  },
  [BASE_URL_VARIABLES[0]]: (cell) => {
    expect(cell).toBe("—");
    expect(readProviderEnv({}).settings.baseUrl).toBeUndefined();
  },
  [BASE_URL_VARIABLES[1]]: (cell) => {
    expect(cell).toBe("—");
    expect(readProviderEnv({}).settings.baseUrlVariable).toBeUndefined();
  },
  [BASE_URL_VARIABLES[2]]: (cell) => {
    expect(cell).toBe("—");
    expect(readProviderEnv({}).settings.baseUrlVariable).toBeUndefined();
  },
  [`${COPILOT_PROVIDER_MODEL_ID}, ${COPILOT_PROVIDER_WIRE_MODEL}`]: (cell) => {
    expect(cell).toBe("—");
    expect(readProviderEnv({}).settings.modelId).toBeUndefined();
    expect(readProviderEnv({}).settings.wireModel).toBeUndefined();
  },
  // Not observable in core: the key is read by @copilot-byok/static-key (no key, no static-key mode; see
  // packages/static-key/src/readmeDefaults.test.ts). Checked here: the names and their precedence.
  [API_KEY_VARIABLES.join(", ")]: (cell) => {
    expect(cell).toBe("—");
  },
  // Not observable here: read by @azure/identity itself, not by this library; the README gives no default.
  "AZURE_CLIENT_ID, AZURE_TOKEN_CREDENTIALS": (cell) => {
    expect(cell).toBe("");
  },
};

function envTable(): MarkdownRow[] {
  const tables = markdownTablesInFile(ROOT_README, "default").filter((rows) => "variable" in (rows[0] ?? {}));
  expect(tables).toHaveLength(1);
  return tables[0] as MarkdownRow[];
}

const keyOf = (row: MarkdownRow) => codeSpansOf(row.variable ?? "").join(", ");

describe("README.md: the defaults of the environment contract", () => {
  it("has a check for every row, and a row for every check", () => {
    expect(envTable().map(keyOf).sort()).toEqual(Object.keys(CHECKS).sort());
  });

  for (const key of Object.keys(CHECKS)) {
    it(`documents the default of ${key} as the code has it`, () => {
      const row = envTable().find((r) => keyOf(r) === key);
      expect(row, `no row for ${key}`).toBeDefined();
      CHECKS[key]?.((row as MarkdownRow).default as string);
    });
  }
});
