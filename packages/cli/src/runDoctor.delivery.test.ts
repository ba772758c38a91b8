import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { inspect } from "node:util";
import {
  ConfigurationError,
  type ProviderConfigSource,
  type ProviderConfigSourceModule,
  type ProviderCredential,
} from "@copilot-byok/core";
import type { CopilotSdk } from "@copilot-byok/core/plugin";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { formatDoctorReport } from "./formatDoctorReport.js";
import { runDoctor } from "./runDoctor.js";

// How the doctor tells the credential's delivery (the request edge or the runtime) and shows a source's
// explanation of a 401/403. loadCopilotSdk is replaced, per test, to stand for an SDK that is not installed, one
// without the hook, one that fails to load or never loads; by default it is the real one (1.0.14, with the hook).
const sdk = vi.hoisted(() => ({ load: undefined as (() => Promise<unknown>) | undefined }));
vi.mock("@copilot-byok/core/plugin", async (importOriginal) => {
  const original = await importOriginal<typeof import("@copilot-byok/core/plugin")>();
  return { ...original, loadCopilotSdk: () => (sdk.load ? sdk.load() : original.loadCopilotSdk()) };
});

const KEY = "canary-delivery-key-4e8b1c07d2f9";
const EDGE =
  "the runtime gets a placeholder; this process sets the credential on each request and, on a 401, renews it and replays once; turn off with registerCopilotByok(…, { requestEdge: false })";
const NO_SDK =
  "@github/copilot-sdk is not installed here: the runtime gets the credential with the session config; the request edge will be used once @github/copilot-sdk@^1.0.14 is installed, if it supports it (the experimental requestHandler option)";

let provider: Server;
let status = 401;
let baseUrl: string;
beforeAll(async () => {
  provider = createServer((_, res) =>
    res.writeHead(status, { "content-type": "application/json" }).end('{"error":{"message":"refused"}}'),
  );
  await new Promise<void>((resolve) => provider.listen(0, "127.0.0.1", resolve));
  baseUrl = `http://127.0.0.1:${(provider.address() as AddressInfo).port}/openai/v1/`;
});
afterAll(async () => {
  provider.closeAllConnections();
  await new Promise((resolve) => provider.close(resolve));
});
afterEach(() => {
  sdk.load = undefined;
  status = 401;
});

/** A plug-in mode whose source has what `members` give (getCredential, renewCredential, explainRejection). */
function moduleWith(members: Partial<ProviderConfigSource>): ProviderConfigSourceModule {
  return {
    mode: "vault",
    detect: () => ({ applicable: true, strength: "explicit", reasons: ["always"] }),
    create: () => ({
      mode: "vault",
      getProviderConfig: async () => ({ type: "openai", baseUrl, apiKey: KEY }),
      describe: () => ({ mode: "vault", baseUrl }),
      ...members,
    }),
  };
}
const credential = async (): Promise<ProviderCredential> => ({ kind: "api-key", value: KEY });
const env = {
  COPILOT_PROVIDER_BASE_URL: "https://res.openai.azure.com/openai/v1/",
  COPILOT_PROVIDER_MODEL_ID: "gpt-4.1",
};

/** The lines of the text report's `credential delivery:` section. */
function deliveryLines(report: Parameters<typeof formatDoctorReport>[0]): string[] {
  const lines = formatDoctorReport(report);
  const start = lines.findIndex((l) => l.startsWith("credential delivery: "));
  if (start < 0) return [];
  const end = lines.indexOf("", start);
  return lines.slice(start, end < 0 ? undefined : end);
}

function expectNoSecret(report: unknown) {
  for (const text of [
    JSON.stringify(report),
    inspect(report, { depth: 10 }),
    formatDoctorReport(report as never).join("\n"),
  ]) {
    expect(text).not.toContain(KEY);
    expect(text).not.toContain(KEY.slice(0, 16));
  }
}

