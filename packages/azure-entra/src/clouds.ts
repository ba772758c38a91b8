/**
 * One Azure cloud, as far as an Azure AI endpoint's tokens go: where its tenants sign in, and the audiences of
 * its Azure AI services. Sources: the "Clouds and scopes" table of this package's README.
 */
export interface AzureCloud {
  /** The Azure CLI's name of the cloud: `az cloud set --name <name>`. */
  readonly name: "AzureCloud" | "AzureUSGovernment" | "AzureChinaCloud";
  /** The cloud in a sentence: `the Azure public cloud`, `Azure Government`, `Azure China (21Vianet)`. */
  readonly label: string;
  /** Its Microsoft Entra authority (`AZURE_AUTHORITY_HOST`, `@azure/identity`'s `AzureAuthorityHosts`). */
  readonly authorityHost: string;
  /**
   * Other hosts of the same authority (MSAL's metadata lists them as aliases of one cloud, e.g.
   * `login.partner.microsoftonline.cn` for `login.chinacloudapi.cn`): an `AZURE_AUTHORITY_HOST` naming one of
   * them signs in at this cloud too.
   */
  readonly authorityAliases: readonly string[];
  /** The audience of Azure OpenAI and Azure AI services (Cognitive Services) resources. */
  readonly cognitiveServicesAudience: string;
  /** The audience of Foundry project endpoints; undefined where Microsoft documents none. */
  readonly foundryAudience: string | undefined;
}

/** The Azure public cloud. */
export const AZURE_PUBLIC_CLOUD: AzureCloud = Object.freeze({
  name: "AzureCloud",
  label: "the Azure public cloud",
  authorityHost: "https://login.microsoftonline.com",
  authorityAliases: Object.freeze([
    "https://login.windows.net",
    "https://login.microsoft.com",
    "https://sts.windows.net",
  ]),
  cognitiveServicesAudience: "https://cognitiveservices.azure.com",
  foundryAudience: "https://ai.azure.com",
});

/** Azure Government (US). */
export const AZURE_US_GOVERNMENT: AzureCloud = Object.freeze({
  name: "AzureUSGovernment",
  label: "Azure Government",
  authorityHost: "https://login.microsoftonline.us",
  authorityAliases: Object.freeze(["https://login.usgovcloudapi.net"]),
  cognitiveServicesAudience: "https://cognitiveservices.azure.us",
  foundryAudience: "https://ai.azure.us",
});

/** Azure operated by 21Vianet (China). Microsoft documents no Foundry project endpoint there. */
export const AZURE_CHINA_CLOUD: AzureCloud = Object.freeze({
  name: "AzureChinaCloud",
  label: "Azure China (21Vianet)",
  authorityHost: "https://login.chinacloudapi.cn",
  authorityAliases: Object.freeze(["https://login.partner.microsoftonline.cn"]),
  cognitiveServicesAudience: "https://cognitiveservices.azure.cn",
  foundryAudience: undefined,
});

/** Every cloud this package knows, the public cloud first. */
export const AZURE_CLOUDS: readonly AzureCloud[] = Object.freeze([
  AZURE_PUBLIC_CLOUD,
  AZURE_US_GOVERNMENT,
  AZURE_CHINA_CLOUD,
]);

/**
 * The cloud whose authority `authorityHost` is (`https://login.microsoftonline.us`, or one of its aliases, with
 * or without a trailing `/`, any case), or `undefined` for any other host (Azure Stack, ADFS, a proxy).
 */
export function azureCloudOfAuthorityHost(authorityHost: string): AzureCloud | undefined {
  const host = authorityHost.trim().toLowerCase().replace(/\/+$/, "");
  return AZURE_CLOUDS.find((cloud) => cloud.authorityHost === host || cloud.authorityAliases.includes(host));
}
