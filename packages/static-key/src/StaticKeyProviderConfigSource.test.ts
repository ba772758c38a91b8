import { randomBytes } from "node:crypto";
import { rename, rm, writeFile } from "node:fs/promises";
import { join, relative } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { inspect } from "node:util";
import { CopilotByokError, fingerprint } from "@copilot-byok/core";
import { createCaptureLogger } from "@copilot-byok/test-utils/captureLogger";
import { configurationErrorOf } from "@copilot-byok/test-utils/configurationErrorOf";
import { KubernetesSecretVolume } from "@copilot-byok/test-utils/KubernetesSecretVolume";
import { createTempDir } from "@copilot-byok/test-utils/tempDir";
import { trackAsyncResources } from "@copilot-byok/test-utils/trackAsyncResources";
import { waitFor } from "@copilot-byok/test-utils/waitFor";
import type { ProviderConfig } from "@github/copilot-sdk";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  StaticKeyProviderConfigSource,
  type StaticKeyProviderConfigSourceOptions,
} from "./StaticKeyProviderConfigSource.js";
import { KEY_FILE_PATH_NOT_SHOWN } from "./showKeyFilePath.js";
import { CANARY_JWT, CANARY_KEY } from "./test-support/canary.js";
import { makeFifo, releaseFifoReaders, startFifoWriter } from "./test-support/fifo.js";
import { KEY_FILE_WAIT } from "./test-support/keyFileWait.js";

const RESOURCE = "https://r.services.ai.azure.com";
const BASE = "https://r.services.ai.azure.com/openai/v1/";
const ARGS = { providerName: "default", sessionId: "s-1" };

let temp: { path: string; remove(): Promise<void> };
const sources: StaticKeyProviderConfigSource[] = [];
const create = (options: StaticKeyProviderConfigSourceOptions) => {
  const source = new StaticKeyProviderConfigSource(options);
  sources.push(source);
  return source;
};

beforeEach(async () => {
  temp = await createTempDir("static-key-");
});
afterEach(async () => {
  for (const s of sources.splice(0)) s.dispose();
  await temp.remove();
});

/** The problems of the ConfigurationError `fn` throws, whose renderings must not hold the canary key. */
function problemsOf(fn: () => unknown): readonly string[] {
  const e = configurationErrorOf(fn);
  expect(`${e.message}\n${e.stack}\n${inspect(e)}\n${JSON.stringify(e)}`).not.toContain(CANARY_KEY);
  return e.problems;
}

const tokenOf = (config: ProviderConfig) => {
  if (!config.bearerTokenProvider) throw new Error("no bearerTokenProvider");
  return config.bearerTokenProvider(ARGS);
};