describe("doctor: how the credential will be delivered", () => {
  it("the SDK installed here carries the request edge, and the static-key source has getCredential: request-edge", async () => {
    const report = await runDoctor({ env: { ...env, COPILOT_PROVIDER_API_KEY: KEY } });
    expect(report.mode).toBe("static-key");
    expect(report.credentialDelivery).toEqual({ delivery: "request-edge", reason: EDGE });
    expect(deliveryLines(report)).toEqual(["credential delivery: request-edge", `  - ${EDGE}`]);
    expect(report.healthy).toBe(true);
    expectNoSecret(report);
  });

  it("a source without renewCredential: the edge, a 401 explained rather than replayed", async () => {
    const report = await runDoctor({
      env: { ...env, COPILOT_PROVIDER_AUTH: "vault" },
      modules: [moduleWith({ getCredential: credential })],
    });
    expect(report.credentialDelivery).toEqual({
      delivery: "request-edge",
      reason:
        "the runtime gets a placeholder; this process sets the credential on each request (the vault source has no renewCredential(): a 401 is explained, not replayed); turn off with registerCopilotByok(…, { requestEdge: false })",
    });
  });

  it("a source without getCredential: runtime, saying so", async () => {
    const report = await runDoctor({
      env: { ...env, COPILOT_PROVIDER_AUTH: "vault" },
      modules: [moduleWith({})],
    });
    const reason =
      "the vault source has no getCredential(), which the request edge needs: the runtime gets the credential with the session config";
    expect(report.credentialDelivery).toEqual({ delivery: "runtime", reason });
    expect(deliveryLines(report)).toEqual(["credential delivery: runtime", `  - ${reason}`]);
    expect(report.healthy).toBe(true);
  });

  it("the SDK not installed here: runtime, and the edge once it is installed", async () => {
    sdk.load = async () => {
      throw new ConfigurationError([
        "@github/copilot-sdk is not installed (a peer dependency of copilot-byok: the app installs it): npm install @github/copilot-sdk@^1.0.14",
      ]);
    };
    const report = await runDoctor({ env: { ...env, COPILOT_PROVIDER_API_KEY: KEY } });
    expect(report.credentialDelivery).toEqual({ delivery: "runtime", reason: NO_SDK });
    expect(deliveryLines(report)).toEqual(["credential delivery: runtime", `  - ${NO_SDK}`]);
    // Not a problem: the doctor works without the SDK.
    expect(report.healthy).toBe(true);
  });

  it.each([
    [
      "no CopilotRequestHandler",
      {},
      "this @github/copilot-sdk has no CopilotRequestHandler (the experimental requestHandler option): credentials go to the runtime with the session config",
    ],
    [
      "a CopilotRequestHandler without the hooks",
      { CopilotRequestHandler: class {} },
      "this @github/copilot-sdk's CopilotRequestHandler has no sendRequest/openWebSocket hooks: credentials go to the runtime with the session config",
    ],
  ])("an SDK with %s: runtime, with requestHandlerProblem's text", async (_, module, reason) => {
    sdk.load = async () => module as unknown as CopilotSdk;
    const report = await runDoctor({ env: { ...env, COPILOT_PROVIDER_API_KEY: KEY } });
    expect(report.credentialDelivery).toEqual({ delivery: "runtime", reason });
    expect(deliveryLines(report)).toEqual(["credential delivery: runtime", `  - ${reason}`]);
  });

  it("an SDK that fails to load otherwise: runtime, the failure named (a secret in it masked)", async () => {
    sdk.load = async () => {
      throw new Error(
        "Cannot find module './dist/index.js' (Authorization: Bearer eyJhbGciOi.eyJzdWIiOi.c2lnbmF0dXJl)",
      );
    };
    const report = await runDoctor({ env: { ...env, COPILOT_PROVIDER_API_KEY: KEY } });
    expect(report.credentialDelivery?.delivery).toBe("runtime");
    expect(report.credentialDelivery?.reason).toMatch(
      /^@github\/copilot-sdk could not be loaded here \(Error: Cannot find module '\.\/dist\/index\.js' .*\): whether it can carry the request edge is not known$/,
    );
    expect(JSON.stringify(report)).not.toContain("eyJzdWIiOi");
  });

  it("an SDK import that never settles cannot hold the run: bounded by --timeout", async () => {
    sdk.load = () => new Promise(() => undefined);
    const started = Date.now();
    const report = await runDoctor({ env: { ...env, COPILOT_PROVIDER_API_KEY: KEY }, timeoutMs: 300 });
    expect(Date.now() - started).toBeLessThan(3_000);
    expect(report.credentialDelivery).toEqual({
      delivery: "runtime",
      reason:
        "whether @github/copilot-sdk can carry the request edge could not be told within 300 ms (--timeout)",
    });
  });

  it("a source whose create() fails: no delivery (no source to tell it for)", async () => {
    const report = await runDoctor({
      env: {
        COPILOT_PROVIDER_BASE_URL: env.COPILOT_PROVIDER_BASE_URL,
        COPILOT_PROVIDER_API_KEY_FILE: "/nonexistent/key",
      },
    });
    expect(report.healthy).toBe(false);
    expect(report).not.toHaveProperty("credentialDelivery");
    expect(deliveryLines(report)).toEqual([]);
  });
});

