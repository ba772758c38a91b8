import { describe, expect, it } from "vitest";
import {
  AZURE_CHINA_CLOUD,
  AZURE_CLOUDS,
  AZURE_PUBLIC_CLOUD,
  AZURE_US_GOVERNMENT,
  azureCloudOfAuthorityHost,
} from "./clouds.js";

describe("azureCloudOfAuthorityHost", () => {
  it.each([
    ["https://login.microsoftonline.com", AZURE_PUBLIC_CLOUD],
    ["https://login.microsoftonline.us", AZURE_US_GOVERNMENT],
    ["https://login.chinacloudapi.cn", AZURE_CHINA_CLOUD],
    [" HTTPS://Login.MicrosoftOnline.US/ ", AZURE_US_GOVERNMENT],
    ["https://login.chinacloudapi.cn//", AZURE_CHINA_CLOUD],
    // MSAL's aliases of the same authorities.
    ["https://login.partner.microsoftonline.cn", AZURE_CHINA_CLOUD],
    ["https://login.usgovcloudapi.net/", AZURE_US_GOVERNMENT],
    ["https://login.windows.net", AZURE_PUBLIC_CLOUD],
  ])("%s → %s", (host, cloud) => {
    expect(azureCloudOfAuthorityHost(host)).toBe(cloud);
  });

  it.each([
    "https://adfs.contoso.com/adfs",
    "login.microsoftonline.us",
    "https://login.microsoftonline.de",
    "",
  ])("%s is no known cloud's authority", (host) => {
    expect(azureCloudOfAuthorityHost(host)).toBeUndefined();
  });

  it("lists the public cloud first and names each as the Azure CLI does", () => {
    expect(AZURE_CLOUDS.map((c) => c.name)).toEqual(["AzureCloud", "AzureUSGovernment", "AzureChinaCloud"]);
    expect(Object.isFrozen(AZURE_US_GOVERNMENT)).toBe(true);
  });
});
