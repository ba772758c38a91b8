import { describe, expect, it } from "vitest";
import { isCredentialChain, renewalPlanFor } from "./renewalPlanFor.js";

describe("renewalPlanFor", () => {
  it("sends claims to the confidential clients of @azure/identity, which MSAL then asks Entra ID anew", () => {
    for (const name of [
      "ClientSecretCredential",
      "ClientCertificateCredential",
      "ClientAssertionCredential",
      "WorkloadIdentityCredential",
      "EnvironmentCredential",
      "AzurePipelinesCredential",
    ])
      expect(renewalPlanFor(name)).toMatchObject({ method: "claims", credential: name });
  });

  it("never sends claims to a managed identity, the Azure CLI, PowerShell or a sign-in of a person", () => {
    for (const name of [
      "ManagedIdentityCredential",
      "AzureCliCredential",
      "AzurePowerShellCredential",
      "AzureDeveloperCliCredential",
      "VisualStudioCodeCredential",
      "InteractiveBrowserCredential",
      "DeviceCodeCredential",
    ])
      expect(renewalPlanFor(name).method).toBe("plain");
    expect(renewalPlanFor("ManagedIdentityCredential").effect).toContain(
      "hands back the same token until MSAL refreshes it",
    );
    expect(renewalPlanFor("AzureCliCredential").effect).toContain("claims make it throw");
  });

  it("tries claims, then without, with a credential it does not know (a plug-in)", () => {
    expect(renewalPlanFor("TokenBrokerCredential")).toMatchObject({
      method: "claims-then-plain",
      credential: "TokenBrokerCredential",
    });
  });

  it("decides a chain by the credential that answered, and sends it claims only when that is a confidential client", () => {
    expect(renewalPlanFor("DefaultAzureCredential", "EnvironmentCredential")).toMatchObject({
      method: "claims",
      credential: "EnvironmentCredential",
      effect: expect.stringContaining("(it answered for DefaultAzureCredential)"),
    });
    expect(renewalPlanFor("DefaultAzureCredential", "ManagedIdentityCredential").method).toBe("plain");
    expect(renewalPlanFor("ChainedTokenCredential", "AzureCliCredential").method).toBe("plain");
    // A plug-in in a chain: claims could make the chain fall through to another credential.
    expect(renewalPlanFor("ChainedTokenCredential", "TokenBrokerCredential").method).toBe("plain");
    expect(renewalPlanFor("DefaultAzureCredential")).toMatchObject({
      method: "plain",
      credential: "DefaultAzureCredential",
      effect: expect.stringContaining("which credential of its chain answered is not known"),
    });
  });

  it("knows the chains", () => {
    expect(isCredentialChain("DefaultAzureCredential")).toBe(true);
    expect(isCredentialChain("ChainedTokenCredential")).toBe(true);
    expect(isCredentialChain("ManagedIdentityCredential")).toBe(false);
  });
});
