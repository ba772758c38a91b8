import { formatDoctorReport, runDoctor } from "@copilot-byok/cli";
import { ask } from "@copilot-byok/test-utils/runtime";
import type { AzureEmulators } from "@copilot-byok/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openApp, type Stack, startStack } from "./harness.js";

// Claude on Azure AI Foundry, through the real runtime: COPILOT_PROVIDER_TYPE=anthropic and the resource URL
// alone give the base URL <resource>/anthropic, so the runtime sends POST /anthropic/v1/messages (Anthropic's
// Messages API, streamed), with the key in x-api-key (static-key) or an Entra ID token as a bearer (azure-entra).
const KEY = "e2e-claude-key-7b2e91c4d05a";
const MODEL = "claude-sonnet-4-5";
let stack: Stack;
let emulators: AzureEmulators;

beforeAll(async () => {
  stack = await startStack({ apiKeys: [KEY], deployments: [MODEL] });
  emulators = stack.emulators;
});
afterAll(async () => {
  await stack?.close();
});

const claudeEnv = (extra: Record<string, string>) => ({
  ...emulators.env("app-service"),
  COPILOT_PROVIDER_TYPE: "anthropic",
  COPILOT_PROVIDER_MODEL_ID: MODEL,
  ...extra,
});

const MODES = [
  ["static-key", { COPILOT_PROVIDER_API_KEY: KEY }, "x-api-key"],
  ["azure-entra", {}, "bearer-jwt"],
] as const;

describe("Claude on Azure AI Foundry (type anthropic, AZURE_AI_FOUNDRY_RESOURCE_URL)", () => {
  it.each(MODES)(
    "%s mode: the session answers over POST /anthropic/v1/messages",
    async (mode, extra, authKind) => {
      emulators.foundry.reset();
      const app = await openApp(stack.client, claudeEnv(extra));
      try {
        expect(app.selection.mode).toBe(mode);
        expect(await ask(app.session, `hello claude ${mode}`)).toContain(`hello claude ${mode}`);
        expect(await ask(app.session, "and again")).toContain("and again");
      } finally {
        await app.close();
      }
      expect(
        emulators.foundry.requests.map((r) => [r.method, r.path, r.wireApi, r.stream, r.authKind, r.status]),
      ).toEqual([
        ["POST", "/anthropic/v1/messages", "messages", true, authKind, 200],
        ["POST", "/anthropic/v1/messages", "messages", true, authKind, 200],
      ]);
      expect(emulators.foundry.requests.every((r) => r.model === MODEL)).toBe(true);
      expect(JSON.stringify(emulators.foundry.requests)).not.toContain(KEY);
    },
    60_000,
  );

  it.each(MODES)(
    "%s mode: doctor --probe shows the Claude base URL and probes it OK",
    async (mode, extra, authKind) => {
      emulators.foundry.reset();
      const report = await runDoctor({ env: claudeEnv(extra), probe: true, timeoutMs: 15_000 });
      expect(report.problems).toEqual([]);
      expect(report.healthy).toBe(true);
      expect(report.mode).toBe(mode);
      const anthropicBaseUrl = `${emulators.foundry.resourceUrl}/anthropic`;
      expect(report.provider).toMatchObject({
        baseUrl: anthropicBaseUrl,
        type: "anthropic",
        wireApi: "messages",
      });
      expect(report.probe).toMatchObject({ ok: true, status: 200, url: `${anthropicBaseUrl}/v1/messages` });
      expect(report.probe?.notProbed).toBeUndefined();
      expect(emulators.foundry.requests.map((r) => [r.path, r.wireApi, r.authKind, r.status])).toEqual([
        ["/anthropic/v1/messages", "messages", authKind, 200],
      ]);
      const text = formatDoctorReport(report).join("\n");
      expect(text).toContain(`base URL: ${anthropicBaseUrl}`);
      expect(text).toContain("type: anthropic, wire API: messages");
      expect(text).toMatch(
        new RegExp(`probe: OK HTTP 200 POST ${anthropicBaseUrl}/v1/messages \\(\\d+ ms\\)`),
      );
      expect(text).not.toContain(KEY);
    },
    30_000,
  );
});
