import type { TokenCredential } from "@azure/core-auth";
import {
  AZURE_AI_FOUNDRY_RESOURCE_URL,
  COPILOT_PROVIDER_BASE_URL,
  ConfigurationError,
  DEFAULT_PROVIDER_TYPE,
  DEFAULT_TOKEN_SCOPE,
  DEFAULT_WIRE_API,
  type GetProviderConfigOptions,
  type Logger,
  PROVIDER_TYPES,
  type ProviderConfigSource,
  type ProviderType,
  redactUrl,
  resolveBaseUrl,
  type SourceDescription,
  showValue,
  TokenAcquisitionError,
  WIRE_APIS,
  type WireApi,
  withSafeInspect,
  withSafeRendering,
} from "@copilot-byok/core";
import type { BearerTokenProvider, ProviderConfig } from "@github/copilot-sdk";
import type { Clock } from "./Clock.js";
import {
  type AnyDefaultAzureCredentialOptions,
  createLazyDefaultAzureCredential,
} from "./createLazyDefaultAzureCredential.js";
import { expectedAudienceFor, scopeAudienceProblem } from "./expectedAudienceFor.js";
import {
  checkTokenCacheOptions,
  credentialNameOf,
  DEFAULT_REFRESH_WINDOW_MS,
  DEFAULT_TOKEN_TIMEOUT_MS,
  TokenCache,
  type TokenCacheEvent,
  type TokenCacheRetryOptions,
} from "./TokenCache.js";

/** The mode served by {@link EntraIdProviderConfigSource}. */
export const AZURE_ENTRA_MODE = "azure-entra";

/** Options of {@link EntraIdProviderConfigSource}. Give `baseUrl` or `resourceUrl`. */
export interface EntraIdProviderConfigSourceOptions {
  /** Provider base URL, used as is, e.g. `https://<resource>.services.ai.azure.com/openai/v1/`. */
  baseUrl?: string;
  /** Azure AI Foundry / Azure OpenAI resource URL: the base URL becomes `<url>/openai/v1/` (the resource root for `type: "azure"`). */
  resourceUrl?: string;
  /** Where tokens come from. Default: a `DefaultAzureCredential`, created (and `@azure/identity` loaded) on first use. */
  credential?: TokenCredential;
  /** Name of the credential in messages. Default: the credential's class name. */
  credentialName?: string;
  /** Options of the default `DefaultAzureCredential` (ignored when `credential` is given). */
  defaultCredentialOptions?: AnyDefaultAzureCredentialOptions;
  /** Entra ID scope. Default `https://cognitiveservices.azure.com/.default`. */
  scope?: string;
  /** Refresh in the background this long before expiry. Default 300 000 ms (5 minutes). */
  refreshWindowMs?: number;
  /** Bound of each token request. Default 30 000 ms. */
  timeoutMs?: number;
  /** Retries of failed background refreshes. Default `{ initialDelayMs: 1000, maxDelayMs: 60000, factor: 2, jitter: 0.2 }`. */
  retry?: Partial<TokenCacheRetryOptions>;
  /** Provider type. Default `openai`. */
  type?: ProviderType;
  /** Wire API. Default `responses`. */
  wireApi?: WireApi;
  /** Model id for the runtime. */
  modelId?: string;
  /** Model name sent on the wire (an Azure deployment name). */
  wireModel?: string;
  /** Where token events are logged. Default: silent. */
  logger?: Logger;
  /** Called with every token event (refresh started / succeeded / failed, implausible expiry, audience mismatch). */
  onEvent?: (event: TokenCacheEvent) => void;
  /** Time source of the token cache. */
  clock?: Clock;
  /**
   * The token audience(s) the provider accepts; a scope giving another audience is a `ConfigurationError`
   * (a 401 waiting to happen). Default: known for Azure hosts (see `expectedAudienceFor`), else not checked.
   * `null` turns the check off.
   */
  expectedAudience?: string | readonly string[] | null;
}

/**
 * Provider configs that authenticate with Entra ID (Managed Identity, workload identity, a service principal
 * or a developer sign-in) instead of a key: bearer tokens for `scope` from a `TokenCredential`
 * (`DefaultAzureCredential` by default), cached and refreshed before they expire.
 *
 * `getProviderConfig()` waits for a valid token, so that a misconfiguration fails at session creation, then
 * returns `{ type, baseUrl, wireApi, bearerTokenProvider, bearerToken, modelId?, wireModel? }`: the runtime
 * calls `bearerTokenProvider` before each model request and it answers from the cache; `bearerToken` is the
 * token current at the call, for runtimes that ignore the callback.
 */
