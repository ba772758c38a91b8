import { join } from "node:path";
import { CopilotSessionFactory, fingerprint } from "@copilot-byok/core";
import { KubernetesSecretVolume } from "@copilot-byok/test-utils/KubernetesSecretVolume";
import { createTempDir } from "@copilot-byok/test-utils/tempDir";
import { waitFor } from "@copilot-byok/test-utils/waitFor";
import { approveAll, CopilotClient } from "@github/copilot-sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { StaticKeyProviderConfigSource } from "./StaticKeyProviderConfigSource.js";
import { KEY_FILE_WAIT } from "./test-support/keyFileWait.js";
import { type RecordedRequest, startRecordingProvider } from "./test-support/recordingProvider.js";

// The real Copilot runtime (bundled with @github/copilot-sdk), offline, against a recording provider on
// 127.0.0.1: which header carries the key for each provider type, and whether a rotated key file
// reaches a running session.

const KEY_1 = "runtime-key-one-0123456789abcdef0123";
const KEY_2 = "runtime-key-two-fedcba9876543210fedc";
const REPLY_MS = 20_000;

let provider: Awaited<ReturnType<typeof startRecordingProvider>>;
let temp: Awaited<ReturnType<typeof createTempDir>>;
let client: CopilotClient;

beforeAll(async () => {
  provider = await startRecordingProvider();
  temp = await createTempDir("static-key-runtime-");
  client = new CopilotClient({ useLoggedInUser: false, baseDirectory: join(temp.path, "copilot") });
});
afterAll(async () => {
  await client?.stop();
  await provider?.close();
  await temp?.remove();
});

/** Sends one prompt on `session` and returns the requests it caused. */
async function send(
  session: Awaited<ReturnType<CopilotClient["createSession"]>>,
): Promise<RecordedRequest[]> {
  const before = provider.requests.length;
  const reply = await session.sendAndWait("Say ok.", REPLY_MS);
  expect(reply?.data.content).toBe("ok");
  return provider.requests.slice(before);
}

interface HeaderCase {
  readonly name: string;
  readonly env: (origin: string) => Record<string, string>;
  readonly keyPerRequest?: boolean;
  readonly model: string;
  readonly expected: Omit<RecordedRequest, "path">;
}

const HEADER_CASES: HeaderCase[] = [
  {
    name: "openai: Authorization: Bearer",
    env: (origin) => ({ COPILOT_PROVIDER_BASE_URL: `${origin}/openai/v1/` }),
    model: "gpt-4.1",
    expected: { authorization: `Bearer ${KEY_1}` },
  },
  {
    name: "azure (key per request): Authorization: Bearer",
    env: (origin) => ({ AZURE_AI_FOUNDRY_RESOURCE_URL: origin, COPILOT_PROVIDER_TYPE: "azure" }),
    model: "gpt-4.1",
    expected: { authorization: `Bearer ${KEY_1}` },
  },
  {
    name: "azure with keyPerRequest: false: api-key",
    env: (origin) => ({ AZURE_AI_FOUNDRY_RESOURCE_URL: origin, COPILOT_PROVIDER_TYPE: "azure" }),
    keyPerRequest: false,
    model: "gpt-4.1",
    expected: { apiKey: KEY_1 },
  },
  {
    name: "anthropic: x-api-key",
    env: (origin) => ({
      COPILOT_PROVIDER_BASE_URL: `${origin}/anthropic`,
      COPILOT_PROVIDER_TYPE: "anthropic",
    }),
    model: "claude-sonnet-4",
    expected: { xApiKey: KEY_1 },
  },
];

describe("the runtime's credential header for the source's config", () => {
  it.each(HEADER_CASES)("$name", { timeout: 60_000 }, async ({ env, keyPerRequest, model, expected }) => {
    const source = StaticKeyProviderConfigSource.fromEnv(
      { ...env(provider.origin), AZURE_OPENAI_API_KEY: KEY_1, COPILOT_PROVIDER_MODEL_ID: model },
      keyPerRequest === undefined ? {} : { keyPerRequest },
    );
    const sessions = new CopilotSessionFactory(source, client, {});
    const session = await sessions.createSession({ onPermissionRequest: approveAll });
    try {
      const requests = await send(session);
      expect(requests.length).toBeGreaterThan(0);
      for (const request of requests) expect(request).toEqual({ path: expect.any(String), ...expected });
    } finally {
      await session.disconnect();
      source.dispose();
    }
  });
});

describe("a rotated key file and the runtime", () => {
  it.each<[string, boolean | undefined, Partial<RecordedRequest>, Partial<RecordedRequest>]>([
    [
      "reaches a running session through the per-request callback (azure, default)",
      undefined,
      { authorization: `Bearer ${KEY_2}` },
      { authorization: `Bearer ${KEY_2}` },
    ],
    [
      "reaches new sessions only with keyPerRequest: false (azure, api-key header)",
      false,
      { apiKey: KEY_1 },
      { apiKey: KEY_2 },
    ],
  ])("%s", { timeout: 60_000 }, async (_, keyPerRequest, runningAfter, newAfter) => {
    const volume = await KubernetesSecretVolume.create(join(temp.path, `secret-${String(keyPerRequest)}`), {
      "api-key": `${KEY_1}\n`,
    });
    const source = new StaticKeyProviderConfigSource({
      resourceUrl: provider.origin,
      type: "azure",
      apiKeyFile: volume.path("api-key"),
      pollIntervalMs: 50,
      modelId: "gpt-4.1",
      ...(keyPerRequest === undefined ? {} : { keyPerRequest }),
    });
    const sessions = new CopilotSessionFactory(source, client, {});
    const running = await sessions.createSession({ onPermissionRequest: approveAll });
    let fresh: typeof running | undefined;
    try {
      const first = await send(running);
      expect(first[0]).toEqual(
        keyPerRequest === false
          ? { path: "/openai/v1/responses", apiKey: KEY_1 }
          : { path: "/openai/v1/responses", authorization: `Bearer ${KEY_1}` },
      );

      await volume.update({ "api-key": `${KEY_2}\n` });
      await waitFor(() => source.describe().fingerprint === fingerprint(KEY_2), {
        ...KEY_FILE_WAIT,
        what: "the rotation",
      });

      for (const request of await send(running)) expect(request).toMatchObject(runningAfter);
      fresh = await sessions.createSession({ onPermissionRequest: approveAll });
      for (const request of await send(fresh)) expect(request).toMatchObject(newAfter);
    } finally {
      await running.disconnect();
      await fresh?.disconnect();
      source.dispose();
    }
  });
});
