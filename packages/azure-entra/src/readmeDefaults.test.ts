import type { TokenCredential } from "@azure/core-auth";
import { ConfigurationError, selectProviderConfigSource } from "@copilot-byok/core";
import { DEFAULT_RETRY } from "@copilot-byok/core/plugin";
import { codeSpansOf, type MarkdownRow, markdownTablesInFile } from "@copilot-byok/test-utils/markdownTable";
import { afterEach, describe, expect, it, vi } from "vitest";
import { createAzureEntraModule } from "./azureEntraModule.js";
import { EntraIdProviderConfigSource } from "./EntraIdProviderConfigSource.js";
import { scopeForEndpoint } from "./scopeForEndpoint.js";
import { TokenCache } from "./TokenCache.js";

// The README's "Refresh and timeouts" table (option | default | what) against the code's real defaults: each
// documented default is read back from constructed objects (a TokenCache, a source, a module's source), never
// copied here. A README default that drifts from the code fails this test.

const README = new URL("../README.md", import.meta.url);
const ROOT_README = new URL("../../../README.md", import.meta.url);

class FakeCredential implements TokenCredential {
  constructor(private readonly expiresIn = 3_600_000) {}
  async getToken() {
    return { token: "fake-token", expiresOnTimestamp: Date.now() + this.expiresIn };
  }
}
class FailingCredential implements TokenCredential {
  async getToken(): Promise<never> {
    throw new Error("no identity here");
  }
}

const CLOUD_URLS = [
  "https://r.openai.azure.com",
  "https://r.services.ai.azure.com/api/projects/p",
  "https://r.openai.azure.us",
  "https://r.openai.azure.cn",
];
const RESOURCE_URL = "https://my-resource.services.ai.azure.com";

/** The three things the table's options apply to, each built with no option beyond what it needs. */
function constructed() {
  const cache = new TokenCache({ credential: new FakeCredential() });
  const source = new EntraIdProviderConfigSource({ resourceUrl: RESOURCE_URL, modelId: "m" });
  const module = createAzureEntraModule();
  const env = { AZURE_AI_FOUNDRY_RESOURCE_URL: RESOURCE_URL };
  const moduleSource = module.create({ env, selection: selectProviderConfigSource(env, [module]) });
  return { cache, source, moduleSource };
}

/** The first number of a cell, e.g. `300000` of "`300000` (5 min)". */
function numberOf(cell: string): number {
  const match = /`?(\d[\d_ ]*)`?/.exec(cell);
  if (!match) throw new Error(`no number in the default "${cell}"`);
  return Number((match[1] as string).replace(/[_ ]/g, ""));
}

/** `{ a: 1, b: 2 }` of a cell, as an object of numbers. */
function objectOf(cell: string): Record<string, number> {
  const body = /\{([^}]*)\}/.exec(cell)?.[1];
  if (body === undefined) throw new Error(`no object in the default "${cell}"`);
  return Object.fromEntries(
    body.split(",").map((pair) => {
      const [key, value] = pair.split(":").map((s) => s.trim());
      return [key as string, Number(value)];
    }),
  );
}

