import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { createServer, type Server, type Socket } from "node:net";
import { fileURLToPath } from "node:url";
import { type AzureEmulators, startAzureEmulators } from "@copilot-byok/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

// The built command, as users run it (npm test builds before testing).
const BIN = fileURLToPath(new URL("../dist/esm/bin.js", import.meta.url));
const CANARY_KEY = "canary-bin-key-83b2e61f04d7";
let emulators: AzureEmulators;

beforeAll(async () => {
  if (!existsSync(BIN)) throw new Error(`${BIN} is missing: build first (npm run setup)`);
  emulators = await startAzureEmulators({ apiKeys: [CANARY_KEY] });
});
afterAll(async () => {
  await emulators?.close();
});

function run(args: string[], env: Record<string, string>, timeoutMs = 60_000) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => {
      stdout += d;
    });
    child.stderr.on("data", (d) => {
      stderr += d;
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

describe("copilot-byok (the built command)", () => {
  it("doctor --probe --json: exit 0 when healthy, the key never printed", async () => {
    const r = await run(["doctor", "--probe", "--json", "--timeout", "10000"], {
      AZURE_AI_FOUNDRY_RESOURCE_URL: emulators.foundry.resourceUrl,
      COPILOT_PROVIDER_API_KEY: CANARY_KEY,
      COPILOT_PROVIDER_MODEL_ID: "gpt-4.1",
    });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ healthy: true, mode: "static-key", probe: { ok: true } });
    expect(r.stdout + r.stderr).not.toContain(CANARY_KEY);
  });

  it("doctor --probe: a refused key is explained by its source (where it came from, its fingerprint), never printed", async () => {
    const wrong = `${CANARY_KEY}-wrong`;
    for (const json of [false, true]) {
      const r = await run(["doctor", "--probe", ...(json ? ["--json"] : []), "--timeout", "10000"], {
        AZURE_AI_FOUNDRY_RESOURCE_URL: emulators.foundry.resourceUrl,
        COPILOT_PROVIDER_API_KEY: wrong,
        COPILOT_PROVIDER_MODEL_ID: "gpt-4.1",
      });
      expect(r.code).toBe(1);
      if (json) {
        const report = JSON.parse(r.stdout);
        expect(report.credentialDelivery).toMatchObject({ delivery: "request-edge" });
        expect(report.probe.status).toBe(401);
        expect(report.probe.explanation[0]).toMatch(
          /^COPILOT_PROVIDER_API_KEY holds a key the provider refused/,
        );
      } else {
        expect(r.stdout).toContain("\ncredential delivery: request-edge\n");
        expect(r.stdout).toMatch(
          /\n {2}explanation of the 401, from the static-key source:\n {4}- COPILOT_PROVIDER_API_KEY holds a key the provider refused \(fingerprint sha256:[0-9a-f]{8}\)/,
        );
      }
      expect(r.stdout + r.stderr).not.toContain(CANARY_KEY);
    }
  });

  it("doctor: exit 1 on problems, naming the bad value's variable but never a secret pasted into it", async () => {
    const r = await run(["doctor"], {
      COPILOT_PROVIDER_TYPE: CANARY_KEY,
      COPILOT_PROVIDER_API_KEY: CANARY_KEY,
    });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("COPILOT_PROVIDER_TYPE");
    expect(r.stdout + r.stderr).not.toContain(CANARY_KEY);
  });

  it("doctor --module <file> --probe: a plug-in's mode, loaded by the built command, its token never printed", async () => {
    const plugin = fileURLToPath(new URL("./test-support/testBrokerModule.mjs", import.meta.url));
    const r = await run(["doctor", "--module", plugin, "--probe", "--timeout", "10000"], {
      COPILOT_PROVIDER_BASE_URL: emulators.foundry.baseUrl,
      COPILOT_PROVIDER_MODEL_ID: "gpt-4.1",
      TEST_BROKER_TOKEN: CANARY_KEY,
    });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("mode: test-broker");
    expect(r.stdout).toContain(`  - test-broker (testBrokerModule from ${plugin})`);
    expect(r.stdout).toContain("test-broker:\n  credential kind: bearer\n");
    expect(r.stdout).toContain("token:\n  audience (aud): api://test-broker (matches the scope)");
    expect(r.stdout).toMatch(/probe: OK HTTP 200 POST /);
    expect(r.stdout + r.stderr).not.toContain(CANARY_KEY);
  });

  it("exit 2 on a usage error", async () => {
    const r = await run(["doctor", "--bogus"], {});
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("Usage: copilot-byok");
  });

  it("demo: runs one session per mode on the emulators, exit 0, with the replies and no secret", async () => {
    const r = await run(["demo", "--prompt", "ping from the test"], {});
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("mode: static-key");
    expect(r.stdout).toContain("mode: azure-entra");
    expect(r.stdout.match(/reply: Echo: .*ping from the test/gs)?.length ?? 0).toBeGreaterThanOrEqual(1);
    expect(r.stdout).toContain("auth=bearer-jwt");
    expect(r.stdout).not.toMatch(/eyJ[\w-]{10,}\.[\w-]{10,}/);
    expect(r.stdout).not.toContain("demo-key-for-the-local-emulator-only");
  }, 120_000);
});

