import {
  type EntraAuthorityEmulator,
  type FoundryEmulator,
  type ManagedIdentityEmulator,
  startEntraAuthorityEmulator,
  startFoundryEmulator,
  startManagedIdentityEmulator,
} from "@copilot-byok/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli, startCredentialApp } from "./startCredentialApp.js";

// The clouds and endpoint kinds of the README's table, through the real runtime: the app (in a process of its
// own) reaches "public" hosts (`*.openai.azure.us`, `login.microsoftonline.us`, …) through a CONNECT proxy to
// the emulators, trusting their CA; only its environment says which cloud it is in. Each Foundry emulator
// accepts only its cloud's audience, so a session that answers proves the scope followed the endpoint.
const GOV_HOST = "e2e-res.openai.azure.us";
const CHINA_HOST = "e2e-res.openai.azure.cn";
const FOUNDRY_HOST = "e2e-res.services.ai.azure.com";
const PROJECT = "e2e-project";

let identity: ManagedIdentityEmulator;
let gov: FoundryEmulator;
let china: FoundryEmulator;
let project: FoundryEmulator;
let authority: EntraAuthorityEmulator;

beforeAll(async () => {
  identity = await startManagedIdentityEmulator();
  [gov, china, project] = await Promise.all([
    startFoundryEmulator({ identity, audience: "https://cognitiveservices.azure.us" }),
    startFoundryEmulator({ identity, audience: "https://cognitiveservices.azure.cn" }),
    startFoundryEmulator({ identity, audience: "https://ai.azure.com", projects: [PROJECT] }),
  ]);
  authority = await startEntraAuthorityEmulator({
    authority: identity,
    tenantId: identity.tenantId,
    // MSAL sends a login.chinacloudapi.cn authority to login.partner.microsoftonline.cn.
    hosts: ["login.microsoftonline.us", "login.partner.microsoftonline.cn"],
    tunnels: { [GOV_HOST]: gov.port, [CHINA_HOST]: china.port, [FOUNDRY_HOST]: project.port },
  });
});
afterAll(async () => {
  await authority?.close();
  await Promise.all([gov?.close(), china?.close(), project?.close(), identity?.close()]);
});

interface DoctorJson {
  readonly healthy: boolean;
  readonly reasons: readonly string[];
  readonly warnings: readonly string[];
  readonly facts?: Readonly<Record<string, string>>;
  readonly token?: { readonly answeredBy?: string; readonly audience?: string };
}

/** A session answers twice, then `doctor --probe --json` with the same environment. */
async function runRow(env: Record<string, string>, foundry: FoundryEmulator) {
  foundry.reset();
  authority.reset();
  identity.reset();
  const app = await startCredentialApp({ COPILOT_PROVIDER_MODEL_ID: "gpt-4.1", ...env });
  try {
    expect(app.opened.mode).toBe("azure-entra");
    expect(await app.ask("first turn")).toContain("first turn");
    expect(await app.ask("second turn")).toContain("second turn");
  } finally {
    await app.close();
  }
  expect(foundry.requests.map((r) => [r.status, r.authKind])).toEqual([
    [200, "bearer-jwt"],
    [200, "bearer-jwt"],
  ]);
  const served = {
    authority: authority.requests
      .filter((r) => r.endpoint === "token")
      .map((r) => ({ status: r.status, host: r.host, scope: r.scope })),
    identity: identity.requests.map((r) => ({ status: r.status, resource: r.resource })),
  };
  foundry.reset();
  const doctor = await runCli(["doctor", "--probe", "--json"], {
    COPILOT_PROVIDER_MODEL_ID: "gpt-4.1",
    ...env,
  });
  expect(doctor.stderr).toBe("");
  const report = JSON.parse(doctor.stdout) as DoctorJson;
  expect({ code: doctor.code, healthy: report.healthy, warnings: report.warnings }).toEqual({
    code: 0,
    healthy: true,
    warnings: [],
  });
  expect(foundry.requests.map((r) => r.status)).toEqual([200]);
  return { served, report };
}

