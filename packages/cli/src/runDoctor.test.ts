import { inspect } from "node:util";
import { ConfigurationError, type ProviderConfigSourceModule } from "@copilot-byok/core";
import { type AzureEmulators, startAzureEmulators } from "@copilot-byok/testing";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { formatDoctorReport } from "./formatDoctorReport.js";
import { runDoctor } from "./runDoctor.js";

const CANARY_KEY = "canary-doctor-key-5d1f0c9a7e3b";
let emulators: AzureEmulators;
let saved: Record<string, string | undefined>;

beforeAll(async () => {
  emulators = await startAzureEmulators({ apiKeys: [CANARY_KEY], deployments: ["gpt-4.1", "my-deployment"] });
  // @azure/identity reads process.env itself: point it at the managed-identity emulator for this file.
  const identity = emulators.identity.env("app-service");
  saved = Object.fromEntries(Object.keys(identity).map((k) => [k, process.env[k]]));
  Object.assign(process.env, identity);
});

afterAll(async () => {
  for (const [k, v] of Object.entries(saved)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  await emulators.close();
});

afterEach(() => {
  emulators.foundry.reset();
});

const base = () => ({
  AZURE_AI_FOUNDRY_RESOURCE_URL: emulators.foundry.resourceUrl,
  COPILOT_PROVIDER_MODEL_ID: "gpt-4.1",
});
const identityEnv = () => ({ ...base(), ...emulators.identity.env("app-service") });

function expectNoSecret(report: unknown) {
  const text = [
    JSON.stringify(report),
    inspect(report, { depth: 10 }),
    formatDoctorReport(report as never).join("\n"),
  ];
  for (const t of text) {
    expect(t).not.toContain(CANARY_KEY);
    expect(t).not.toMatch(/eyJ[\w-]{10,}\.[\w-]{10,}/);
  }
}

describe("runDoctor", () => {
  it("static key: says which variable, a fingerprint, and probes OK", async () => {
    const report = await runDoctor({
      env: { ...base(), AZURE_OPENAI_API_KEY: CANARY_KEY },
      probe: true,
      timeoutMs: 10_000,
    });
    expect(report.problems).toEqual([]);
    expect(report.healthy).toBe(true);
    expect(report.mode).toBe("static-key");
    expect(report.reasons.join("\n")).toContain("AZURE_OPENAI_API_KEY");
    expect(JSON.stringify(report.source)).toMatch(/sha256:[0-9a-f]{8}/);
    expect(report.probe).toMatchObject({ ok: true, status: 200 });
    expect(report.probe).not.toHaveProperty("explanation");
    expect(emulators.foundry.requests.map((r) => r.authKind)).toEqual(["bearer-key"]);
    // The SDK installed here has the request handler, and the source getCredential: the request edge.
    expect(report.credentialDelivery).toMatchObject({ delivery: "request-edge" });
    expect(formatDoctorReport(report)).toContain("credential delivery: request-edge");
    expectNoSecret(report);
  });

  it("managed identity: the credential, token claims in human terms, audience match, probe OK", async () => {
    const report = await runDoctor({ env: identityEnv(), probe: true, timeoutMs: 10_000 });
    expect(report.problems).toEqual([]);
    expect(report.mode).toBe("azure-entra");
    expect(report.reasons.join("\n")).toContain("IDENTITY_ENDPOINT");
    expect(report.token).toMatchObject({
      credential: "DefaultAzureCredential",
      scope: "https://cognitiveservices.azure.com/.default",
      audience: "https://cognitiveservices.azure.com",
      audienceMatchesScope: true,
    });
    expect(report.token?.answeredBy).toBe("ManagedIdentityCredential");
    expect(report.token?.tenantId).toBeTruthy();
    expect(report.token?.objectId).toBeTruthy();
    expect(report.token?.expiresIn).toMatch(/^in (59 min|1 h)/);
    expect(report.probe).toMatchObject({ ok: true, status: 200 });
    expect(emulators.foundry.requests.map((r) => r.authKind)).toEqual(["bearer-jwt"]);
    const text = formatDoctorReport(report).join("\n");
    expect(text).toContain("(matches the scope)");
    expectNoSecret(report);
  });

  it("a key and identity signals both present: says which won and what to set", async () => {
    const report = await runDoctor({ env: { ...identityEnv(), AZURE_OPENAI_API_KEY: CANARY_KEY } });
    expect(report.mode).toBe("static-key");
    expect(report.reasons.join("\n")).toContain("set COPILOT_PROVIDER_AUTH=azure-entra");
    expectNoSecret(report);
  });

  it("wrong audience: warns about the scope, and the probe's 401 becomes advice naming both audiences", async () => {
    const report = await runDoctor({
      env: { ...identityEnv(), COPILOT_PROVIDER_TOKEN_SCOPE: "https://management.azure.com/.default" },
      probe: true,
      timeoutMs: 10_000,
    });
    expect(report.healthy).toBe(false);
    expect(report.token?.audience).toBe("https://management.azure.com");
    expect(report.warnings.join("\n")).toContain(
      "accept only tokens for https://cognitiveservices.azure.com/.default",
    );
    expect(report.probe?.status).toBe(401);
    expect(report.probe?.message).toContain("audience");
    expect(report.probe?.advice).toContain("audience (https://management.azure.com)");
    expect(report.probe?.advice).toContain("expect https://cognitiveservices.azure.com");
    // The Entra source's own reading of the refused token (its claims against the clock, the tenant).
    expect(report.probe?.explanation?.join("\n")).toContain(`tenant ${report.token?.tenantId}`);
    expect(formatDoctorReport(report)).toContain("  explanation of the 401, from the azure-entra source:");
    expectNoSecret(report);
  });

  it.each([
    [{ status: 403 }, /Cognitive Services OpenAI User/],
    [{ status: 429, retryAfter: 7 }, /throttled: retry after 7 s/],
    [{ status: 500 }, /provider failed/],
  ])("probe turns %j into advice", async (fault, advice) => {
    emulators.foundry.enqueueFaults([fault]);
    const report = await runDoctor({ env: identityEnv(), probe: true, timeoutMs: 10_000 });
    expect(report.healthy).toBe(false);
    expect(report.probe?.status).toBe(fault.status);
    expect(report.probe?.advice).toMatch(advice);
  });

  it("probe: a 403 to a token is explained by the Entra source, naming the role and the token's object id", async () => {
    emulators.foundry.enqueueFaults([{ status: 403 }]);
    const report = await runDoctor({ env: identityEnv(), probe: true, timeoutMs: 10_000 });
    expect(report.probe?.status).toBe(403);
    const objectId = report.token?.objectId;
    expect(objectId).toBeTruthy();
    const explanation = report.probe?.explanation?.join("\n") ?? "";
    expect(explanation).toContain('"Cognitive Services OpenAI User"');
    expect(explanation).toContain(`object id ${objectId}`);
    const lines = formatDoctorReport(report);
    const at = lines.indexOf("  explanation of the 403, from the azure-entra source:");
    expect(at).toBeGreaterThan(lines.indexOf(`  advice: ${report.probe?.advice}`));
    expect(lines[at + 1]).toMatch(/^ {4}- .*Cognitive Services OpenAI User/);
    expectNoSecret(report);
  });

  it("probe: an unknown deployment is a 404 naming the model, with no explanation (not a refusal)", async () => {
    const report = await runDoctor({
      env: { ...base(), COPILOT_PROVIDER_WIRE_MODEL: "no-such-deployment", AZURE_OPENAI_API_KEY: CANARY_KEY },
      probe: true,
      timeoutMs: 10_000,
    });
    expect(report.probe?.status).toBe(404);
    expect(report.probe?.advice).toContain('unknown deployment or model "no-such-deployment"');
    expect(report.probe).not.toHaveProperty("explanation");
  });

  it("probe: a wrong key is a 401 about the key, never showing it", async () => {
    const report = await runDoctor({
      env: { ...base(), COPILOT_PROVIDER_API_KEY: `${CANARY_KEY}-wrong` },
      probe: true,
      timeoutMs: 10_000,
    });
    expect(report.probe?.status).toBe(401);
    expect(report.probe?.advice).toContain("the key was rejected");
    // The static-key source names where the refused key came from, by its fingerprint only.
    expect(report.probe?.explanation?.[0]).toMatch(
      /^COPILOT_PROVIDER_API_KEY holds a key the provider refused \(fingerprint sha256:[0-9a-f]{8}\)/,
    );
    const lines = formatDoctorReport(report);
    const at = lines.indexOf("  explanation of the 401, from the static-key source:");
    expect(at).toBeGreaterThan(lines.findIndex((l) => l.startsWith("probe: FAILED HTTP 401 ")));
    expect(lines[at + 1]).toBe(`    - ${report.probe?.explanation?.[0]}`);
    expectNoSecret(report);
  });

  it("a missing key file is a problem, not a failure: the ConfigurationError's problems are listed", async () => {
    const report = await runDoctor({
      env: {
        COPILOT_PROVIDER_BASE_URL: "https://res.openai.azure.com/openai/v1/",
        COPILOT_PROVIDER_API_KEY_FILE: "/run/secrets/copilot-byok-doctor-missing-key",
      },
    });
    expect(report.healthy).toBe(false);
    expect(report.mode).toBe("static-key");
    expect(report.problems.join("\n")).toMatch(/does not exist/);
    expect(report.problems.join("\n")).not.toContain("ConfigurationError");
  });

  it("a plug-in whose create() throws a ConfigurationError: each of its problems is a doctor problem", async () => {
    const broken: ProviderConfigSourceModule = {
      mode: "broken",
      detect: () => ({ applicable: true, reasons: ["always"] }),
      create: () => {
        throw new ConfigurationError(["first problem", "second problem"]);
      },
    };
    const report = await runDoctor({
      env: { COPILOT_PROVIDER_AUTH: "broken" },
      modules: [broken],
    });
    expect(report).toMatchObject({ healthy: false, mode: "broken" });
    expect(report.problems).toEqual(["first problem", "second problem"]);
  });

  it("probe: a hanging endpoint is bounded by the timeout", async () => {
    emulators.foundry.enqueueFaults([{ hang: true }]);
    const started = Date.now();
    const report = await runDoctor({
      env: { ...base(), AZURE_OPENAI_API_KEY: CANARY_KEY },
      probe: true,
      timeoutMs: 500,
    });
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(report.probe?.ok).toBe(false);
    expect(report.probe?.message).toContain("no answer within 500 ms (--timeout)");
  });
});

// Issue 16 (9): the model, the deployment (wire model) and the scope were shown as given, in the report
// (provider.model, source.modelId, facts.wireModel, …), in reasons and errors ("waiting for a token for
// api://app/.default?code=<key>"), although a key pasted there is still a secret. Now a model or deployment
// name is shown only when it looks like one, and a scope with its query values and fragment masked, wherever
// the doctor shows them.
describe("runDoctor: model, deployment and scope values", () => {
  const HEX = "9f3c1b7e5a2d4c6f8e0a1b3c5d7e9f21"; // 32 hex digits: an Azure OpenAI key's shape

  function expectHidden(report: unknown, secret: string) {
    for (const text of [
      JSON.stringify(report),
      inspect(report, { depth: 10 }),
      formatDoctorReport(report as never).join("\n"),
    ]) {
      expect(text).not.toContain(secret.slice(0, 12));
      expect(text).not.toContain(secret.slice(-12));
    }
  }

  it("a key pasted as the model or the deployment is shown by its length only", async () => {
    const report = await runDoctor({
      env: {
        ...base(),
        AZURE_OPENAI_API_KEY: CANARY_KEY,
        COPILOT_PROVIDER_MODEL_ID: HEX,
        COPILOT_PROVIDER_WIRE_MODEL: `sk-${HEX}`,
      },
      probe: true,
      timeoutMs: 10_000,
    });
    expect(report.provider).toMatchObject({
      model: "a value of 32 characters (not shown)",
      wireModel: "a value of 35 characters (not shown)",
    });
    expect(report.probe?.status).toBe(404);
    expect(report.probe?.advice).toContain(
      'unknown deployment or model "a value of 35 characters (not shown)"',
    );
    expectHidden(report, HEX);
    expectNoSecret(report);
  });

  it("a model name is still shown", async () => {
    const report = await runDoctor({
      env: { ...base(), AZURE_OPENAI_API_KEY: CANARY_KEY, COPILOT_PROVIDER_WIRE_MODEL: "my-deployment" },
    });
    expect(report.provider).toMatchObject({ model: "gpt-4.1", wireModel: "my-deployment" });
    expect(report.facts).toMatchObject({ modelId: "gpt-4.1", wireModel: "my-deployment" });
  });

  it("a scope's query values are masked in reasons, facts, errors and JSON", async () => {
    const scope = `api://app/.default?code=${HEX}`;
    // A gateway (no expected audience): the scope is accepted, the token asked for.
    const gateway = await runDoctor({
      env: {
        ...emulators.identity.env("app-service"),
        COPILOT_PROVIDER_BASE_URL: "https://gateway.example.com/llm",
        COPILOT_PROVIDER_MODEL_ID: "gpt-4.1",
        COPILOT_PROVIDER_TOKEN_SCOPE: scope,
      },
      timeoutMs: 10_000,
    });
    expect(gateway.mode).toBe("azure-entra");
    expect(gateway.reasons.join("\n")).toContain("api://app/.default?code=[REDACTED]");
    expectHidden(gateway, HEX);
    // Azure AI Foundry: the scope's audience is refused at selection, in a problem naming it.
    const foundry = await runDoctor({
      env: { ...identityEnv(), COPILOT_PROVIDER_TOKEN_SCOPE: scope },
      timeoutMs: 10_000,
    });
    expect(foundry.problems.join("\n")).toContain("api://app/.default?code=[REDACTED]");
    expectHidden(foundry, HEX);
  });

  it("a key pasted as the scope is shown by its length only", async () => {
    const report = await runDoctor({
      env: { ...identityEnv(), COPILOT_PROVIDER_TOKEN_SCOPE: `sk-${HEX}` },
      timeoutMs: 10_000,
    });
    expectHidden(report, HEX);
  });
});
