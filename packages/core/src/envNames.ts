/** Environment variable names read by copilot-byok. They follow the Copilot CLI's own `COPILOT_PROVIDER_*` names. */

/** Selects the authentication mode: `auto`, `azure-entra`, `static-key`, or a plug-in's mode. Default `auto`. */
export const COPILOT_PROVIDER_AUTH = "COPILOT_PROVIDER_AUTH";
/** Provider base URL, used as is. */
export const COPILOT_PROVIDER_BASE_URL = "COPILOT_PROVIDER_BASE_URL";
/** Azure AI Foundry resource URL; the base URL becomes `<url>/openai/v1/` (`<url>/anthropic` for `anthropic`). */
export const AZURE_AI_FOUNDRY_RESOURCE_URL = "AZURE_AI_FOUNDRY_RESOURCE_URL";
/** Azure OpenAI endpoint (the `openai` package's name); like the Foundry resource URL, lowest precedence. */
export const AZURE_OPENAI_ENDPOINT = "AZURE_OPENAI_ENDPOINT";
/** Static API key (highest precedence). */
export const COPILOT_PROVIDER_API_KEY = "COPILOT_PROVIDER_API_KEY";
/** Path of a file holding the static API key (a mounted secret; may rotate). */
export const COPILOT_PROVIDER_API_KEY_FILE = "COPILOT_PROVIDER_API_KEY_FILE";
/** Static API key under the `openai` package's Azure name (lowest precedence). */
export const AZURE_OPENAI_API_KEY = "AZURE_OPENAI_API_KEY";
/** Provider type: `openai`, `azure` or `anthropic`. Default `openai`. */
export const COPILOT_PROVIDER_TYPE = "COPILOT_PROVIDER_TYPE";
/** Wire API: `responses` or `completions`. Default `responses`. */
export const COPILOT_PROVIDER_WIRE_API = "COPILOT_PROVIDER_WIRE_API";
/** Model id (the well-known model name the runtime configures itself for). */
export const COPILOT_PROVIDER_MODEL_ID = "COPILOT_PROVIDER_MODEL_ID";
/** Model name sent on the wire (an Azure deployment name). */
export const COPILOT_PROVIDER_WIRE_MODEL = "COPILOT_PROVIDER_WIRE_MODEL";
/** Entra ID scope requested for bearer tokens. Default: the endpoint's cloud's ({@link DEFAULT_TOKEN_SCOPE} on the public cloud). */
export const COPILOT_PROVIDER_TOKEN_SCOPE = "COPILOT_PROVIDER_TOKEN_SCOPE";

/** Level of `createConsoleLogger()`: `debug`, `info` (default), `warn`, `error` or `silent`. */
export const COPILOT_BYOK_LOG_LEVEL = "COPILOT_BYOK_LOG_LEVEL";

/** Key variables in precedence order: the first one set wins. */
export const API_KEY_VARIABLES = [
  COPILOT_PROVIDER_API_KEY,
  COPILOT_PROVIDER_API_KEY_FILE,
  AZURE_OPENAI_API_KEY,
] as const;

/** Base URL variables in precedence order: the first one set wins. */
export const BASE_URL_VARIABLES = [
  COPILOT_PROVIDER_BASE_URL,
  AZURE_AI_FOUNDRY_RESOURCE_URL,
  AZURE_OPENAI_ENDPOINT,
] as const;

/** Variables read by `@azure/identity` that signal a managed or workload identity, in the order they are reported. */
export const MANAGED_IDENTITY_SIGNAL_VARIABLES = [
  "IDENTITY_ENDPOINT",
  "MSI_ENDPOINT",
  "AZURE_FEDERATED_TOKEN_FILE",
  "AZURE_CLIENT_SECRET",
  "AZURE_CLIENT_CERTIFICATE_PATH",
  "AZURE_CLIENT_ID",
  "AZURE_POD_IDENTITY_AUTHORITY_HOST",
] as const;

/** The default Entra ID scope for Azure AI Foundry / Azure OpenAI. */
export const DEFAULT_TOKEN_SCOPE = "https://cognitiveservices.azure.com/.default";

/** `COPILOT_PROVIDER_AUTH` value that lets the environment decide. */
export const AUTO_MODE = "auto";

export const PROVIDER_TYPES = ["openai", "azure", "anthropic"] as const;
export type ProviderType = (typeof PROVIDER_TYPES)[number];
export const DEFAULT_PROVIDER_TYPE: ProviderType = "openai";

export const WIRE_APIS = ["responses", "completions"] as const;
export type WireApi = (typeof WIRE_APIS)[number];
export const DEFAULT_WIRE_API: WireApi = "responses";
