import { describe, expect, it } from "vitest";
import { formatDoctorReport } from "./formatDoctorReport.js";
import type { DoctorReport } from "./runDoctor.js";

const report = (overrides: Partial<DoctorReport>): DoctorReport => ({
  healthy: true,
  mode: "vault-broker",
  reasons: ["COPILOT_PROVIDER_AUTH=vault-broker chooses vault-broker"],
  modules: [
    { mode: "static-key", origin: "staticKeyModule from @copilot-byok/static-key" },
    { mode: "vault-broker" },
  ],
  problems: [],
  warnings: [],
  ...overrides,
});

describe("formatDoctorReport", () => {
  it("knows no mode: a section headed by the mode with its facts, then the token's claims", () => {
    const lines = formatDoctorReport(
      report({
        credentialKind: "bearer",
        facts: {
          vault: "https://vault.example",
          roles: ["reader", "writer"],
          none: [],
          renewals: 2,
          cached: false,
        },
        token: {
          credential: "VaultCredential",
          audience: "api://vault",
          audienceMatchesScope: false,
          tenantId: "t",
          objectId: "o",
          appId: "a",
          expiresOn: "2031-01-01T00:00:00.000Z",
          expiresIn: "in 1 h",
        },
      }),
    );
    expect(lines).toEqual([
      "copilot-byok doctor: healthy",
      "",
      "mode: vault-broker",
      "  - COPILOT_PROVIDER_AUTH=vault-broker chooses vault-broker",
      "",
      "modules:",
      "  - static-key (staticKeyModule from @copilot-byok/static-key)",
      "  - vault-broker",
      "",
      "vault-broker:",
      "  credential kind: bearer",
      "  vault: https://vault.example",
      "  roles: reader, writer",
      "  none: (none)",
      "  renewals: 2",
      "  cached: false",
      "",
      "token:",
      "  audience (aud): api://vault (DOES NOT match the scope)",
      "  tenant (tid): t",
      "  object id (oid): o",
      "  app id (appid): a",
      "  expires: 2031-01-01T00:00:00.000Z (in 1 h)",
    ]);
  });

  it("no facts, no token: neither section; the credential kind is not repeated when a fact says it", () => {
    expect(formatDoctorReport(report({ modules: [] })).join("\n")).not.toMatch(
      /vault-broker:|token:|modules:/,
    );
    const lines = formatDoctorReport(
      report({ credentialKind: "api-key", facts: { credentialKind: "api-key" } }),
    );
    expect(lines.filter((l) => l.includes("api-key"))).toEqual(["  credentialKind: api-key"]);
  });

  // Issue 16 (9): the model, the deployment and a scope were printed as the report held them. A report built by
  // hand (or by an older runDoctor) is rendered the same way as runDoctor renders it.
  it("shows a model, deployment or scope only in its safe rendering", () => {
    const HEX = "4be0c7a19f2d3e5b6a8c0d1e2f3a4b5c";
    const lines = formatDoctorReport(
      report({
        provider: { type: "azure", wireApi: "completions", model: HEX, wireModel: `dep-${HEX}` },
        facts: { modelId: HEX, wireModel: `dep-${HEX}`, scope: `api://app/.default?code=${HEX}` },
      }),
    );
    const text = lines.join("\n");
    expect(text).not.toContain(HEX.slice(0, 12));
    expect(text).toContain(
      "  model: a value of 32 characters (not shown), deployment (wire model): a value of 36 characters (not shown)",
    );
    expect(text).toContain("  scope: api://app/.default?code=[REDACTED]");
    // Names are shown as they are, and renderings are not rendered again.
    const named = formatDoctorReport(
      report({
        provider: {
          type: "openai",
          wireApi: "responses",
          model: "gpt-4.1",
          wireModel: "a value of 32 characters (not shown)",
        },
      }),
    );
    expect(named).toContain(
      "  model: gpt-4.1, deployment (wire model): a value of 32 characters (not shown)",
    );
  });

  it("the credential delivery: its own section after the token's, before the probe, the reason as a bullet", () => {
    const lines = formatDoctorReport(
      report({
        token: { audience: "api://vault" },
        credentialDelivery: { delivery: "runtime", reason: "the vault source has no getCredential()" },
        probe: {
          ok: false,
          url: "https://vault.example/v1/responses",
          status: 403,
          explanation: ["the role is missing"],
          durationMs: 5,
        },
      }),
    );
    const at = lines.indexOf("credential delivery: runtime");
    expect(lines.slice(at - 3, at + 6)).toEqual([
      "token:",
      "  audience (aud): api://vault",
      "",
      "credential delivery: runtime",
      "  - the vault source has no getCredential()",
      "",
      "probe: FAILED HTTP 403 POST https://vault.example/v1/responses (5 ms)",
      "  explanation of the 403, from the vault-broker source:",
      "    - the role is missing",
    ]);
  });
});
