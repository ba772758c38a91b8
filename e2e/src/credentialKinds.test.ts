import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { waitFor } from "@copilot-byok/test-utils/waitFor";
import {
  type AzureEmulatorsWithAuthority,
  createFakeAzureCli,
  type FakeAzureCli,
  startAzureEmulators,
} from "@copilot-byok/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli, startCredentialApp } from "./startCredentialApp.js";

// One row per credential kind of the README's table: the same app (fixtures/credentialApp.mjs: the default
// modules, DefaultAzureCredential, no code specific to the kind) in a process of its own, told apart only by
// its environment. Each session answers through the real runtime, and the doctor names the credential that
// answered.
const USER_ASSIGNED = "5a1b2c3d-0000-4000-8000-0000000ua001";
let emulators: AzureEmulatorsWithAuthority;
let az: FakeAzureCli;
let home: string;

beforeAll(async () => {
  emulators = await startAzureEmulators({
    identity: { userAssignedClientIds: [USER_ASSIGNED] },
    authority: true,
  });
  az = await createFakeAzureCli({ emulator: emulators.identity });
  home = await mkdtemp(join(tmpdir(), "e2e-kinds-home-"));
});
afterAll(async () => {
  await az?.cleanup();
  await emulators?.close();
  if (home) await rm(home, { recursive: true, force: true });
});

const provider = () => ({
  AZURE_AI_FOUNDRY_RESOURCE_URL: emulators.foundry.resourceUrl,
  COPILOT_PROVIDER_MODEL_ID: "gpt-4.1",
  HOME: home,
});

interface DoctorJson {
  readonly healthy: boolean;
  readonly mode: string;
  readonly problems: readonly string[];
  readonly token?: { readonly answeredBy?: string; readonly audienceMatchesScope?: boolean };
}

interface Row {
  readonly kind: string;
  env(): Record<string, string>;
  /** The credential of DefaultAzureCredential's chain that answered, as the doctor names it. */
  readonly answeredBy: string;
  /** The token endpoint's requests that served a token, for the kind: one for both turns. */
  served(): readonly Served[];
  readonly expected: Served;
}

interface Served {
  readonly via: string;
  readonly clientId?: string | undefined;
  readonly resource: string;
}

const COGNITIVE_SERVICES = "https://cognitiveservices.azure.com";
const fromIdentity = (): Served[] =>
  emulators.identity.requests
    .filter((r) => r.status === 200)
    .map((r) => ({ via: r.protocol, clientId: r.clientId, resource: r.resource ?? "" }));
const fromAuthority = (): Served[] =>
  emulators.authority.requests
    .filter((r) => r.status === 200 && r.endpoint === "token")
    .map((r) => ({
      via: r.credential ?? "",
      clientId: r.clientId,
      resource: (r.scope ?? "").replace(/\/\.default$/, ""),
    }));
const servedBy = (): Served[] => [...fromIdentity(), ...fromAuthority()];

const rows: Row[] = [
  {
    kind: "system-assigned managed identity (App Service protocol)",
    env: () => emulators.identity.env("app-service"),
    answeredBy: "ManagedIdentityCredential",
    served: servedBy,
    expected: { via: "app-service", clientId: undefined, resource: COGNITIVE_SERVICES },
  },
  {
    kind: "system-assigned managed identity (IMDS protocol)",
    env: () => emulators.identity.env("imds"),
    answeredBy: "ManagedIdentityCredential",
    served: servedBy,
    expected: { via: "imds", clientId: undefined, resource: COGNITIVE_SERVICES },
  },
  {
    kind: "user-assigned managed identity",
    env: () => ({ ...emulators.identity.env("app-service"), AZURE_CLIENT_ID: USER_ASSIGNED }),
    answeredBy: "ManagedIdentityCredential",
    served: servedBy,
    expected: { via: "app-service", clientId: USER_ASSIGNED, resource: COGNITIVE_SERVICES },
  },
  {
    kind: "Azure CLI (az login)",
    env: () => ({ ...az.env, AZURE_TOKEN_CREDENTIALS: "dev" }),
    answeredBy: "AzureCliCredential",
    served: servedBy,
    expected: { via: "azure-cli", clientId: undefined, resource: COGNITIVE_SERVICES },
  },
  {
    kind: "service principal with a secret (AZURE_CLIENT_SECRET)",
    env: () => emulators.authority.env("service-principal"),
    answeredBy: "EnvironmentCredential",
    served: servedBy,
    expected: { via: "client-secret", clientId: "", resource: COGNITIVE_SERVICES },
  },
  {
    kind: "workload identity (AZURE_FEDERATED_TOKEN_FILE)",
    env: () => emulators.authority.env("workload-identity"),
    answeredBy: "WorkloadIdentityCredential",
    served: servedBy,
    expected: { via: "client-assertion", clientId: "", resource: COGNITIVE_SERVICES },
  },
];