describe("StaticKeyProviderConfigSource: options", () => {
  it("takes a local server's short key with a warning, and refuses it for a hosted provider", async () => {
    const logger = createCaptureLogger();
    const local = new StaticKeyProviderConfigSource({
      baseUrl: "http://localhost:8000/v1",
      apiKey: "sk-1234",
      logger,
    });
    expect((await local.getProviderConfig()).apiKey).toBe("sk-1234");
    expect(logger.messages("warn")).toEqual([
      `apiKey (fingerprint ${fingerprint("sk-1234")}) is 7 characters long: fine for a local server, but no hosted provider issues keys shorter than 20 characters`,
    ]);
    expect(
      configurationErrorOf(() => new StaticKeyProviderConfigSource({ baseUrl: BASE, apiKey: "sk-1234" }))
        .problems,
    ).toEqual([
      `apiKey (fingerprint ${fingerprint("sk-1234")}) is 7 characters long: no provider issues keys shorter than 20 characters; is it the right value?`,
    ]);
  });

  it("lists every problem at once, never the key", () => {
    const problems = problemsOf(() =>
      create({
        baseUrl: "http://models.example.com/v1",
        apiKey: `${CANARY_KEY} `,
        type: "gpt" as never,
        wireApi: "chat" as never,
        modelId: " ",
        keyPerRequest: "yes" as never,
        apikey: CANARY_KEY,
      } as StaticKeyProviderConfigSourceOptions),
    );
    expect(problems).toEqual([
      expect.stringMatching(
        /^unknown option "apikey": accepted are baseUrl, resourceUrl, type, wireApi, modelId, wireModel, headers, azure, apiKey, apiKeyFile/,
      ),
      'type has "gpt", which is not accepted: use one of openai, azure, anthropic',
      'wireApi has "chat", which is not accepted: use one of responses, completions',
      expect.stringMatching(/^baseUrl uses http:\/\/ with the non-loopback host models\.example\.com/),
      "modelId must be a non-empty string",
      "keyPerRequest must be true or false",
      `apiKey (fingerprint ${fingerprint(`${CANARY_KEY} `)}) contains spaces or tabs: an API key has none; remove them`,
    ]);
  });

  it.each<[string, StaticKeyProviderConfigSourceOptions, string[]]>([
    [
      "nothing",
      {},
      [
        "no provider endpoint: give baseUrl (used as is) or resourceUrl (an Azure AI Foundry / Azure OpenAI resource URL, e.g. https://<resource>.services.ai.azure.com)",
        "no key: give apiKey or apiKeyFile (from the environment: COPILOT_PROVIDER_API_KEY, COPILOT_PROVIDER_API_KEY_FILE, AZURE_OPENAI_API_KEY)",
      ],
    ],
    [
      "both of each",
      { baseUrl: BASE, resourceUrl: RESOURCE, apiKey: CANARY_KEY, apiKeyFile: "/run/secrets/key" },
      [
        "both baseUrl and resourceUrl are given: give exactly one",
        "both apiKey and apiKeyFile are given: give exactly one",
      ],
    ],
    [
      "an empty key file path",
      { baseUrl: BASE, apiKeyFile: "" },
      ["apiKeyFile is empty: give the path of the key file"],
    ],
    [
      "a resource URL with a query",
      { resourceUrl: `${RESOURCE}/?x=1`, apiKey: CANARY_KEY },
      [
        `resourceUrl is a resource URL and must not have a query or fragment: ${RESOURCE}/ (query/fragment of 4 characters not shown); remove them`,
      ],
    ],
  ])("rejects %s", (_, options, expected) => {
    expect(problemsOf(() => create(options))).toEqual(expected);
  });

  it("rejects a JWT as a key, naming the variable it came from", () => {
    expect(
      problemsOf(() =>
        create({ baseUrl: BASE, apiKey: CANARY_JWT, keyVariable: "COPILOT_PROVIDER_API_KEY" }),
      ),
    ).toEqual([
      `COPILOT_PROVIDER_API_KEY (fingerprint ${fingerprint(CANARY_JWT)}) looks like a bearer token (JWT), not an API key: use COPILOT_PROVIDER_AUTH=azure-entra for Entra tokens`,
    ]);
  });

  it("reports a missing key file together with the other problems", () => {
    const path = join(temp.path, "nope");
    expect(
      problemsOf(() =>
        create({ resourceUrl: "ftp://r", apiKeyFile: path, pollIntervalMs: 0, keyVariable: "KEY_FILE" }),
      ),
    ).toEqual([
      "resourceUrl must use https:// (or http:// for a loopback host), not ftp://",
      "pollIntervalMs must be a number of milliseconds from 10 to 3600000 (got 0)",
      `the key file ${path} (KEY_FILE) does not exist`,
    ]);
  });
});

