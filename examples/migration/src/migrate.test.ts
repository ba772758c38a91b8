import { startAzureEmulators } from "@copilot-byok/testing";
import { expect, it } from "vitest";
import { migrationSteps, runMigration } from "./migrate.js";

it("walks key → key and identity → identity with the key kept → identity only, the doctor healthy at each step", async () => {
  const key = "example-migration-key-0123456789";
  const emulators = await startAzureEmulators({ apiKeys: [key] });
  try {
    const identity = emulators.identity.env("app-service");
    Object.assign(process.env, identity);
    const base = {
      AZURE_AI_FOUNDRY_RESOURCE_URL: emulators.foundry.resourceUrl,
      COPILOT_PROVIDER_MODEL_ID: "gpt-4.1",
    };
    const printed: string[] = [];
    const reports = await runMigration(migrationSteps(base, key, identity), (line) => printed.push(line));
    expect(reports.map((r) => r.mode)).toEqual(["static-key", "static-key", "azure-entra", "azure-entra"]);
    expect(reports.every((r) => r.healthy && r.probe?.ok)).toBe(true);
    expect(reports[1]?.reasons.join("\n")).toContain("set COPILOT_PROVIDER_AUTH=azure-entra");
    expect(emulators.foundry.requests.map((r) => r.authKind)).toEqual([
      "bearer-key",
      "bearer-key",
      "bearer-jwt",
      "bearer-jwt",
    ]);
    expect(printed.join("\n")).not.toContain(key);
  } finally {
    await emulators.close();
  }
}, 90_000);
