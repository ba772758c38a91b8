import { createServer, type Server } from "node:https";
import type { AddressInfo } from "node:net";
import { type ProviderConfigSourceModule, TokenAcquisitionError } from "@copilot-byok/core";
import { createServerCertificate, startManagedIdentityEmulator } from "@copilot-byok/testing";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { DEFAULT_MODULES } from "./defaultModules.js";
import { formatDoctorReport } from "./formatDoctorReport.js";
import { main } from "./main.js";
import { createMemoryOutput } from "./Output.js";
import { runDoctor } from "./runDoctor.js";

// The doctor's lines that misled a newcomer (issue "A newcomer's first hour", item 7), each as now printed.

const CANARY_KEY = "canary-doctor-messages-key-6b2e90d14c";

async function doctor(argv: string[], env: Record<string, string>) {
  const out = createMemoryOutput();
  const code = await main(["doctor", ...argv], { env, out });
  return { code, lines: out.lines.join("\n").split("\n"), errors: out.errors };
}

/** The lines of a section (`problems:`, `provider:`) up to the next blank line. */
function section(lines: readonly string[], heading: string): string[] {
  const start = lines.indexOf(heading);
  if (start < 0) return [];
  const end = lines.indexOf("", start);
  return lines.slice(start, end < 0 ? undefined : end);
}

describe("doctor: a TokenAcquisitionError is one problem, its details under it", () => {
  // What azure-entra's DefaultAzureCredential failure says (describeCredentialError's shape), deterministic.
  const MESSAGE = [
    "DefaultAzureCredential could not get a token for https://cognitiveservices.azure.com/.default: AggregateAuthenticationError: ChainedTokenCredential authentication failed. …",
    "  - CredentialUnavailableError: EnvironmentCredential is unavailable.",
    "  - CredentialUnavailableError: ManagedIdentityCredential: Network unreachable.",
    "  - CredentialUnavailableError: Azure CLI could not be found.",
    "No credential of the chain is available: on Azure, enable a managed identity for this app; on a developer machine, sign in with `az login`.",
  ].join("\n");
  const failing: ProviderConfigSourceModule = {
    mode: "failing-chain",
    detect: () => ({ applicable: true, strength: "explicit", reasons: ["always"] }),
    create: () => ({
      mode: "failing-chain",
      getProviderConfig: async () => {
        throw new TokenAcquisitionError(MESSAGE, { credentialName: "DefaultAzureCredential" });
      },
      describe: () => ({ mode: "failing-chain" }),
    }),
  };

  it("renders one bullet, the chain's credentials and the advice indented under it", async () => {
    const report = await runDoctor({
      env: { COPILOT_PROVIDER_BASE_URL: "https://res.openai.azure.com/openai/v1/" },
      modules: [failing],
    });
    expect(report.problems).toHaveLength(1);
    expect(section(formatDoctorReport(report), "problems:")).toEqual([
      "problems:",
      "  - TokenAcquisitionError (COPILOT_BYOK_TOKEN_ACQUISITION): DefaultAzureCredential could not get a token for https://cognitiveservices.azure.com/.default: AggregateAuthenticationError: ChainedTokenCredential authentication failed. …",
      "      - CredentialUnavailableError: EnvironmentCredential is unavailable.",
      "      - CredentialUnavailableError: ManagedIdentityCredential: Network unreachable.",
      "      - CredentialUnavailableError: Azure CLI could not be found.",
      "    No credential of the chain is available: on Azure, enable a managed identity for this app; on a developer machine, sign in with `az login`.",
    ]);
  });

  it("the real DefaultAzureCredential chain failing: one bullet, every other line indented under it", async () => {
    // The App Service identity endpoint refuses the header: each credential of the chain fails in turn.
    const identity = await startManagedIdentityEmulator();
    const env = {
      AZURE_AI_FOUNDRY_RESOURCE_URL: "https://res.services.ai.azure.com",
      IDENTITY_ENDPOINT: identity.identityEndpoint,
      IDENTITY_HEADER: "canary-doctor-messages-identity-header",
    };
    const saved = Object.fromEntries(Object.keys(env).map((name) => [name, process.env[name]]));
    Object.assign(process.env, env); // @azure/identity reads process.env itself
    try {
      const report = await runDoctor({ env, modules: DEFAULT_MODULES, timeoutMs: 20_000 });
      const problems = section(formatDoctorReport(report), "problems:");
      // diagnose() and getProviderConfig() both fail the same way: listed once.
      expect(report.problems).toHaveLength(1);
      expect(problems[1]).toMatch(/^ {2}- TokenAcquisitionError \(COPILOT_BYOK_TOKEN_ACQUISITION\): /);
      expect(problems.slice(2)).toContainEqual(
        expect.stringMatching(/^ {6}- CredentialUnavailableError: ManagedIdentityCredential: /),
      );
      for (const line of problems.slice(2)) expect(line).toMatch(/^ {4}/);
      expect(problems.join("\n")).not.toContain(env.IDENTITY_HEADER);
    } finally {
      for (const [name, value] of Object.entries(saved)) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
      await identity.close();
    }
  }, 30_000);
});