export class EntraIdProviderConfigSource implements ProviderConfigSource {
  readonly mode = AZURE_ENTRA_MODE;
  /** The provider base URL. */
  readonly baseUrl: string;
  /** The Entra ID scope tokens are requested for. */
  readonly scope: string;
  readonly type: ProviderType;
  readonly wireApi: WireApi;
  readonly modelId: string | undefined;
  readonly wireModel: string | undefined;
  /** The cache tokens are served from (shared by every config this source returns). */
  readonly tokenCache: TokenCache;
  private readonly usesDefaultCredential: boolean;
  private disposed = false;

  /** @throws ConfigurationError listing every problem with the options. */
  constructor(options: EntraIdProviderConfigSourceOptions) {
    const problems = checkSourceOptions(options);
    if (problems.length > 0) throw new ConfigurationError(problems);

    this.type = options.type ?? DEFAULT_PROVIDER_TYPE;
    this.wireApi = options.wireApi ?? DEFAULT_WIRE_API;
    this.baseUrl = resolveUrl(options, this.type).baseUrl as string;
    this.scope = options.scope?.trim() || DEFAULT_TOKEN_SCOPE;
    this.modelId = options.modelId?.trim() || undefined;
    this.wireModel = options.wireModel?.trim() || undefined;
    this.usesDefaultCredential = options.credential === undefined;
    const credential =
      options.credential ?? createLazyDefaultAzureCredential(options.defaultCredentialOptions);

    this.tokenCache = new TokenCache({
      credential,
      credentialName: options.credentialName?.trim() || credentialNameOf(credential),
      refreshWindowMs: options.refreshWindowMs ?? DEFAULT_REFRESH_WINDOW_MS,
      timeoutMs: options.timeoutMs ?? DEFAULT_TOKEN_TIMEOUT_MS,
      ...(options.retry ? { retry: options.retry } : {}),
      ...(options.clock ? { clock: options.clock } : {}),
      ...(options.logger ? { logger: options.logger } : {}),
      ...(options.onEvent ? { onEvent: options.onEvent } : {}),
    });
    withSafeRendering(this, () => this.describe());
  }

  /** Name of the credential tokens come from, e.g. `DefaultAzureCredential`. */
  get credentialName(): string {
    return this.tokenCache.credentialName;
  }

  /**
   * Waits for a valid token, then returns the provider config for a new session.
   *
   * @throws TokenAcquisitionError when no token can be had (which credential failed and why), or when the
   *   source was disposed or `signal` aborted the wait.
   */
  async getProviderConfig(options: GetProviderConfigOptions = {}): Promise<ProviderConfig> {
    if (this.disposed) throw this.disposedError();
    const bearerToken = await this.tokenCache.getToken(
      this.scope,
      options.signal ? { signal: options.signal } : {},
    );
    const cache = this.tokenCache;
    const scope = this.scope;
    // A plain arrow, not `async`: the cache's hot path hands back one stored resolved promise.
    const bearerTokenProvider: BearerTokenProvider = () => cache.getToken(scope);
    const config: ProviderConfig = {
      type: this.type,
      baseUrl: this.baseUrl,
      wireApi: this.wireApi,
      bearerTokenProvider,
      bearerToken,
      ...(this.modelId !== undefined ? { modelId: this.modelId } : {}),
      ...(this.wireModel !== undefined ? { wireModel: this.wireModel } : {}),
    };
    return withSafeInspect(config, "EntraIdProviderConfig");
  }

  /** Mode, base URL, scope, credential and settings: safe to log, never a token. */
  describe(): SourceDescription {
    const status = this.tokenCache.status(this.scope);
    // The client id of a user-assigned identity is not a secret; anything else in the variable is not shown.
    const rawClientId = this.usesDefaultCredential ? process.env.AZURE_CLIENT_ID?.trim() : undefined;
    const clientId = rawClientId
      ? /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(rawClientId)
        ? rawClientId
        : "set (not a GUID, not shown)"
      : undefined;
    return {
      mode: this.mode,
      baseUrl: redactUrl(this.baseUrl),
      scope: this.scope,
      credential: this.credentialName,
      type: this.type,
      wireApi: this.wireApi,
      ...(this.modelId !== undefined ? { modelId: this.modelId } : {}),
      ...(this.wireModel !== undefined ? { wireModel: this.wireModel } : {}),
      ...(clientId ? { azureClientId: clientId } : {}),
      refreshWindowMs: this.tokenCache.refreshWindowMs,
      timeoutMs: this.tokenCache.timeoutMs,
      tokenState: this.disposed ? "disposed" : status.state,
      ...(status.expiresOn !== undefined ? { tokenExpiresOn: status.expiresOn } : {}),
    };
  }