describe("Azure Government", () => {
  it("a service principal signs in at login.microsoftonline.us; the scope is Government's", async () => {
    const env = {
      ...authority.env("service-principal", { authorityHost: "https://login.microsoftonline.us" }),
      AZURE_OPENAI_ENDPOINT: `https://${GOV_HOST}`,
    };
    const { served, report } = await runRow(env, gov);
    expect(served.authority).toEqual([
      { status: 200, host: "login.microsoftonline.us", scope: "https://cognitiveservices.azure.us/.default" },
    ]);
    expect(report.facts).toMatchObject({ cloud: "Azure Government" });
    expect(report.token).toMatchObject({
      answeredBy: "EnvironmentCredential",
      audience: "https://cognitiveservices.azure.us",
    });
  }, 120_000);

  it("with the public authority, the doctor warns and names the fix", async () => {
    const env = {
      ...authority.env("service-principal"),
      AZURE_OPENAI_ENDPOINT: `https://${GOV_HOST}`,
      COPILOT_PROVIDER_MODEL_ID: "gpt-4.1",
    };
    const doctor = await runCli(["doctor", "--json"], env);
    const report = JSON.parse(doctor.stdout) as DoctorJson;
    const said = [...report.reasons, ...report.warnings].join("\n");
    expect(said).toContain("the endpoint is in Azure Government");
    expect(said).toContain("set AZURE_AUTHORITY_HOST=https://login.microsoftonline.us");
  }, 60_000);

  it("the public scope for a Government endpoint is a ConfigurationError naming the scope it needs", async () => {
    const env = {
      ...authority.env("service-principal", { authorityHost: "https://login.microsoftonline.us" }),
      AZURE_OPENAI_ENDPOINT: `https://${GOV_HOST}`,
      COPILOT_PROVIDER_TOKEN_SCOPE: "https://cognitiveservices.azure.com/.default",
    };
    gov.reset();
    authority.reset();
    const opened = await startCredentialApp({ COPILOT_PROVIDER_MODEL_ID: "gpt-4.1", ...env }).then(
      async (app) => {
        await app.close();
        return "opened";
      },
      (error: Error) => error.message,
    );
    expect(opened).toContain("ConfigurationError");
    expect(opened).toContain("https://cognitiveservices.azure.us/.default");
    // Refused before any request: no token asked for, nothing sent to the provider.
    expect(gov.requests).toHaveLength(0);
    expect(authority.requests).toHaveLength(0);
  }, 60_000);
});

describe("Azure China", () => {
  it("a workload identity signs in at login.chinacloudapi.cn; the scope is China's", async () => {
    const env = {
      ...authority.env("workload-identity", { authorityHost: "https://login.chinacloudapi.cn" }),
      AZURE_OPENAI_ENDPOINT: `https://${CHINA_HOST}`,
    };
    const { served, report } = await runRow(env, china);
    expect(served.authority).toEqual([
      {
        status: 200,
        host: "login.partner.microsoftonline.cn",
        scope: "https://cognitiveservices.azure.cn/.default",
      },
    ]);
    expect(report.facts).toMatchObject({ cloud: "Azure China (21Vianet)" });
    expect(report.token).toMatchObject({ answeredBy: "WorkloadIdentityCredential" });
  }, 120_000);
});

describe("a Foundry project endpoint", () => {
  it("managed identity gets a token for https://ai.azure.com", async () => {
    const env = {
      ...identity.env("app-service"),
      // The runtime's requests to the project endpoint go through the proxy; the identity endpoint is loopback.
      HTTPS_PROXY: authority.proxyUrl,
      NO_PROXY: "127.0.0.1,localhost,::1",
      NODE_EXTRA_CA_CERTS: authority.caCertificatePath,
      COPILOT_PROVIDER_BASE_URL: `https://${FOUNDRY_HOST}/api/projects/${PROJECT}/openai/v1/`,
    };
    const { served, report } = await runRow(env, project);
    expect(served.identity).toEqual([{ status: 200, resource: "https://ai.azure.com" }]);
    expect(project.requests.every((r) => r.path.startsWith(`/api/projects/${PROJECT}/openai/v1/`))).toBe(
      true,
    );
    expect(report.token).toMatchObject({
      answeredBy: "ManagedIdentityCredential",
      audience: "https://ai.azure.com",
    });
  }, 120_000);
});