describe("doctor: a key file is not 'found' before it is read", () => {
  it("says where the key is to be read from, next to the problem that the file does not exist", async () => {
    const { code, lines } = await doctor([], {
      COPILOT_PROVIDER_BASE_URL: "https://res.openai.azure.com/openai/v1/",
      COPILOT_PROVIDER_API_KEY_FILE: "/nonexistent/byok/api-key",
    });
    expect(code).toBe(1);
    expect(lines).toContain(
      "  - static key to be read from COPILOT_PROVIDER_API_KEY_FILE (a key file: /nonexistent/byok/api-key)",
    );
    expect(lines.join("\n")).not.toContain("static key found in COPILOT_PROVIDER_API_KEY_FILE");
    expect(section(lines, "problems:")).toEqual([
      "problems:",
      "  - the key file /nonexistent/byok/api-key (COPILOT_PROVIDER_API_KEY_FILE) does not exist",
    ]);
  });
});

describe("doctor: a type or wire API that is not accepted is shown as given, not as the default", () => {
  it("names both invalid values on the provider line", async () => {
    const { code, lines } = await doctor([], {
      COPILOT_PROVIDER_BASE_URL: "https://res.openai.azure.com/openai/v1/",
      COPILOT_PROVIDER_API_KEY: CANARY_KEY,
      COPILOT_PROVIDER_TYPE: "azur",
      COPILOT_PROVIDER_WIRE_API: "respons",
    });
    expect(code).toBe(1);
    expect(lines).toContain('  type: "azur" (invalid), wire API: "respons" (invalid)');
    expect(section(lines, "problems:")).toEqual([
      "problems:",
      '  - COPILOT_PROVIDER_TYPE has "azur", which is not accepted: use one of openai, azure, anthropic',
      '  - COPILOT_PROVIDER_WIRE_API has "respons", which is not accepted: use one of responses, completions',
    ]);
  });

  it("a key pasted as the wire API is invalid by its length only; a valid type is shown as it is", async () => {
    const { lines } = await doctor(["--json"], {
      COPILOT_PROVIDER_BASE_URL: "https://res.openai.azure.com/openai/v1/",
      COPILOT_PROVIDER_TYPE: "azure",
      COPILOT_PROVIDER_WIRE_API: CANARY_KEY,
    });
    const report = JSON.parse(lines.join("\n"));
    expect(report.provider).toMatchObject({
      type: "azure",
      wireApi: `a value of ${CANARY_KEY.length} characters (not shown)`,
      invalid: ["wireApi"],
    });
    expect(lines.join("\n")).not.toContain(CANARY_KEY);
  });
});