describe("StaticKeyProviderConfigSource: provider config", () => {
  it("openai: apiKey and a per-request callback with the same key (Authorization: Bearer either way)", async () => {
    const source = create({ baseUrl: BASE, apiKey: `${CANARY_KEY}\n`, modelId: "gpt-4.1" });
    const config = await source.getProviderConfig();
    expect(config).toEqual({
      type: "openai",
      wireApi: "responses",
      baseUrl: BASE,
      apiKey: CANARY_KEY,
      bearerTokenProvider: expect.any(Function),
      modelId: "gpt-4.1",
    });
    expect(await tokenOf(config)).toBe(CANARY_KEY);
    expect(source.describe()).toEqual({
      mode: "static-key",
      baseUrl: BASE,
      type: "openai",
      wireApi: "responses",
      modelId: "gpt-4.1",
      keySource: "option",
      fingerprint: fingerprint(CANARY_KEY),
      credentialHeader: "Authorization: Bearer",
      keyPerRequest: true,
    });
  });

  it("azure: the resource root (the runtime adds /openai/v1/), key per request by default", async () => {
    const source = create({
      resourceUrl: `${RESOURCE}/`,
      apiKey: CANARY_KEY,
      type: "azure",
      wireApi: "completions",
      wireModel: "my-deployment",
    });
    const config = await source.getProviderConfig();
    expect(config).toMatchObject({
      type: "azure",
      wireApi: "completions",
      baseUrl: RESOURCE,
      apiKey: CANARY_KEY,
      wireModel: "my-deployment",
    });
    expect(await tokenOf(config)).toBe(CANARY_KEY);
    expect(source.describe().credentialHeader).toBe("Authorization: Bearer");
  });

  it("azure with keyPerRequest: false keeps the api-key header (no callback)", async () => {
    const source = create({ resourceUrl: RESOURCE, apiKey: CANARY_KEY, type: "azure", keyPerRequest: false });
    const config = await source.getProviderConfig();
    expect(config.bearerTokenProvider).toBeUndefined();
    expect(source.describe()).toMatchObject({ credentialHeader: "api-key", keyPerRequest: false });
  });

  it("anthropic: apiKey only (x-api-key), no wire API", async () => {
    const source = create({
      baseUrl: "https://r.services.ai.azure.com/anthropic",
      apiKey: CANARY_KEY,
      type: "anthropic",
    });
    const config = await source.getProviderConfig();
    expect(config).toEqual({
      type: "anthropic",
      baseUrl: "https://r.services.ai.azure.com/anthropic",
      apiKey: CANARY_KEY,
    });
    expect(source.describe()).toMatchObject({ credentialHeader: "x-api-key", keyPerRequest: false });
  });

  it("anthropic with keyPerRequest: true is allowed, with a warning", () => {
    const logger = createCaptureLogger();
    create({ baseUrl: BASE, apiKey: CANARY_KEY, type: "anthropic", keyPerRequest: true, logger });
    expect(logger.messages("warn").join()).toMatch(/Anthropic's own API does not accept that/);
  });

  it("hands out a fresh object each call", async () => {
    const source = create({ baseUrl: BASE, apiKey: CANARY_KEY });
    const a = await source.getProviderConfig();
    const b = await source.getProviderConfig();
    expect(a).not.toBe(b);
    expect(a).toEqual(b);
  });

  it("honours an aborted signal", async () => {
    const source = create({ baseUrl: BASE, apiKey: CANARY_KEY });
    await expect(source.getProviderConfig({ signal: AbortSignal.abort() })).rejects.toThrow(/abort/i);
  });
});

describe("StaticKeyProviderConfigSource: the key never shows", () => {
  it("not in logs, errors, util.inspect, JSON or describe()", async () => {
    const logger = createCaptureLogger();
    const path = join(temp.path, "key");
    await writeFile(path, `${CANARY_KEY}\n`);
    const source = create({ baseUrl: BASE, apiKeyFile: path, pollIntervalMs: 20, logger });
    const config = await source.getProviderConfig();

    const rendered = [
      inspect(source, { depth: 10, showHidden: true }),
      JSON.stringify(source),
      JSON.stringify(source.describe()),
      inspect(source.describe()),
      inspect(config, { depth: 10 }),
      String(source),
    ];
    for (const text of rendered) expect(text).not.toContain(CANARY_KEY);
    expect(JSON.stringify(source)).toContain(fingerprint(CANARY_KEY));
    expect(inspect(config)).toContain("[REDACTED]");

    // a rotation, a deletion, an invalid content and a failed creation: all logged, none with the key
    await writeFile(path, CANARY_JWT);
    await waitFor(() => source.describe().keyFileProblem !== undefined, {
      ...KEY_FILE_WAIT,
      what: "the invalid content",
    });
    problemsOf(() => create({ baseUrl: BASE, apiKey: `${CANARY_KEY}\u0000`, logger }));
    source.dispose();
    const error = await source.getProviderConfig().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CopilotByokError);
    expect(`${inspect(error)} ${JSON.stringify(error)}`).not.toContain(CANARY_KEY);
    expect(logger.events.length).toBeGreaterThan(0);
    expect(logger.text()).not.toContain(CANARY_KEY);
    expect(logger.text()).not.toContain(CANARY_JWT.slice(0, 20));
  });
});

