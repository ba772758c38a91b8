import { createHash } from "node:crypto";
import { fileURLToPath } from "node:url";
import { inspect } from "node:util";
import type { ProviderConfigSourceModule } from "@copilot-byok/core";
import { type AzureEmulators, startAzureEmulators } from "@copilot-byok/testing";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_MODULES } from "./defaultModules.js";
import { formatDoctorReport } from "./formatDoctorReport.js";
import { loadModules } from "./loadModules.js";
import { runDoctor } from "./runDoctor.js";

// A third mode the CLI has never heard of (test-support/testBrokerModule.mjs, loaded as --module loads it):
// the doctor shows its facts, token claims, warnings and problems and probes with its credential, unchanged.
const BROKER_TOKEN = "canary-broker-token-7c2e94b1d0a6";
const CLI_DIR = fileURLToPath(new URL("..", import.meta.url));
const BROKER = "./src/test-support/testBrokerModule.mjs";
const EXPIRES_ON = "2099-01-01T00:00:00.000Z";
const NOW = () => Date.parse("2098-12-31T21:55:00.000Z");
let emulators: AzureEmulators;
let modules: ProviderConfigSourceModule[];

beforeAll(async () => {
  emulators = await startAzureEmulators({ apiKeys: [BROKER_TOKEN] });
  modules = [
    ...DEFAULT_MODULES,
    ...(await loadModules([BROKER], { cwd: CLI_DIR, registered: DEFAULT_MODULES })),
  ];
});
afterAll(async () => {
  await emulators?.close();
});
afterEach(() => {
  emulators.foundry.reset();
});

const brokerEnv = (extra: Record<string, string> = {}) => ({
  COPILOT_PROVIDER_BASE_URL: emulators.foundry.baseUrl,
  COPILOT_PROVIDER_MODEL_ID: "gpt-4.1",
  TEST_BROKER_TOKEN: BROKER_TOKEN,
  TEST_BROKER_EXPIRES_ON: EXPIRES_ON,
  ...extra,
});

function expectNoSecret(report: unknown) {
  for (const text of [
    JSON.stringify(report),
    inspect(report, { depth: 10 }),
    formatDoctorReport(report as never).join("\n"),
  ]) {
    expect(text).not.toContain(BROKER_TOKEN);
    expect(text).not.toContain(BROKER_TOKEN.slice(0, 16));
  }
}

