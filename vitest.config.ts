import { defineConfig } from "vitest/config";

// Tests run against the packages' TypeScript sources: the "@copilot-byok/source" export condition
// maps each workspace package to its src/index.ts, so no build is needed between an edit and a test run.
const conditions = ["@copilot-byok/source"];

const packages = ["core", "azure-entra", "static-key", "testing", "cli"];
const examples = [
  "basic-entra",
  "static-key",
  "di-app",
  "long-running-server",
  "migration",
  "custom-source",
  "opentelemetry",
];

export default defineConfig({
  test: {
    projects: [
      ...packages.map((name) => ({
        extends: true,
        test: { name, root: `packages/${name}`, include: ["src/**/*.test.ts"] },
      })),
      ...examples.map((name) => ({
        extends: true,
        test: { name: `example-${name}`, root: `examples/${name}`, include: ["src/**/*.test.ts"] },
      })),
      { extends: true, test: { name: "bench", root: "bench", include: ["src/**/*.test.ts"] } },
      { extends: true, test: { name: "e2e", root: "e2e", include: ["src/**/*.test.ts"] } },
      { extends: true, test: { name: "reliability", root: "reliability", include: ["src/**/*.test.ts"] } },
    ],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    teardownTimeout: 10_000,
    pool: "forks",
    maxWorkers: 2,
  },
  resolve: { conditions: [...conditions, "import", "module", "node", "default"] },
  ssr: {
    resolve: { conditions: [...conditions, "import", "node", "default"], externalConditions: conditions },
  },
});