describe("StaticKeyProviderConfigSource: a key in the base URL's query", () => {
  it("is masked in describe(), renderings and the ready log line; the base URL sent is unchanged", async () => {
    const queryKey = "canary-query-key-1a2b3c4d";
    const baseUrl = `https://gateway.example.com/openai/v1/?subscription-key=${queryKey}#${queryKey}`;
    const logger = createCaptureLogger();
    const source = create({ baseUrl, apiKey: CANARY_KEY, logger });
    expect(source.describe().baseUrl).toBe(
      "https://gateway.example.com/openai/v1/?subscription-key=[REDACTED]#[REDACTED]",
    );
    const shown = [
      JSON.stringify(source.describe()),
      inspect(source, { depth: 10 }),
      JSON.stringify(source),
      logger.text(),
    ];
    for (const text of shown) expect(text).not.toContain(queryKey);
    expect((await source.getProviderConfig()).baseUrl).toBe(baseUrl);
  });

  it("shows a near miss of a choice, but not a short key pasted into it", () => {
    const key = "sk-test-51d0c9a4e27b83f6";
    const text = problemsOf(() =>
      create({ baseUrl: BASE, apiKey: CANARY_KEY, type: key as never, wireApi: "Responses " as never }),
    ).join("\n");
    expect(text).not.toContain(key);
    expect(text).toContain(`type has a value of ${key.length} characters (not shown)`);
    expect(text).toContain(
      'wireApi has "Responses", which is not accepted: use one of responses, completions',
    );
  });
});

describe("StaticKeyProviderConfigSource: a rotating Kubernetes secret", () => {
  it("adopts each of 12 ..data swaps, in order, while many calls run; never an empty, partial or older key", async () => {
    const POLL_MS = 50;
    const ROTATIONS = 12;
    const WORKERS = 16;
    const keys = Array.from(
      { length: ROTATIONS + 1 },
      (_, i) => `rotation-${i}-${randomBytes(24).toString("hex")}`,
    );
    const rank = new Map(keys.map((k, i) => [k, i]));
    const volume = await KubernetesSecretVolume.create(join(temp.path, "secret"), {
      "api-key": `${keys[0]}\n`,
    });
    const logger = createCaptureLogger();
    const source = create({
      resourceUrl: RESOURCE,
      type: "azure",
      apiKeyFile: volume.path("api-key"),
      pollIntervalMs: POLL_MS,
      logger,
    });
    const rotations: string[] = [];
    source.onKeyRotated((rotation) => rotations.push(rotation.fingerprint));

    let stop = false;
    const bad: string[] = [];
    let calls = 0;
    // Each worker alternates getProviderConfig() (new sessions) and the per-request callback (running
    // sessions), and checks every key it sees is whole and never older than one it saw before.
    const worker = async () => {
      let last = 0;
      for (let i = 0; i < 200_000 && !stop; i++) {
        const config = await source.getProviderConfig();
        const seen = [config.apiKey ?? "", await tokenOf(config)];
        for (const key of seen) {
          const r = rank.get(key);
          if (r === undefined) bad.push(`unknown key of length ${key.length}`);
          else if (r < last) bad.push(`went back from key ${last} to key ${r}`);
          else last = r;
        }
        calls += 1;
        if (i % 8 === 0) await sleep(0);
      }
    };
    const workers = Array.from({ length: WORKERS }, worker);

    try {
      for (const key of keys.slice(1)) {
        await sleep(5);
        await volume.update({ "api-key": `${key}\n` });
        // The watch adopts a swap after the settle time (100 ms), the poll within its interval on top; the
        // bound is for a stuck test only (generous: a loaded machine delays timers and reads).
        await waitFor(async () => (await source.getProviderConfig()).apiKey === key, {
          ...KEY_FILE_WAIT,
          timeoutMs: 10_000,
          what: "the rotated key",
        });
      }
    } finally {
      stop = true;
      await Promise.all(workers);
    }

    expect(bad).toEqual([]);
    expect(calls).toBeGreaterThan(ROTATIONS * WORKERS);
    expect(rotations).toEqual(keys.slice(1).map((k) => fingerprint(k)));
    expect(source.describe()).toMatchObject({
      rotations: ROTATIONS,
      fingerprint: fingerprint(keys[ROTATIONS] ?? ""),
    });
    expect(logger.messages("info").filter((m) => m.startsWith("static key rotated"))).toHaveLength(ROTATIONS);
    for (const key of keys) expect(logger.text()).not.toContain(key);
  });

  it("keeps the last good key (with a warning) while the key file is deleted", async () => {
    const volume = await KubernetesSecretVolume.create(join(temp.path, "secret"), { "api-key": CANARY_KEY });
    const logger = createCaptureLogger();
    const source = create({ baseUrl: BASE, apiKeyFile: volume.path("api-key"), pollIntervalMs: 20, logger });
    const config = await source.getProviderConfig();
    await rm(volume.path("api-key"));
    await waitFor(() => source.describe().keyFileProblem !== undefined, {
      ...KEY_FILE_WAIT,
      what: "the deletion",
    });
    expect((await source.getProviderConfig()).apiKey).toBe(CANARY_KEY);
    expect(await tokenOf(config)).toBe(CANARY_KEY);
    expect(logger.messages("warn")).toEqual([
      `the key file ${volume.path("api-key")} (apiKeyFile) does not exist: keeping the last good key (fingerprint ${fingerprint(CANARY_KEY)})`,
    ]);
  });
});