/** How each row's default is observed; `key` is the row's option names joined by ", ". */
const CHECKS: Record<string, (defaultCell: string) => void | Promise<void>> = {
  scope: (cell) => {
    expect(cell).toMatch(/follows the endpoint's cloud/);
    // Every cloud's resource URL gives the scope scopeForEndpoint derives for its base URL.
    for (const url of CLOUD_URLS) {
      const source = new EntraIdProviderConfigSource({ resourceUrl: url, credential: new FakeCredential() });
      expect(source.scope).toBe(scopeForEndpoint(source.baseUrl).scope);
      expect(source.scopeGiven).toBe(false);
    }
  },
  refreshWindowMs: (cell) => {
    const { cache, source, moduleSource } = constructed();
    const documented = numberOf(cell);
    expect(cache.refreshWindowMs).toBe(documented);
    expect(source.describe().refreshWindowMs).toBe(documented);
    expect(moduleSource.describe().refreshWindowMs).toBe(documented);
    const minutes = /\((\d+) min\)/.exec(cell)?.[1];
    if (minutes !== undefined) expect(Number(minutes) * 60_000).toBe(documented);
  },
  timeoutMs: (cell) => {
    const { cache, source, moduleSource } = constructed();
    const documented = numberOf(cell);
    expect(cache.timeoutMs).toBe(documented);
    expect(source.describe().timeoutMs).toBe(documented);
    expect(moduleSource.describe().timeoutMs).toBe(documented);
  },
  retry: async (cell) => {
    const documented = objectOf(cell);
    // The retry options a cache uses when none are given (core's retryOptionsOf({}) of RefreshingCache).
    expect({ ...DEFAULT_RETRY }).toEqual(documented);
    // And observed: the first retry of a failed background refresh comes initialDelayMs later (no jitter with
    // random() = 0.5), the second initialDelayMs × factor later.
    vi.useFakeTimers({ now: Date.UTC(2030, 0, 1) });
    const retries: number[] = [];
    let calls = 0;
    const credential: TokenCredential = {
      getToken: async () => {
        calls++;
        if (calls > 1) throw new Error("identity endpoint down");
        return { token: "t", expiresOnTimestamp: Date.now() + 10 * 60_000 };
      },
    };
    const cache = new TokenCache({
      credential,
      refreshWindowMs: 9 * 60_000,
      random: () => 0.5,
      onEvent: (e) => {
        if (e.type === "refresh-failed" && e.retryInMs !== undefined) retries.push(e.retryInMs);
      },
    });
    await cache.getToken("api://x/.default");
    await vi.advanceTimersByTimeAsync(61_000);
    await cache.getToken("api://x/.default");
    await vi.advanceTimersByTimeAsync(documented.initialDelayMs as number);
    await vi.advanceTimersByTimeAsync((documented.initialDelayMs as number) * (documented.factor as number));
    cache.dispose();
    expect(retries.slice(0, 2)).toEqual([
      documented.initialDelayMs,
      (documented.initialDelayMs as number) * (documented.factor as number),
    ]);
  },
  "credential, credentialName": (cell) => {
    const { source, moduleSource } = constructed();
    // Source and module: a DefaultAzureCredential, named so.
    const [name] = codeSpansOf(cell);
    expect(source.credentialName).toBe(name);
    expect(moduleSource.describe().credential).toBe(name);
    // TokenCache: the credential is required (no default), and named by its class.
    expect(() => new TokenCache({} as never)).toThrow(ConfigurationError);
    expect(cell).toMatch(/required by `TokenCache`/);
    expect(new TokenCache({ credential: new FakeCredential() }).credentialName).toBe("FakeCredential");
    expect(cell).toMatch(/class name/);
  },
  defaultCredentialOptions: (cell) => {
    // No default: nothing is passed to DefaultAzureCredential unless given (not observable from outside
    // without loading @azure/identity; createLazyDefaultAzureCredential.test.ts covers what is passed).
    expect(cell).toBe("—");
  },
  "logger, onEvent": async (cell) => {
    expect(cell).toBe("silent");
    const writes: unknown[] = [];
    const spies = [
      vi.spyOn(process.stdout, "write").mockImplementation((chunk) => writes.push(chunk) > 0),
      vi.spyOn(process.stderr, "write").mockImplementation((chunk) => writes.push(chunk) > 0),
      ...(["log", "info", "warn", "error", "debug"] as const).map((m) =>
        vi.spyOn(console, m).mockImplementation((...args) => void writes.push(args)),
      ),
    ];
    try {
      const cache = new TokenCache({ credential: new FailingCredential() });
      await expect(cache.getToken("api://x/.default")).rejects.toThrow();
      const source = new EntraIdProviderConfigSource({
        resourceUrl: RESOURCE_URL,
        credential: new FailingCredential(),
      });
      await expect(source.getProviderConfig()).rejects.toThrow();
      cache.dispose();
      source.dispose();
    } finally {
      for (const spy of spies) spy.mockRestore();
    }
    expect(writes).toEqual([]);
  },
  clock: async (cell) => {
    expect(cell).toBe("the system clock");
    // Date.now() decides: a token valid at one system time is expired two hours later.
    vi.useFakeTimers({ now: Date.UTC(2030, 0, 1) });
    const cache = new TokenCache({ credential: new FakeCredential() });
    await cache.getToken("api://x/.default");
    expect(cache.status("api://x/.default").state).toBe("valid");
    vi.setSystemTime(Date.UTC(2030, 0, 1, 2));
    expect(cache.status("api://x/.default").state).toBe("expired");
    cache.dispose();
  },
};

function optionTable(): MarkdownRow[] {
  const tables = markdownTablesInFile(README, "default").filter((rows) =>
    Object.keys(rows[0] ?? {})[0]?.startsWith("option"),
  );
  expect(tables).toHaveLength(1);
  return tables[0] as MarkdownRow[];
}

function keyOf(row: MarkdownRow): string {
  return codeSpansOf(Object.values(row)[0] as string).join(", ");
}

describe("packages/azure-entra/README.md: the defaults of the option table", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it("has a check for every row, and a row for every check", () => {
    expect(optionTable().map(keyOf).sort()).toEqual(Object.keys(CHECKS).sort());
  });

  for (const key of Object.keys(CHECKS)) {
    it(`documents the default of ${key} as the code has it`, async () => {
      const row = optionTable().find((r) => keyOf(r) === key);
      expect(row, `no row for ${key}`).toBeDefined();
      await CHECKS[key]?.((row as MarkdownRow).default as string);
    });
  }
});

describe("README.md: COPILOT_PROVIDER_TOKEN_SCOPE's default follows the endpoint's cloud", () => {
  it("is the scope the azure-entra module derives from each cloud's endpoint", () => {
    const tables = markdownTablesInFile(ROOT_README, "default");
    const row = tables.flat().find((r) => r.variable === "`COPILOT_PROVIDER_TOKEN_SCOPE`");
    expect(row?.default).toMatch(/follows the endpoint's cloud/);
    const module = createAzureEntraModule({ credential: new FakeCredential() });
    for (const url of CLOUD_URLS) {
      const env = { AZURE_AI_FOUNDRY_RESOURCE_URL: url };
      const source = module.create({ env, selection: selectProviderConfigSource(env, [module]) });
      const { baseUrl, scope } = source as EntraIdProviderConfigSource;
      expect(scope).toBe(scopeForEndpoint(baseUrl).scope);
      source.dispose?.();
    }
    expect(scopeForEndpoint("https://r.openai.azure.com/openai/v1/").scope).toBe(
      codeSpansOf(row?.default ?? "")[0],
    );
  });
});