  /** Stops background refreshes and forgets the token. Later calls fail with a `disposed` error. */
  dispose(): void {
    this.disposed = true;
    this.tokenCache.dispose();
  }

  private disposedError(): TokenAcquisitionError {
    return new TokenAcquisitionError(
      "this EntraIdProviderConfigSource was disposed (its container was disposed?): create a new one",
      { credentialName: this.credentialName, scope: this.scope, reason: "disposed" },
    );
  }
}

/** Every problem with the options of {@link EntraIdProviderConfigSource}. */
function checkSourceOptions(options: EntraIdProviderConfigSourceOptions): string[] {
  const problems: string[] = [];
  if (typeof options !== "object" || options === null) {
    return ["EntraIdProviderConfigSource needs options: { baseUrl } or { resourceUrl }"];
  }
  const type = options.type ?? DEFAULT_PROVIDER_TYPE;
  if (!(PROVIDER_TYPES as readonly string[]).includes(type)) {
    problems.push(
      `type has ${showValue(String(type), PROVIDER_TYPES)}, which is not accepted: use one of ${PROVIDER_TYPES.join(", ")}`,
    );
  }
  const wireApi = options.wireApi ?? DEFAULT_WIRE_API;
  if (!(WIRE_APIS as readonly string[]).includes(wireApi)) {
    problems.push(
      `wireApi has ${showValue(String(wireApi), WIRE_APIS)}, which is not accepted: use one of ${WIRE_APIS.join(", ")}`,
    );
  }
  const resolved = resolveUrl(options, type);
  problems.push(...resolved.problems);
  if (options.scope !== undefined) {
    const scope = typeof options.scope === "string" ? options.scope.trim() : "";
    if (!/^[a-z][a-z0-9+.-]*:\/\/?\S+$/i.test(scope)) {
      problems.push(
        `scope must be a scope URI such as ${DEFAULT_TOKEN_SCOPE} (got ${showValue(String(options.scope))})`,
      );
    }
  }
  if (resolved.baseUrl !== undefined && options.expectedAudience !== null) {
    const expected = options.expectedAudience ?? expectedAudienceFor(resolved.baseUrl);
    const scope =
      typeof options.scope === "string" && options.scope.trim() ? options.scope.trim() : DEFAULT_TOKEN_SCOPE;
    const problem = scopeAudienceProblem(scope, expected, new URL(resolved.baseUrl).host);
    if (problem) problems.push(problem);
  }
  for (const name of ["modelId", "wireModel", "credentialName"] as const) {
    const value = options[name];
    if (value === undefined) continue;
    // biome-ignore lint/suspicious/noControlCharactersInRegex: rejecting control characters is the point
    if (typeof value !== "string" || value.trim() === "" || /[\u0000-\u001f\u007f]/.test(value)) {
      problems.push(`${name} must be a non-empty string without control characters`);
    }
  }
  if (options.credential !== undefined && options.defaultCredentialOptions !== undefined) {
    problems.push(
      "defaultCredentialOptions apply to the default DefaultAzureCredential only: drop them or the credential",
    );
  }
  problems.push(...checkTokenCacheOptions(options, { requireCredential: false }));
  return problems;
}

/** The base URL from the options, through core's `resolveBaseUrl`, with messages naming the option. */
function resolveUrl(
  options: EntraIdProviderConfigSourceOptions,
  type: string,
): { baseUrl?: string; problems: string[] } {
  const { baseUrl, resourceUrl } = options;
  if (baseUrl !== undefined && resourceUrl !== undefined) {
    return { problems: ["give baseUrl or resourceUrl, not both"] };
  }
  if (baseUrl === undefined && resourceUrl === undefined) {
    return {
      problems: [
        "no provider endpoint: give baseUrl (used as is) or resourceUrl (an Azure AI Foundry resource URL, e.g. https://<resource>.services.ai.azure.com)",
      ],
    };
  }
  const [variable, label, value] =
    baseUrl !== undefined
      ? [COPILOT_PROVIDER_BASE_URL, "baseUrl", baseUrl]
      : [AZURE_AI_FOUNDRY_RESOURCE_URL, "resourceUrl", resourceUrl];
  if (typeof value !== "string") return { problems: [`${label} must be a string URL`] };
  const resolution = resolveBaseUrl(variable, value, { type, label });
  return {
    ...(resolution.baseUrl !== undefined ? { baseUrl: resolution.baseUrl } : {}),
    problems: resolution.problems,
  };
}