describe("StaticKeyProviderConfigSource: key files that are no key file", () => {
  // Was a bug: the constructor read a FIFO with a blocking open: the main thread waited for a writer, forever
  // without one (the writer below releases such a regression, which then fails instead of hanging).
  it("refuses a FIFO at creation, without blocking", () => {
    const path = join(temp.path, "key");
    makeFifo(path);
    const writer = startFifoWriter(path, CANARY_KEY);
    try {
      expect(problemsOf(() => create({ baseUrl: BASE, apiKeyFile: path }))).toEqual([
        `the key file ${path} (apiKeyFile) is a named pipe (FIFO), not a regular file: the key must be in a regular file (a symlink to one is fine)`,
      ]);
    } finally {
      releaseFifoReaders(path);
      void writer.stop();
    }
  });

  // Was a bug: a key file that became a FIFO froze the poll (its read never completed): the old key was served
  // and describe() showed no problem.
  it("reports a key file that becomes a FIFO in describe() and diagnose(), and still adopts the next key", async () => {
    const path = join(temp.path, "key");
    await writeFile(path, CANARY_KEY);
    const source = create({ baseUrl: BASE, apiKeyFile: path, pollIntervalMs: 20 });
    makeFifo(`${path}.fifo`);
    await rename(`${path}.fifo`, path);
    try {
      await waitFor(() => source.describe().keyFileProblem !== undefined, {
        ...KEY_FILE_WAIT,
        what: "the FIFO",
      });
      const problem = `the key file ${path} (apiKeyFile) is a named pipe (FIFO), not a regular file: the key must be in a regular file (a symlink to one is fine)`;
      expect(source.describe().keyFileProblem).toBe(problem);
      expect((await source.diagnose()).warnings).toEqual([
        `the key file has a problem, the last good key stays in use: ${problem}`,
      ]);
      expect((await source.getProviderConfig()).apiKey).toBe(CANARY_KEY);
      const next = `next-${CANARY_KEY}`;
      await writeFile(`${path}.next`, next);
      await rename(`${path}.next`, path);
      await waitFor(async () => (await source.getProviderConfig()).apiKey === next, {
        ...KEY_FILE_WAIT,
        what: "the next key",
      });
      expect(source.describe().keyFileProblem).toBeUndefined();
    } finally {
      releaseFifoReaders(path);
    }
  });

  // Was a bug: a relative apiKeyFile was shown as resolved against the working directory, and so judged as a path:
  // a short dashed key or a UUID-shaped key pasted into it was echoed in problems and describe().
  it.each([
    ["a short dashed key", "sk-CANARY-9f8e7d6c5b4a"],
    ["a UUID-shaped key", "7c9e6679-7425-40de-944b-e07fc1f90ae7"],
  ])("does not show %s pasted into apiKeyFile, in problems or describe()", async (_, key) => {
    const cwd = process.cwd();
    process.chdir(temp.path);
    try {
      const missing = configurationErrorOf(() =>
        create({ baseUrl: BASE, apiKeyFile: key, keyVariable: "COPILOT_PROVIDER_API_KEY_FILE" }),
      );
      expect(missing.problems).toEqual([
        `the key file ${KEY_FILE_PATH_NOT_SHOWN} (COPILOT_PROVIDER_API_KEY_FILE) does not exist`,
      ]);
      expect(`${missing.message}\n${inspect(missing)}`).not.toContain(key);

      await writeFile(join(temp.path, key), CANARY_KEY);
      const source = create({ baseUrl: BASE, apiKeyFile: key });
      expect(source.describe().keySource).toBe(`file:${KEY_FILE_PATH_NOT_SHOWN}`);
      const rendered = `${JSON.stringify(source.describe())}\n${inspect(source, { depth: 10 })}\n${JSON.stringify(await source.diagnose())}`;
      expect(rendered).not.toContain(key);
    } finally {
      process.chdir(cwd);
    }
  });
});