describe("runDoctor with a plug-in mode", () => {
  it("auto chooses it; its facts, token claims and warnings are shown, and the probe sends its token", async () => {
    const report = await runDoctor({ env: brokerEnv(), modules, probe: true, timeoutMs: 10_000, now: NOW });
    expect(report.problems).toEqual([]);
    expect(report.healthy).toBe(true);
    expect(emulators.foundry.requests.map((r) => r.authKind)).toEqual(["bearer-key"]);
    const fingerprint = `sha256:${createHash("sha256").update(BROKER_TOKEN).digest("hex").slice(0, 8)}`;
    expect(JSON.parse(JSON.stringify(report))).toMatchObject({
      healthy: true,
      mode: "test-broker",
      modules: [
        ...DEFAULT_MODULES.map(({ mode, origin }) => ({ mode, origin })),
        { mode: "test-broker", origin: `testBrokerModule from ${BROKER}` },
      ],
      credentialKind: "bearer",
      facts: {
        credential: "TestBrokerCredential",
        "answered by": "broker replica b",
        scope: "api://test-broker/.default",
        "token variable": "TEST_BROKER_TOKEN",
        fingerprint,
        "allowed tenants": ["contoso", "fabrikam"],
        renewals: 0,
      },
      token: {
        credential: "TestBrokerCredential",
        answeredBy: "broker replica b",
        scope: "api://test-broker/.default",
        audience: "api://test-broker",
        audienceMatchesScope: true,
        tenantId: "7f3c1a2b-0000-4000-8000-00000000beef",
        objectId: "5e6d7c8b-0000-4000-8000-00000000cafe",
        appId: "0a1b2c3d-0000-4000-8000-00000000f00d",
        expiresOn: EXPIRES_ON,
        expiresIn: "in 2 h 5 min",
      },
      warnings: ["the provider is reached over plain http: fine for an emulator, not for production"],
      probe: { ok: true, status: 200 },
    });
    const text = formatDoctorReport(report)
      .join("\n")
      .replace(/\(\d+ ms\)/, "(N ms)");
    expect(text).toBe(
      [
        "copilot-byok doctor: healthy",
        "",
        "mode: test-broker",
        "  - COPILOT_PROVIDER_AUTH not set (auto): chose test-broker",
        "  - TEST_BROKER_TOKEN is set: the test broker's token is used",
        "  - base URL from COPILOT_PROVIDER_BASE_URL",
        "",
        "modules:",
        ...DEFAULT_MODULES.map((m) => `  - ${m.mode}${m.origin ? ` (${m.origin})` : ""}`),
        `  - test-broker (testBrokerModule from ${BROKER})`,
        "",
        "provider:",
        `  base URL: ${emulators.foundry.baseUrl}`,
        "  type: openai, wire API: responses",
        "  model: gpt-4.1",
        "",
        "test-broker:",
        "  credential kind: bearer",
        "  credential: TestBrokerCredential",
        "  answered by: broker replica b",
        "  scope: api://test-broker/.default",
        "  token variable: TEST_BROKER_TOKEN",
        `  fingerprint: ${fingerprint}`,
        "  allowed tenants: contoso, fabrikam",
        "  renewals: 0",
        "",
        "token:",
        "  audience (aud): api://test-broker (matches the scope)",
        "  tenant (tid): 7f3c1a2b-0000-4000-8000-00000000beef",
        "  object id (oid): 5e6d7c8b-0000-4000-8000-00000000cafe",
        "  app id (appid): 0a1b2c3d-0000-4000-8000-00000000f00d",
        `  expires: ${EXPIRES_ON} (in 2 h 5 min)`,
        "",
        // It has getCredential() but no renewCredential(): the request edge, without replays.
        "credential delivery: request-edge",
        "  - the runtime gets a placeholder; this process sets the credential on each request (the test-broker source has no renewCredential(): a 401 is explained, not replayed); turn off with registerCopilotByok(…, { requestEdge: false })",
        "",
        `probe: OK HTTP 200 POST ${emulators.foundry.baseUrl}responses (N ms)`,
        "",
        "warnings:",
        "  - the provider is reached over plain http: fine for an emulator, not for production",
      ].join("\n"),
    );
    expectNoSecret(report);
  });

  it("its diagnose() problems are the doctor's problems", async () => {
    const report = await runDoctor({
      env: brokerEnv({ TEST_BROKER_SCOPE: "api://elsewhere/.default" }),
      modules,
      now: NOW,
    });
    expect(report.healthy).toBe(false);
    expect(report.problems).toEqual([
      "the token's audience api://test-broker does not match the scope api://elsewhere/.default",
    ]);
    expect(report.token).toMatchObject({ scope: "api://elsewhere/.default", audienceMatchesScope: false });
    expect(formatDoctorReport(report)).toContain(
      "  audience (aud): api://test-broker (DOES NOT match the scope)",
    );
    expectNoSecret(report);
  });

  it.each([
    [403, /grant the identity \(object id 5e6d7c8b-0000-4000-8000-00000000cafe\) the role/],
    [401, /the token was rejected: check that its audience \(api:\/\/test-broker\)/],
  ])("probe: HTTP %i is advice about a token, with the claims diagnose() gave", async (status, advice) => {
    emulators.foundry.enqueueFaults([{ status }]);
    const report = await runDoctor({ env: brokerEnv(), modules, probe: true, timeoutMs: 10_000 });
    expect(report.probe?.status).toBe(status);
    expect(report.probe?.advice).toMatch(advice);
    expect(report.healthy).toBe(false);
    expectNoSecret(report);
  });
});

describe("runDoctor with a plug-in whose source has no diagnose()", () => {
  const plain = (diagnose?: () => Promise<never>): ProviderConfigSourceModule => ({
    mode: "plain-key",
    origin: "plainKeyModule from a test",
    detect: () => ({ applicable: true, strength: "explicit", reasons: ["always"] }),
    create: () => ({
      mode: "plain-key",
      getProviderConfig: async () => ({ baseUrl: emulators.foundry.baseUrl, apiKey: BROKER_TOKEN }),
      describe: () => ({ mode: "plain-key", baseUrl: emulators.foundry.baseUrl, keyVariable: "PLAIN_KEY" }),
      ...(diagnose ? { diagnose } : {}),
    }),
  });

  it("its description (without mode and base URL) is its facts, its config tells the credential kind", async () => {
    const report = await runDoctor({ env: brokerEnv(), modules: [plain()], probe: true, timeoutMs: 10_000 });
    expect(report).toMatchObject({
      healthy: true,
      mode: "plain-key",
      modules: [{ mode: "plain-key", origin: "plainKeyModule from a test" }],
      facts: { keyVariable: "PLAIN_KEY" },
      credentialKind: "api-key",
      probe: { ok: true },
    });
    expect(report.token).toBeUndefined();
    expect(formatDoctorReport(report).join("\n")).toContain(
      "plain-key:\n  credential kind: api-key\n  keyVariable: PLAIN_KEY",
    );
    expectNoSecret(report);
  });

  it("a diagnose() that fails is a problem; the description stands in for its facts", async () => {
    const failing = async (): Promise<never> => {
      throw new Error(`the vault is sealed (token ${BROKER_TOKEN.slice(0, 4)}…)`);
    };
    const report = await runDoctor({ env: brokerEnv(), modules: [plain(failing)] });
    expect(report.healthy).toBe(false);
    expect(report.problems).toEqual([`Error: the vault is sealed (token ${BROKER_TOKEN.slice(0, 4)}…)`]);
    expect(report.facts).toEqual({ keyVariable: "PLAIN_KEY" });
    expect(report.credentialKind).toBe("api-key");
  });
});
