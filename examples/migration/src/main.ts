import { BASE_URL_VARIABLES } from "@copilot-byok/core";
import { startAzureEmulators } from "@copilot-byok/testing";
import { migrationSteps, runMigration } from "./migrate.js";
import { reportFailure } from "./reportFailure.js";

try {
  if (BASE_URL_VARIABLES.some((v) => process.env[v]?.trim())) {
    // Your own environment: run the doctor on it as it is (repeat at each step of your migration).
    const reports = await runMigration([{ title: "your environment", env: process.env }]);
    process.exitCode = reports.every((r) => r.healthy) ? 0 : 1;
  } else {
    // The emulators stand in for Azure: walk the whole path.
    const key = "migration-demo-key-0123456789";
    const emulators = await startAzureEmulators({ apiKeys: [key] });
    const identity = emulators.identity.env("app-service");
    Object.assign(process.env, identity); // @azure/identity reads process.env itself
    try {
      const base = {
        AZURE_AI_FOUNDRY_RESOURCE_URL: emulators.foundry.resourceUrl,
        COPILOT_PROVIDER_MODEL_ID: "gpt-4.1",
      };
      const reports = await runMigration(migrationSteps(base, key, identity));
      process.exitCode = reports.every((r) => r.healthy) ? 0 : 1;
    } finally {
      await emulators.close();
    }
  }
} catch (error) {
  process.exitCode = reportFailure(error);
}