describe("doctor --probe: the source's explanation of a 401 or 403", () => {
  it.each([401, 403])(
    "HTTP %i: the source is asked about the credential the probe sent; its lines shown, never the key",
    async (answer) => {
      status = answer;
      const asked: { kind: string; matches: boolean; status: number }[] = [];
      const report = await runDoctor({
        env: { ...env, COPILOT_PROVIDER_AUTH: "vault" },
        modules: [
          moduleWith({
            getCredential: credential,
            explainRejection(refused, st) {
              asked.push({ kind: refused.kind, matches: refused.value === KEY, status: st });
              // A careless source quoting the key, its start and a JWT: none of it survives.
              return [
                `the vault's key (fingerprint sha256:0000abcd) was refused with ${st}`,
                `it was ${refused.value}`,
                "token eyJhbGciOi.eyJzdWIiOi.c2lnbmF0dXJl",
              ];
            },
          }),
        ],
        probe: true,
        timeoutMs: 10_000,
      });
      expect(asked).toEqual([{ kind: "api-key", matches: true, status: answer }]);
      expect(report.probe?.status).toBe(answer);
      expect(report.probe?.explanation).toEqual([
        `the vault's key (fingerprint sha256:0000abcd) was refused with ${answer}`,
        "it was [REDACTED]",
        "token [REDACTED]:jwt",
      ]);
      const lines = formatDoctorReport(report);
      const at = lines.indexOf(`  explanation of the ${answer}, from the vault source:`);
      expect(at).toBeGreaterThan(lines.findIndex((l) => l.startsWith(`probe: FAILED HTTP ${answer} `)));
      expect(lines.slice(at + 1, at + 4)).toEqual([
        `    - the vault's key (fingerprint sha256:0000abcd) was refused with ${answer}`,
        "    - it was [REDACTED]",
        "    - token [REDACTED]:jwt",
      ]);
      expect(report.healthy).toBe(false);
      expectNoSecret(report);
      expect(JSON.stringify(report)).not.toContain("eyJzdWIiOi");
    },
  );

  it("a source without explainRejection, or one that throws: the probe's own advice only", async () => {
    for (const members of [
      { getCredential: credential },
      {
        explainRejection: () => {
          throw new Error(`broken ${KEY}`);
        },
      },
    ]) {
      const report = await runDoctor({
        env: { ...env, COPILOT_PROVIDER_AUTH: "vault" },
        modules: [moduleWith(members)],
        probe: true,
        timeoutMs: 10_000,
      });
      expect(report.probe?.status).toBe(401);
      expect(report.probe?.advice).toContain("the key was rejected");
      expect(report.probe).not.toHaveProperty("explanation");
      expect(formatDoctorReport(report).join("\n")).not.toContain("explanation of the");
      expectNoSecret(report);
    }
  });
});
