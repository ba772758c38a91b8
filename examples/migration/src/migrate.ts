import { type DoctorReport, formatDoctorReport, runDoctor } from "@copilot-byok/cli";
import type { Env } from "@copilot-byok/core";

/** One step of a migration from a static key to Managed Identity: the environment at that step. */
export interface MigrationStep {
  readonly title: string;
  readonly env: Env;
}

/**
 * The migration path, each step checked with `copilot-byok doctor --probe`:
 * 1. key only → static-key;
 * 2. key and identity both configured → still static-key, and the doctor says which variable switches;
 * 3. COPILOT_PROVIDER_AUTH=azure-entra with the key still present → identity (the key is kept as a way back);
 * 4. identity only → azure-entra by auto-selection; the key can be revoked.
 */
export function migrationSteps(base: Env, key: string, identity: Env): MigrationStep[] {
  return [
    { title: "1. static key only", env: { ...base, AZURE_OPENAI_API_KEY: key } },
    {
      title: "2. key and managed identity both configured",
      env: { ...base, ...identity, AZURE_OPENAI_API_KEY: key },
    },
    {
      title: "3. switch to the identity, key kept as a way back",
      env: { ...base, ...identity, AZURE_OPENAI_API_KEY: key, COPILOT_PROVIDER_AUTH: "azure-entra" },
    },
    { title: "4. identity only: revoke the key", env: { ...base, ...identity } },
  ];
}

/** Runs the doctor (with a probe) at each step and prints what it says. Returns the reports. */
export async function runMigration(
  steps: readonly MigrationStep[],
  print = console.log,
): Promise<DoctorReport[]> {
  const reports: DoctorReport[] = [];
  for (const step of steps) {
    print(`\n=== ${step.title} ===`);
    const report = await runDoctor({ env: step.env, probe: true, timeoutMs: 30_000 });
    for (const line of formatDoctorReport(report)) print(line);
    reports.push(report);
  }
  return reports;
}