// Issue 16 (3): the doctor printed its report, then the process lived on: @azure/identity's managed identity
// retries (which ignore abort signals) and their sockets held it, ~20 s against a refusing port and for good
// against a silent server. Now --timeout bounds the whole run and the command exits right after the report.
// The bound asserted is generous (a loaded machine may be slow to start Node); the tight one, timeout + 1 s, is
// checked by hand: node packages/cli/scripts/doctor-exit-timing.mjs.
describe("copilot-byok doctor ends within --timeout", () => {
  const TIMEOUT_MS = 2_000;
  const servers: Server[] = [];
  const sockets = new Set<Socket>();
  afterAll(async () => {
    for (const socket of sockets) socket.destroy();
    await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  });

  async function listen(server: Server): Promise<number> {
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    return (server.address() as { port: number }).port;
  }

  /** A port nothing listens on: connections are refused. */
  async function refusingPort(): Promise<number> {
    const server = createServer();
    const port = await listen(server);
    await new Promise((resolve) => server.close(resolve));
    return port;
  }

  /** A TCP server that accepts and never answers. */
  async function silentPort(): Promise<number> {
    const server = createServer((socket) => {
      sockets.add(socket);
      socket.on("error", () => undefined);
    });
    servers.push(server);
    return listen(server);
  }

  it.each([
    ["a refusing port", refusingPort],
    ["a silent TCP server", silentPort],
  ])(
    "IDENTITY_ENDPOINT at %s, --probe --timeout 2000: the report says the timeout, the process exits",
    async (_, port) => {
      const started = Date.now();
      const r = await run(
        ["doctor", "--probe", "--timeout", String(TIMEOUT_MS)],
        {
          AZURE_AI_FOUNDRY_RESOURCE_URL: "https://res.services.ai.azure.com",
          IDENTITY_ENDPOINT: `http://127.0.0.1:${await port()}/msi/token`,
          IDENTITY_HEADER: "canary-bin-identity-header-5e1f",
          COPILOT_PROVIDER_MODEL_ID: "gpt-4.1",
        },
        30_000,
      );
      const elapsed = Date.now() - started;
      expect(r.code).toBe(1);
      expect(r.stdout).toContain("copilot-byok doctor: problems found");
      expect(r.stdout).toContain(`within ${TIMEOUT_MS} ms (--timeout)`);
      expect(elapsed).toBeLessThan(TIMEOUT_MS + 8_000);
      expect(r.stdout + r.stderr).not.toContain("canary-bin-identity-header-5e1f");
    },
    60_000,
  );
});
