import {
  AZURE_AI_FOUNDRY_RESOURCE_URL,
  COPILOT_PROVIDER_BASE_URL,
  DEFAULT_PROVIDER_TYPE,
  DEFAULT_WIRE_API,
  PROVIDER_TYPES,
  type ProviderType,
  WIRE_APIS,
  type WireApi,
} from "./envNames.js";
import { checkChoice, checkName, hasControlCharacters, unknownOptionProblems } from "./optionChecks.js";
import { resolveBaseUrl } from "./resolveBaseUrl.js";

/** The provider options every source accepts (in code), the same as the environment contract gives. */
export interface ProviderOptions {
  /** Provider base URL, used as is, e.g. `https://<resource>.openai.azure.com/openai/v1/`. Or `resourceUrl`. */
  baseUrl?: string;
  /**
   * Azure AI Foundry / Azure OpenAI resource URL, e.g. `https://<resource>.services.ai.azure.com`: the base URL
   * becomes `<url>/openai/v1/`; the resource root for `type: "azure"` (the runtime adds `/openai/v1/`);
   * `<url>/anthropic` for `type: "anthropic"` (Claude on Foundry: the runtime adds `/v1/messages`).
   */
  resourceUrl?: string;
  /** Provider type: `openai` (default), `azure` or `anthropic`. */
  type?: ProviderType;
  /** Wire API of `openai` and `azure` providers: `responses` (default) or `completions`. */
  wireApi?: WireApi;
  /** Model id the runtime configures itself for. */
  modelId?: string;
  /** Model name sent on the wire (an Azure deployment name). */
  wireModel?: string;
  /** Extra HTTP headers of every provider request (values are treated as secrets: never shown). */
  headers?: Readonly<Record<string, string>>;
  /** Azure options: `apiVersion` (default: the versionless v1 route). */
  azure?: { readonly apiVersion?: string };
}

/** The option names of {@link ProviderOptions}, for a source's unknown-option check. */
export const PROVIDER_OPTION_NAMES: readonly string[] = Object.freeze([
  "baseUrl",
  "resourceUrl",
  "type",
  "wireApi",
  "modelId",
  "wireModel",
  "headers",
  "azure",
] satisfies (keyof ProviderOptions)[]);

/** Valid provider options: what {@link toProviderConfig} turns into the SDK's `ProviderConfig`. */
export interface ProviderSettings {
  readonly baseUrl: string;
  readonly type: ProviderType;
  readonly wireApi: WireApi;
  readonly modelId?: string;
  readonly wireModel?: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly azure?: { readonly apiVersion: string };
}

/**
 * The outcome of {@link parseProviderOptions}: settings when there is no problem; otherwise the problems, and
 * the base URL when the endpoint itself was fine (for checks that depend on it, such as a token's audience).
 */
export type ProviderOptionsParse =
  | { readonly settings: ProviderSettings; readonly problems: readonly [] }
  | { readonly settings?: undefined; readonly problems: readonly string[]; readonly baseUrl?: string };

const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/**
 * Checks the provider options as every source does (type, wire API, endpoint, model names, headers, Azure API
 * version) and lists every problem at once, in that order, each naming the option and the accepted values;
 * never a value that could be a secret. `http://` is accepted for loopback hosts only. With `sourceOptions`
 * (the names of the source's own options), any other name is a problem first (a typo such as `apikey`).
 */
export function parseProviderOptions(
  options: ProviderOptions,
  { sourceOptions }: { sourceOptions?: readonly string[] } = {},
): ProviderOptionsParse {
  const problems: string[] =
    sourceOptions === undefined
      ? []
      : unknownOptionProblems(options, [...PROVIDER_OPTION_NAMES, ...sourceOptions]);
  const type = checkChoice("type", options.type, PROVIDER_TYPES, DEFAULT_PROVIDER_TYPE, problems);
  const wireApi = checkChoice("wireApi", options.wireApi, WIRE_APIS, DEFAULT_WIRE_API, problems);
  const baseUrl = resolveEndpoint(options, type, problems);
  const modelId = checkName("modelId", options.modelId, problems);
  const wireModel = checkName("wireModel", options.wireModel, problems);
  const headers = checkHeaders(options.headers, problems);
  const apiVersion = checkAzureOptions(options.azure, problems);
  if (problems.length > 0 || baseUrl === undefined)
    return { problems, ...(baseUrl !== undefined ? { baseUrl } : {}) };
  return {
    settings: Object.freeze({
      baseUrl,
      type,
      wireApi,
      ...(modelId !== undefined ? { modelId } : {}),
      ...(wireModel !== undefined ? { wireModel } : {}),
      ...(headers !== undefined ? { headers } : {}),
      ...(apiVersion !== undefined ? { azure: Object.freeze({ apiVersion }) } : {}),
    }),
    problems: [],
  };
}

/** The base URL from `baseUrl` (as is) or `resourceUrl` (a Foundry resource), checked by `resolveBaseUrl`. */
function resolveEndpoint(
  options: ProviderOptions,
  type: ProviderType,
  problems: string[],
): string | undefined {
  const { baseUrl, resourceUrl } = options;
  if (baseUrl !== undefined && resourceUrl !== undefined) {
    problems.push("both baseUrl and resourceUrl are given: give exactly one");
    return undefined;
  }
  if (baseUrl === undefined && resourceUrl === undefined) {
    problems.push(
      "no provider endpoint: give baseUrl (used as is) or resourceUrl (an Azure AI Foundry / Azure OpenAI resource URL, e.g. https://<resource>.services.ai.azure.com)",
    );
    return undefined;
  }
  const [label, variable, value] =
    baseUrl !== undefined
      ? ["baseUrl", COPILOT_PROVIDER_BASE_URL, baseUrl]
      : ["resourceUrl", AZURE_AI_FOUNDRY_RESOURCE_URL, resourceUrl];
  if (typeof value !== "string") {
    problems.push(`${label} must be a string`);
    return undefined;
  }
  const resolution = resolveBaseUrl(variable, value, { type, label });
  problems.push(...resolution.problems);
  return resolution.baseUrl;
}

function checkAzureOptions(azure: unknown, problems: string[]): string | undefined {
  if (azure === undefined) return undefined;
  if (typeof azure === "object" && azure !== null)
    return checkName("azure.apiVersion", (azure as { apiVersion?: unknown }).apiVersion, problems);
  problems.push("azure must be an object { apiVersion }");
  return undefined;
}

function checkHeaders(headers: unknown, problems: string[]): Readonly<Record<string, string>> | undefined {
  if (headers === undefined) return undefined;
  if (typeof headers !== "object" || headers === null || Array.isArray(headers)) {
    problems.push("headers must be an object of header names to string values");
    return undefined;
  }
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    const shown = HEADER_NAME.test(name) ? `"${name}"` : `a name of ${name.length} characters`;
    if (!HEADER_NAME.test(name)) problems.push(`headers: ${shown} is not a valid HTTP header name`);
    else if (typeof value !== "string" || hasControlCharacters(value))
      problems.push(`headers: the value of ${shown} must be a string without control characters (not shown)`);
    else out[name] = value;
  }
  return Object.freeze(out);
}