describe("StaticKeyProviderConfigSource: fromEnv", () => {
  it("builds from the environment contract, a relative key file resolved against the working directory", async () => {
    const path = join(temp.path, "key");
    await writeFile(path, CANARY_KEY);
    const source = StaticKeyProviderConfigSource.fromEnv({
      AZURE_OPENAI_ENDPOINT: RESOURCE,
      COPILOT_PROVIDER_API_KEY_FILE: relative(process.cwd(), path),
      AZURE_OPENAI_API_KEY: "ignored-lower-precedence-key-0123456789",
      COPILOT_PROVIDER_TYPE: "azure",
      COPILOT_PROVIDER_WIRE_MODEL: "dep",
    });
    sources.push(source);
    expect(source.describe()).toMatchObject({
      baseUrl: RESOURCE,
      type: "azure",
      wireModel: "dep",
      keySource: `file:${path}`,
      keyVariable: "COPILOT_PROVIDER_API_KEY_FILE",
      fingerprint: fingerprint(CANARY_KEY),
    });
    expect((await source.getProviderConfig()).apiKey).toBe(CANARY_KEY);
  });

  it("throws every problem of the environment at once", () => {
    const problems = problemsOf(() =>
      StaticKeyProviderConfigSource.fromEnv({
        COPILOT_PROVIDER_TYPE: "nope",
        COPILOT_PROVIDER_API_KEY: `${CANARY_KEY}\u0001`,
      }),
    );
    expect(problems).toEqual([
      'COPILOT_PROVIDER_TYPE has "nope", which is not accepted: use one of openai, azure, anthropic',
      expect.stringMatching(/^no provider endpoint/),
      expect.stringMatching(
        /^COPILOT_PROVIDER_API_KEY \(fingerprint sha256:[0-9a-f]{8}\) contains control characters/,
      ),
    ]);
  });

  it("names the variable in key file problems", () => {
    const path = join(temp.path, "missing");
    expect(
      problemsOf(() =>
        StaticKeyProviderConfigSource.fromEnv({
          COPILOT_PROVIDER_BASE_URL: BASE,
          COPILOT_PROVIDER_API_KEY_FILE: path,
        }),
      ),
    ).toEqual([`the key file ${path} (COPILOT_PROVIDER_API_KEY_FILE) does not exist`]);
  });
});

describe("StaticKeyProviderConfigSource: dispose", () => {
  it("stops the watch and the timer; later calls fail clearly", async () => {
    const path = join(temp.path, "key");
    await writeFile(path, CANARY_KEY);
    const tracked = trackAsyncResources(
      () => new StaticKeyProviderConfigSource({ baseUrl: BASE, apiKeyFile: path, pollIntervalMs: 10 }),
    );
    try {
      const source = tracked.value;
      const config = await source.getProviderConfig();
      await sleep(40);
      await waitFor(() => tracked.alive(["Timeout", "FSEVENTWRAP"]).sort().join() === "FSEVENTWRAP,Timeout", {
        ...KEY_FILE_WAIT,
        what: "the watch and an armed poll timer",
      });
      await source.dispose();
      await waitFor(
        () => tracked.alive(["Timeout", "FSEVENTWRAP", "FILEHANDLE", "FSREQCALLBACK"]).length === 0,
        { ...KEY_FILE_WAIT, timeoutMs: 2000, what: "the source's resources to be released" },
      );
      await expect(source.getProviderConfig()).rejects.toMatchObject({
        code: "COPILOT_BYOK_DISPOSED",
        message: expect.stringMatching(/^StaticKeyProviderConfigSource is disposed/),
      });
      await expect(tokenOf(config)).rejects.toMatchObject({ code: "COPILOT_BYOK_DISPOSED" });
      expect(source.describe()).toMatchObject({ disposed: true, watching: false });
      source.dispose();
    } finally {
      tracked.stop();
    }
  });
});
