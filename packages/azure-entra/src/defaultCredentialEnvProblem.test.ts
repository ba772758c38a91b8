import { AZURE_IDENTITY_VARIABLES } from "@copilot-byok/testing";
import { describe, expect, it } from "vitest";
import { DEFAULT_CREDENTIAL_VARIABLES, defaultCredentialEnvProblem } from "./defaultCredentialEnvProblem.js";

const SECRET = "canary-sp-secret-4c8d1e";

describe("defaultCredentialEnvProblem", () => {
  it("says nothing when env and process.env agree, or env sets no credential variable", () => {
    expect(defaultCredentialEnvProblem({}, {})).toBeUndefined();
    expect(defaultCredentialEnvProblem({ AZURE_CLIENT_ID: " c " }, { AZURE_CLIENT_ID: "c" })).toBeUndefined();
    expect(defaultCredentialEnvProblem({ AZURE_CLIENT_ID: "  " }, {})).toBeUndefined(); // blank is unset
    expect(defaultCredentialEnvProblem({ OTHER: "x" }, {})).toBeUndefined();
    // What only process.env sets is what the selection did not describe, not a claim the credential cannot see.
    expect(defaultCredentialEnvProblem({}, { IDENTITY_ENDPOINT: "http://127.0.0.1:1" })).toBeUndefined();
  });

  it("names what env sets and process.env lacks or holds otherwise, never a value", () => {
    const problem = defaultCredentialEnvProblem(
      { AZURE_CLIENT_SECRET: SECRET, AZURE_TENANT_ID: "t", AZURE_CLIENT_ID: "c" },
      { AZURE_CLIENT_ID: "d" },
    );
    expect(problem).toBe(
      "DefaultAzureCredential reads process.env, not the env given to copilot-byok: AZURE_TENANT_ID, AZURE_CLIENT_SECRET are set in env but not in process.env, and AZURE_CLIENT_ID has another value in process.env (values not shown); set them in the process environment (where the credential sees them), or pass a credential (createAzureEntraModule({ credential }), or the credential option of EntraIdProviderConfigSource)",
    );
    expect(problem).not.toContain(SECRET);
    expect(
      defaultCredentialEnvProblem({ AZURE_AUTHORITY_HOST: "https://login.microsoftonline.us" }, {}),
    ).toContain(
      "AZURE_AUTHORITY_HOST is set in env but not in process.env; set it in the process environment (where the credential sees it)",
    );
  });

  it("compares the variables the emulators' tests clear: every one @azure/identity reads", () => {
    expect([...DEFAULT_CREDENTIAL_VARIABLES].sort()).toEqual([...AZURE_IDENTITY_VARIABLES].sort());
  });
});
