import { describe, expect, it } from "vitest";
import { authorityHostWarning } from "./authorityHostWarning.js";
import { AZURE_CHINA_CLOUD, AZURE_PUBLIC_CLOUD, AZURE_US_GOVERNMENT } from "./clouds.js";

const SP = { AZURE_CLIENT_SECRET: "not-shown", AZURE_CLIENT_ID: "c", AZURE_TENANT_ID: "t" };
const CERT = { AZURE_CLIENT_CERTIFICATE_PATH: "/certs/sp.pem", AZURE_CLIENT_ID: "c", AZURE_TENANT_ID: "t" };
const WORKLOAD = { AZURE_FEDERATED_TOKEN_FILE: "/var/run/token", AZURE_CLIENT_ID: "c", AZURE_TENANT_ID: "t" };
const MANAGED = { IDENTITY_ENDPOINT: "http://127.0.0.1:1/msi", IDENTITY_HEADER: "h" };

describe("authorityHostWarning", () => {
  it("a Government endpoint with a service principal and no AZURE_AUTHORITY_HOST: names the fix", () => {
    expect(authorityHostWarning(AZURE_US_GOVERNMENT, SP)).toBe(
      "the endpoint is in Azure Government, but the service principal (AZURE_CLIENT_SECRET, through EnvironmentCredential) signs in at https://login.microsoftonline.com (AZURE_AUTHORITY_HOST is not set), the Azure public cloud's authority, which does not know Azure Government's tenants: set AZURE_AUTHORITY_HOST=https://login.microsoftonline.us",
    );
  });

  it.each([
    [CERT, "the service principal (AZURE_CLIENT_CERTIFICATE_PATH, through EnvironmentCredential)"],
    [WORKLOAD, "the workload identity (AZURE_FEDERATED_TOKEN_FILE, through WorkloadIdentityCredential)"],
  ])("a certificate service principal or a workload identity is warned about the same way", (env, who) => {
    const warning = authorityHostWarning(AZURE_CHINA_CLOUD, env);
    expect(warning).toContain(`but ${who} signs in at https://login.microsoftonline.com`);
    expect(warning).toMatch(/: set AZURE_AUTHORITY_HOST=https:\/\/login\.chinacloudapi\.cn$/);
  });

  it("another sovereign cloud's authority, or a custom one, for a sovereign endpoint", () => {
    expect(
      authorityHostWarning(AZURE_US_GOVERNMENT, {
        ...SP,
        AZURE_AUTHORITY_HOST: "https://login.chinacloudapi.cn",
      }),
    ).toContain(
      "signs in at https://login.chinacloudapi.cn (AZURE_AUTHORITY_HOST), Azure China (21Vianet)'s authority, which does not know Azure Government's tenants: set AZURE_AUTHORITY_HOST=https://login.microsoftonline.us",
    );
    expect(
      authorityHostWarning(AZURE_US_GOVERNMENT, {
        ...SP,
        AZURE_AUTHORITY_HOST: "https://adfs.contoso.com/adfs",
      }),
    ).toContain(
      "signs in at https://adfs.contoso.com/adfs (AZURE_AUTHORITY_HOST), not Azure Government's authority: set AZURE_AUTHORITY_HOST=https://login.microsoftonline.us",
    );
  });

  it("the reverse: a public endpoint with a sovereign AZURE_AUTHORITY_HOST", () => {
    expect(
      authorityHostWarning(AZURE_PUBLIC_CLOUD, {
        ...WORKLOAD,
        AZURE_AUTHORITY_HOST: "https://login.microsoftonline.us/",
      }),
    ).toBe(
      "the endpoint is in the Azure public cloud, but the workload identity (AZURE_FEDERATED_TOKEN_FILE, through WorkloadIdentityCredential) signs in at https://login.microsoftonline.us/ (AZURE_AUTHORITY_HOST), Azure Government's authority, which does not know the Azure public cloud's tenants: unset AZURE_AUTHORITY_HOST (or set AZURE_AUTHORITY_HOST=https://login.microsoftonline.com)",
    );
  });

  it("nothing when the authority fits the endpoint's cloud", () => {
    expect(
      authorityHostWarning(AZURE_US_GOVERNMENT, {
        ...SP,
        AZURE_AUTHORITY_HOST: "https://login.microsoftonline.us",
      }),
    ).toBeUndefined();
    expect(
      authorityHostWarning(AZURE_CHINA_CLOUD, {
        ...WORKLOAD,
        AZURE_AUTHORITY_HOST: " https://LOGIN.chinacloudapi.cn/ ",
      }),
    ).toBeUndefined();
    expect(authorityHostWarning(AZURE_PUBLIC_CLOUD, SP)).toBeUndefined();
    // A public endpoint behind a custom authority (Azure Stack, ADFS): not this check's business.
    expect(
      authorityHostWarning(AZURE_PUBLIC_CLOUD, {
        ...SP,
        AZURE_AUTHORITY_HOST: "https://adfs.contoso.com/adfs",
      }),
    ).toBeUndefined();
  });

  it("nothing for managed identity, which never talks to the authority, nor without any credential configured", () => {
    expect(authorityHostWarning(AZURE_US_GOVERNMENT, MANAGED)).toBeUndefined();
    expect(
      authorityHostWarning(AZURE_US_GOVERNMENT, { MSI_ENDPOINT: "http://127.0.0.1:1/msi" }),
    ).toBeUndefined();
    expect(authorityHostWarning(AZURE_US_GOVERNMENT, {})).toBeUndefined();
    expect(
      authorityHostWarning(AZURE_PUBLIC_CLOUD, {
        ...MANAGED,
        AZURE_AUTHORITY_HOST: "https://login.microsoftonline.us",
      }),
    ).toBeUndefined();
  });

  it("follows AZURE_TOKEN_CREDENTIALS: a chain restricted to managed identity or developer sign-ins skips the service principal", () => {
    expect(
      authorityHostWarning(AZURE_US_GOVERNMENT, {
        ...SP,
        AZURE_TOKEN_CREDENTIALS: "ManagedIdentityCredential",
      }),
    ).toBeUndefined();
    expect(
      authorityHostWarning(AZURE_US_GOVERNMENT, { ...SP, AZURE_TOKEN_CREDENTIALS: "dev" }),
    ).toBeUndefined();
    expect(authorityHostWarning(AZURE_US_GOVERNMENT, { ...SP, AZURE_TOKEN_CREDENTIALS: "prod" })).toContain(
      "service principal",
    );
    expect(
      authorityHostWarning(AZURE_US_GOVERNMENT, {
        ...SP,
        ...WORKLOAD,
        AZURE_TOKEN_CREDENTIALS: "workloadidentitycredential",
      }),
    ).toMatch(
      /but the workload identity \(AZURE_FEDERATED_TOKEN_FILE, through WorkloadIdentityCredential\) signs in/,
    );
  });

  it("both a service principal and a workload identity: names both", () => {
    expect(authorityHostWarning(AZURE_US_GOVERNMENT, { ...SP, ...WORKLOAD })).toContain(
      "but the service principal (AZURE_CLIENT_SECRET, through EnvironmentCredential) and the workload identity (AZURE_FEDERATED_TOKEN_FILE, through WorkloadIdentityCredential) sign in at",
    );
  });

  it("with the credential that answered: only one that signs in at the authority is warned about", () => {
    expect(authorityHostWarning(AZURE_US_GOVERNMENT, SP, "ManagedIdentityCredential")).toBeUndefined();
    expect(authorityHostWarning(AZURE_US_GOVERNMENT, SP, "AzureCliCredential")).toBeUndefined();
    expect(authorityHostWarning(AZURE_US_GOVERNMENT, {}, "EnvironmentCredential")).toContain(
      "but EnvironmentCredential (the service principal of the AZURE_CLIENT_* variables) signs in at https://login.microsoftonline.com",
    );
    expect(authorityHostWarning(AZURE_US_GOVERNMENT, {}, "toString")).toBeUndefined();
  });

  it("never shows an AZURE_AUTHORITY_HOST that is not a URL (a pasted secret), nor a URL's query values", () => {
    const pasted = "sk-f4a0aca02ae7fd78ab9c59b6dd724b91";
    const warning = authorityHostWarning(AZURE_US_GOVERNMENT, { ...SP, AZURE_AUTHORITY_HOST: pasted });
    expect(warning).toContain("signs in at a value of 35 characters (not shown) (AZURE_AUTHORITY_HOST)");
    expect(warning).not.toContain(pasted.slice(3, 15));
    const query = authorityHostWarning(AZURE_US_GOVERNMENT, {
      ...SP,
      AZURE_AUTHORITY_HOST: "https://proxy.example/?code=f4a0aca02ae7fd78ab9c",
    });
    expect(query).not.toContain("f4a0aca02ae7fd78ab9c");
    expect(warning).not.toContain("not-shown");
  });
});
