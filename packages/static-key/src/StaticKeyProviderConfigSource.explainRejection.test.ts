import { rename, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fingerprint } from "@copilot-byok/core";
import { ManualClock } from "@copilot-byok/test-utils/ManualClock";
import { createTempDir } from "@copilot-byok/test-utils/tempDir";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  StaticKeyProviderConfigSource,
  type StaticKeyProviderConfigSourceOptions,
} from "./StaticKeyProviderConfigSource.js";
import { KEY_FILE_PATH_NOT_SHOWN } from "./showKeyFilePath.js";
import { CANARY_KEY } from "./test-support/canary.js";

const RESOURCE = "https://r.services.ai.azure.com";
const NEXT_KEY = "next-static-key-9c8b7a6d5e4f3a2b1c0d9e8f";
const NEW_KEY = "regenerate the key or update the secret, e.g. key1/key2 of the resource";
const OTHER_RESOURCE = `a valid key is refused too when it belongs to another resource or provider: check that it is a key of ${RESOURCE}/openai/v1/`;

let temp: { path: string; remove(): Promise<void> };
let file: string;
const sources: StaticKeyProviderConfigSource[] = [];
const create = (options: Partial<StaticKeyProviderConfigSourceOptions> = {}) => {
  const source = new StaticKeyProviderConfigSource({
    resourceUrl: RESOURCE,
    apiKeyFile: file,
    pollIntervalMs: 60_000,
    clock: new ManualClock(),
    ...options,
  });
  sources.push(source);
  return source;
};
const fromEnv = (env: Record<string, string>) => {
  const source = StaticKeyProviderConfigSource.fromEnv({ AZURE_AI_FOUNDRY_RESOURCE_URL: RESOURCE, ...env });
  sources.push(source);
  return source;
};
/** The explanation, checked never to hold the key. */
const explain = (source: StaticKeyProviderConfigSource, value: string, status: number) => {
  const lines = source.explainRejection({ kind: "api-key", value }, status);
  expect(JSON.stringify(lines)).not.toContain(CANARY_KEY);
  expect(JSON.stringify(lines)).not.toContain(NEXT_KEY);
  return lines;
};

beforeEach(async () => {
  temp = await createTempDir("static-key-");
  file = join(temp.path, "key");
  await writeFile(file, `${CANARY_KEY}\n`);
});
afterEach(async () => {
  for (const s of sources.splice(0)) s.dispose();
  await temp.remove();
});

describe("StaticKeyProviderConfigSource.explainRejection: 401", () => {
  it("a key file re-read after the refusal that still holds the key: fingerprint, path, what to do", async () => {
    const source = fromEnv({ COPILOT_PROVIDER_API_KEY_FILE: file });
    const refused = await source.getCredential();
    const label = `the key file ${file} (COPILOT_PROVIDER_API_KEY_FILE)`;
    expect(explain(source, CANARY_KEY, 401)).toEqual([
      `${label} holds the key the provider refused (fingerprint ${fingerprint(CANARY_KEY)}): ${NEW_KEY}; a new key in the file is adopted without a restart`,
      OTHER_RESOURCE,
    ]);
    await source.renewCredential({ credential: refused, status: 401 });
    expect(explain(source, CANARY_KEY, 401)).toEqual([
      `${label} was re-read now and still holds the key the provider refused (fingerprint ${fingerprint(CANARY_KEY)}): ${NEW_KEY}; a new key in the file is adopted without a restart`,
      OTHER_RESOURCE,
    ]);
  });

  it("a key file with a problem: the problem, and that the refused last good key is still served", async () => {
    const source = create();
    const refused = await source.getCredential();
    await rm(file);
    await source.renewCredential({ credential: refused, status: 401 });
    expect(explain(source, CANARY_KEY, 401)[0]).toBe(
      `the key file ${file} (apiKeyFile) does not exist, so the last good key, which the provider refused (fingerprint ${fingerprint(CANARY_KEY)}), is still served: put a valid key in the file (${NEW_KEY})`,
    );
  });

  it("a refused key the file no longer holds: the current key's fingerprint", async () => {
    const source = create();
    const refused = await source.getCredential();
    await writeFile(`${file}.next`, NEXT_KEY);
    await rename(`${file}.next`, file);
    await source.renewCredential({ credential: refused, status: 401 });
    expect(explain(source, CANARY_KEY, 401)).toEqual([
      `the provider refused a key (fingerprint ${fingerprint(CANARY_KEY)}) that is no longer current: the key file ${file} (apiKeyFile) now holds another key (fingerprint ${fingerprint(NEXT_KEY)}), which later requests get`,
    ]);
  });

  it("a key file path that looks like a key is not shown", async () => {
    const keyLike = join(temp.path, "sk-proj-9f8e7d6c5b4a3f2e1d0c9b8a7f6e5d4c");
    await writeFile(keyLike, CANARY_KEY);
    const source = create({ apiKeyFile: keyLike });
    const lines = explain(source, CANARY_KEY, 401);
    expect(lines[0]).toContain(
      `the key file ${KEY_FILE_PATH_NOT_SHOWN} (apiKeyFile) holds the key the provider refused`,
    );
    expect(JSON.stringify(lines)).not.toContain("9f8e7d6c5b4a3f2e1d0c9b8a7f6e5d4c");
  });

  it("an environment variable: it holds the refused key and cannot change", async () => {
    const source = fromEnv({ COPILOT_PROVIDER_API_KEY: CANARY_KEY });
    expect(explain(source, CANARY_KEY, 401)).toEqual([
      `COPILOT_PROVIDER_API_KEY holds a key the provider refused (fingerprint ${fingerprint(CANARY_KEY)}): set it to a valid key (e.g. key1/key2 of the resource) and restart: a key from a variable is read once, at start`,
      OTHER_RESOURCE,
    ]);
  });

  it("the apiKey option", () => {
    const source = create({ apiKeyFile: undefined, apiKey: CANARY_KEY });
    expect(explain(source, CANARY_KEY, 401)[0]).toBe(
      `the apiKey option holds a key the provider refused (fingerprint ${fingerprint(CANARY_KEY)}): give a valid key (e.g. key1/key2 of the resource); a key given as an option never changes`,
    );
  });

  it("a key the source never handed out", () => {
    const source = fromEnv({ COPILOT_PROVIDER_API_KEY: NEXT_KEY });
    expect(explain(source, CANARY_KEY, 401)).toEqual([
      `the provider refused a key (fingerprint ${fingerprint(CANARY_KEY)}) this source did not hand out: its key, from COPILOT_PROVIDER_API_KEY, has fingerprint ${fingerprint(NEXT_KEY)}`,
    ]);
  });
});

describe("StaticKeyProviderConfigSource.explainRejection: 403 and other statuses", () => {
  it("403: a network rule, a firewall or disabled key authentication, not the key", () => {
    const source = create();
    const lines = explain(source, CANARY_KEY, 403);
    expect(lines[0]).toBe(
      `the provider refused the key (fingerprint ${fingerprint(CANARY_KEY)}) from the key file ${file} (apiKeyFile) with 403 Forbidden: the key is usually not the problem, the resource refuses this client`,
    );
    expect(lines[1]).toMatch(
      /network rules or firewall .*disableLocalAuth.*COPILOT_PROVIDER_AUTH=azure-entra/,
    );
  });

  it.each([400, 404, 429, 500])("%s: nothing to explain", (status) => {
    expect(explain(create(), CANARY_KEY, status)).toEqual([]);
  });
});