describe.each(rows)("$kind", (row) => {
  it("a session answers through the runtime, and the doctor names the credential", async () => {
    emulators.foundry.reset();
    emulators.identity.reset();
    emulators.authority.reset();
    const env = { ...provider(), ...row.env() };
    const app = await startCredentialApp(env);
    try {
      expect(app.opened.mode).toBe("azure-entra");
      expect(await app.ask("first turn")).toContain("first turn");
      expect(await app.ask("second turn")).toContain("second turn");
    } finally {
      await app.close();
    }
    expect(emulators.foundry.requests.map((r) => [r.status, r.authKind])).toEqual([
      [200, "bearer-jwt"],
      [200, "bearer-jwt"],
    ]);
    // One token for both turns, from the kind's own endpoint.
    expect(row.served()).toEqual([expectedOf(row)]);

    // The README's check for every row: `copilot-byok doctor --probe`.
    emulators.foundry.reset();
    const doctor = await runCli(["doctor", "--probe", "--json"], env);
    expect(doctor.stderr).toBe("");
    expect(doctor.code).toBe(0);
    const report = JSON.parse(doctor.stdout) as DoctorJson;
    expect(report).toMatchObject({ healthy: true, mode: "azure-entra", problems: [] });
    expect(report.token).toMatchObject({ answeredBy: row.answeredBy, audienceMatchesScope: true });
    expect(emulators.foundry.requests.map((r) => [r.status, r.authKind])).toEqual([[200, "bearer-jwt"]]);
  }, 120_000);
});

/** The expected record, with the ids known only once the emulators run. */
function expectedOf(row: Row): Served {
  if (row.expected.via === "client-assertion")
    return { ...row.expected, clientId: emulators.authority.workloadIdentity.clientId };
  if (row.expected.via === "client-secret")
    return { ...row.expected, clientId: emulators.authority.servicePrincipals[0]?.clientId };
  return row.expected;
}

describe("workload identity: the kubelet rotates the projected token file", () => {
  it("the next token request presents the new assertion, and every turn answers", async () => {
    emulators.foundry.reset();
    emulators.authority.reset();
    // Short-lived access tokens, so that a jump of the app's clock brings the next token request.
    emulators.authority.tokenLifetimeSeconds = 600;
    const first = emulators.authority.federatedToken;
    const app = await startCredentialApp({ ...provider(), ...emulators.authority.env("workload-identity") });
    try {
      expect(await app.ask("before the rotation")).toContain("before the rotation");
      const rotated = await emulators.authority.rotateFederatedToken();
      expect(rotated.id).not.toBe(first.id);
      // 8 min later by the app's clock: the token has 2 min left (inside the 5-minute refresh window), and
      // WorkloadIdentityCredential's 5-minute cache of the file's content has run out.
      await app.advanceClock(8 * 60_000);
      expect(await app.ask("after the rotation")).toContain("after the rotation");
      await waitFor(() => tokenRequests().length === 2, { timeoutMs: 20_000, what: "the refresh" });
      expect(await app.ask("on the new token")).toContain("on the new token");
    } finally {
      await app.close();
      emulators.authority.tokenLifetimeSeconds = 3600;
    }
    expect(tokenRequests().map((r) => [r.status, r.assertionId])).toEqual([
      [200, first.id],
      [200, emulators.authority.federatedToken.id],
    ]);
    expect(emulators.foundry.requests.map((r) => r.status)).toEqual([200, 200, 200]);
    // The last turn went out with the token the new assertion bought.
    const tokenIds = emulators.foundry.requests.map((r) => r.tokenId);
    expect(tokenIds[2]).not.toBe(tokenIds[0]);
  }, 120_000);
});

function tokenRequests() {
  return emulators.authority.requests.filter((r) => r.endpoint === "token");
}
