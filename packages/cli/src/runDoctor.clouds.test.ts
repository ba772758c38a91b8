// The doctor on endpoints of each cloud, rendered as the terminal gets it: what the azure-entra source's
// reasons and facts say of the scope (derived, or guessed for an unknown host) and of the authority, with no
// code of the doctor's knowing about clouds. Tokens come from the managed-identity emulator (set in
// process.env, which @azure/identity reads); the variables the selection reads are passed as `env`.
import { type AzureEmulators, startAzureEmulators } from "@copilot-byok/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { formatDoctorReport } from "./formatDoctorReport.js";
import { runDoctor } from "./runDoctor.js";

let emulators: AzureEmulators;
let saved: Record<string, string | undefined>;

beforeAll(async () => {
  emulators = await startAzureEmulators({ deployments: ["gpt-4.1"] });
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

const GOV = "https://my-resource.openai.azure.us";

describe("runDoctor: the scope and the authority follow the endpoint's cloud", () => {
  it("an unknown host (the emulator): the doctor says the scope was guessed and how to set it", async () => {
    const report = await runDoctor({
      env: {
        AZURE_AI_FOUNDRY_RESOURCE_URL: emulators.foundry.resourceUrl,
        COPILOT_PROVIDER_MODEL_ID: "gpt-4.1",
        ...emulators.identity.env("app-service"),
      },
      timeoutMs: 10_000,
    });
    expect(report.problems).toEqual([]);
    const text = formatDoctorReport(report).join("\n");
    const host = new URL(emulators.foundry.resourceUrl).host;
    expect(text).toContain(
      `  scope from: guessed: ${host} is not a known Azure AI host, so the Azure public cloud's default; set COPILOT_PROVIDER_TOKEN_SCOPE to the scope the endpoint expects`,
    );
    expect(text).toContain("  scope: https://cognitiveservices.azure.com/.default");
    expect(text).not.toContain("  cloud: ");
  });

  // The warning for a service principal signing in at another cloud's authority needs the principal in
  // process.env (DefaultAzureCredential reads nothing else): e2e/src/cloudsAndEndpoints.test.ts runs it.
  it("a Government endpoint: the Government scope and its cloud", async () => {
    const report = await runDoctor({
      env: {
        AZURE_OPENAI_ENDPOINT: GOV,
        COPILOT_PROVIDER_MODEL_ID: "gpt-4.1",
        ...emulators.identity.env("app-service"),
      },
      timeoutMs: 10_000,
    });
    expect(report.problems).toEqual([]);
    expect(report.token).toMatchObject({
      scope: "https://cognitiveservices.azure.us/.default",
      audience: "https://cognitiveservices.azure.us",
      audienceMatchesScope: true,
    });
    const text = formatDoctorReport(report).join("\n");
    expect(text).toContain(
      "  - token scope https://cognitiveservices.azure.us/.default (the default for Azure OpenAI (*.openai.azure.us) in Azure Government; set COPILOT_PROVIDER_TOKEN_SCOPE to change it)",
    );
    expect(text).not.toContain("warning:");
    expect(text).toContain("  cloud: Azure Government");
    expect(text).toContain(
      "  scope from: the default for Azure OpenAI (*.openai.azure.us) in Azure Government",
    );
  });

  it("a Government endpoint with the public scope: a problem naming the Government scope as the fix", async () => {
    const report = await runDoctor({
      env: {
        AZURE_OPENAI_ENDPOINT: GOV,
        COPILOT_PROVIDER_TOKEN_SCOPE: "https://cognitiveservices.azure.com/.default",
        ...emulators.identity.env("app-service"),
      },
      timeoutMs: 10_000,
    });
    expect(report.healthy).toBe(false);
    expect(report.problems).toEqual([
      "token scope https://cognitiveservices.azure.com/.default gives tokens for the audience https://cognitiveservices.azure.com, but my-resource.openai.azure.us accepts only https://cognitiveservices.azure.us: the provider would answer 401; set COPILOT_PROVIDER_TOKEN_SCOPE=https://cognitiveservices.azure.us/.default (or unset it)",
    ]);
  });
});