describe("doctor: COPILOT_PROVIDER_AUTH with a typo", () => {
  it("suggests the mode it misspells", async () => {
    const { lines } = await doctor([], {
      AZURE_AI_FOUNDRY_RESOURCE_URL: "https://res.services.ai.azure.com",
      COPILOT_PROVIDER_AUTH: "azure-entr",
    });
    expect(section(lines, "problems:")).toEqual([
      "problems:",
      '  - COPILOT_PROVIDER_AUTH has "azure-entr", which is not a registered mode: did you mean azure-entra? Use one of auto, static-key, azure-entra (or pass the module that serves it in modules)',
    ]);
  });
});

describe("doctor --probe: no provider answered", () => {
  const keyEnv = (baseUrl: string) => ({
    COPILOT_PROVIDER_BASE_URL: baseUrl,
    COPILOT_PROVIDER_API_KEY: CANARY_KEY,
    COPILOT_PROVIDER_MODEL_ID: "gpt-4.1",
  });
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it("a host that does not resolve (ENOTFOUND): not 'provider said', and DNS advice", async () => {
    const dnsFailure = Object.assign(new Error("getaddrinfo ENOTFOUND nowhere.openai.azure.com"), {
      code: "ENOTFOUND",
    });
    vi.spyOn(globalThis, "fetch").mockRejectedValue(new TypeError("fetch failed", { cause: dnsFailure }));
    const { code, lines } = await doctor(["--probe"], keyEnv("https://nowhere.openai.azure.com/openai/v1/"));
    expect(code).toBe(1);
    const probe = lines.slice(lines.findIndex((l) => l.startsWith("probe: ")));
    expect(probe[0]).toMatch(
      /^probe: FAILED POST https:\/\/nowhere\.openai\.azure\.com\/openai\/v1\/responses \(\d+ ms\)$/,
    );
    expect(probe.slice(1, 3)).toEqual([
      "  no provider answered: request failed (ENOTFOUND)",
      "  advice: could not reach nowhere.openai.azure.com: the host name does not resolve (ENOTFOUND): check the base URL for a typo, and DNS (a private endpoint needs its private DNS zone)",
    ]);
    expect(section(lines, "problems:")).toEqual([
      "problems:",
      "  - probe: no provider answered: request failed (ENOTFOUND) (could not reach nowhere.openai.azure.com: the host name does not resolve (ENOTFOUND): check the base URL for a typo, and DNS (a private endpoint needs its private DNS zone))",
    ]);
    expect(lines.join("\n")).not.toContain("provider said");
  });

  describe("a certificate this process does not trust (a TLS-intercepting proxy, a private CA)", () => {
    let server: Server;
    beforeAll(async () => {
      const certificate = await createServerCertificate({ hosts: ["localhost"], ipAddresses: ["127.0.0.1"] });
      server = createServer({ cert: certificate.certificateChain, key: certificate.privateKey }, (_, res) =>
        res.writeHead(200, { "content-type": "application/json" }).end("{}"),
      );
      await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    });
    afterAll(async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    });

    it("SELF_SIGNED_CERT_IN_CHAIN: advice to trust the CA with NODE_EXTRA_CA_CERTS, not DNS or a firewall", async () => {
      const host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
      const { code, lines } = await doctor(["--probe"], keyEnv(`https://${host}/openai/v1/`));
      expect(code).toBe(1);
      const probe = lines.slice(lines.findIndex((l) => l.startsWith("probe: ")));
      expect(probe.slice(1, 3)).toEqual([
        "  no provider answered: request failed (SELF_SIGNED_CERT_IN_CHAIN)",
        `  advice: could not reach ${host}: its TLS certificate is not trusted here (SELF_SIGNED_CERT_IN_CHAIN): most often a TLS-intercepting proxy (a corporate one) or a private CA signs it: trust that CA: set NODE_EXTRA_CA_CERTS=<path of its PEM certificate> before Node starts (it is read at start only); do not turn certificate checks off`,
      ]);
      expect(lines.join("\n")).not.toMatch(/DNS|firewall/);
      expect(lines.join("\n")).not.toContain(CANARY_KEY);
    });
  });
});
