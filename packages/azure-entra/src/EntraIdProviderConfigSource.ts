import type { TokenCredential } from "@azure/core-auth";
import type { Clock, CredentialRejection } from "@copilot-byok/core/plugin";
import {
  ConfigurationError,
  checkName,
  checkScope,
  DisposedError,
  describeProvider,
  type Env,
  type GetProviderConfigOptions,
  isGuid,
  type Logger,
  type ProviderConfigSource,
  type ProviderCredential,
  type ProviderOptions,
  type ProviderSettings,
  parseProviderOptions,
  type SourceDescription,
  type SourceDiagnostics,
  showScope,
  systemClock,
  toProviderConfig,
  withSafeRendering,
} from "@copilot-byok/core/plugin";
import type { BearerTokenProvider, ProviderConfig } from "@github/copilot-sdk";
import { authorityHostWarning } from "./authorityHostWarning.js";
import {
  type AnyDefaultAzureCredentialOptions,
  createLazyDefaultAzureCredential,
} from "./createLazyDefaultAzureCredential.js";
import { defaultCredentialEnvProblem } from "./defaultCredentialEnvProblem.js";
import { diagnoseToken } from "./diagnoseToken.js";
import { scopeAudienceProblem } from "./expectedAudienceFor.js";
import { explainTokenRejection } from "./explainTokenRejection.js";
import { type EndpointRole, roleForEndpoint } from "./roleForEndpoint.js";
import { type EndpointScope, scopeForEndpoint } from "./scopeForEndpoint.js";
import {
  checkTokenCacheOptions,
  credentialNameOf,
  DEFAULT_REFRESH_WINDOW_MS,
  DEFAULT_TOKEN_TIMEOUT_MS,
  TokenCache,
  type TokenCacheEvent,
  type TokenCacheRetryOptions,
} from "./TokenCache.js";
import { watchAnsweringCredential } from "./watchAnsweringCredential.js";

/** The options of this source beyond the provider options every source takes. */
const SOURCE_OPTION_NAMES = [
  "credential",
  "credentialName",
  "defaultCredentialOptions",
  "scope",
  "refreshWindowMs",
  "timeoutMs",
  "retry",
  "logger",
  "onEvent",
  "clock",
  "expectedAudience",
  "env",
] satisfies (keyof EntraIdProviderConfigSourceOptions)[];

/** The mode served by {@link EntraIdProviderConfigSource}. */
export const AZURE_ENTRA_MODE = "azure-entra";

/** Options of {@link EntraIdProviderConfigSource}: the provider options every source takes (give `baseUrl` or `resourceUrl`), and where tokens come from. */
export interface EntraIdProviderConfigSourceOptions extends ProviderOptions {
  /** Where tokens come from. Default: a `DefaultAzureCredential`, created (and `@azure/identity` loaded) on first use. */
  credential?: TokenCredential;
  /** Name of the credential in messages. Default: the credential's class name. */
  credentialName?: string;
  /** Options of the default `DefaultAzureCredential` (ignored when `credential` is given). */
  defaultCredentialOptions?: AnyDefaultAzureCredentialOptions;
  /**
   * Entra ID scope. Default: follows the endpoint's cloud (see `scopeForEndpoint`), e.g.
   * `https://cognitiveservices.azure.com/.default` for `*.openai.azure.com`, `https://cognitiveservices.azure.us/.default`
   * for `*.openai.azure.us`, `https://ai.azure.com/.default` for a Foundry project endpoint; for a host Azure
   * does not document, `https://cognitiveservices.azure.com/.default`, marked as guessed in `describe()`.
   */
  scope?: string;
  /** Refresh in the background this long before expiry. Default 300 000 ms (5 minutes). */
  refreshWindowMs?: number;
  /** Bound of each token request. Default 30 000 ms. */
  timeoutMs?: number;
  /** Retries of failed background refreshes. Default `{ initialDelayMs: 1000, maxDelayMs: 60000, factor: 2, jitter: 0.2 }`. */
  retry?: Partial<TokenCacheRetryOptions>;
  /** Where token events are logged. Default: silent. */
  logger?: Logger;
  /** Called with every token event (refresh started / succeeded / failed, implausible expiry, audience mismatch). */
  onEvent?: (event: TokenCacheEvent) => void;
  /** Time source of the token cache, and this machine's clock in the explanations of a refused token. */
  clock?: Clock;
  /**
   * The token audience(s) the provider accepts; a scope giving another audience is a `ConfigurationError`
   * (a 401 waiting to happen). Default: known for Azure hosts of every cloud (see `expectedAudienceFor`), else
   * not checked.
   * `null` turns the check off.
   */
  expectedAudience?: string | readonly string[] | null;
  /**
   * The environment the source was selected from, for what `describe()` and the doctor tell of the default
   * credential (e.g. the `AZURE_CLIENT_ID` of a user-assigned identity). Default: `process.env`. With the default
   * credential, which reads `process.env` itself, its credential variables must be there too, with the same
   * values (else a `ConfigurationError` names them).
   */
  env?: Env;
}

/**
 * Provider configs that authenticate with Entra ID (Managed Identity, workload identity, a service principal
 * or a developer sign-in) instead of a key: bearer tokens for `scope` from a `TokenCredential`
 * (`DefaultAzureCredential` by default), cached and refreshed before they expire.
 *
 * `getProviderConfig()` waits for a valid token, so that a misconfiguration fails at session creation, then
 * returns `{ type, baseUrl, wireApi, bearerTokenProvider, modelId?, wireModel? }`: the runtime calls
 * `bearerTokenProvider` before each model request and it answers from the cache.
 */
export class EntraIdProviderConfigSource implements ProviderConfigSource {
  readonly mode = AZURE_ENTRA_MODE;
  /** The provider base URL. */
  readonly baseUrl: string;
  /** The Entra ID scope tokens are requested for. */
  readonly scope: string;
  /** What the base URL takes (its cloud, its default scope, whether that is a guess): see `scopeForEndpoint`. */
  readonly endpointScope: EndpointScope;
  /** Whether `scope` was given (the `scope` option), not derived from the endpoint. */
  readonly scopeGiven: boolean;
  readonly type: ProviderSettings["type"];
  readonly wireApi: ProviderSettings["wireApi"];
  readonly modelId: string | undefined;
  readonly wireModel: string | undefined;
  /** The cache tokens are served from (shared by every config this source returns). */
  readonly tokenCache: TokenCache;
  readonly #provider: ProviderSettings;
  readonly #usesDefaultCredential: boolean;
  readonly #env: Env | undefined;
  readonly #bearerTokenProvider: BearerTokenProvider;
  readonly #clock: Clock;
  /** The audiences the provider accepts, for the explanations of a refused token; `undefined`: not known. */
  readonly #expectedAudiences: readonly string[] | undefined;
  readonly #role: EndpointRole;
  #disposed = false;

  /** @throws ConfigurationError listing every problem with the options. */
  constructor(options: EntraIdProviderConfigSourceOptions) {
    if (typeof options !== "object" || options === null) {
      throw new ConfigurationError([
        "EntraIdProviderConfigSource needs options: { baseUrl } or { resourceUrl }",
      ]);
    }
    const problems: string[] = [];
    const parsed = parseProviderOptions(options, { sourceOptions: SOURCE_OPTION_NAMES });
    problems.push(...parsed.problems);
    const baseUrl = parsed.settings?.baseUrl ?? ("baseUrl" in parsed ? parsed.baseUrl : undefined);
    const endpointScope = scopeForEndpoint(baseUrl ?? "");
    const given = checkScope("scope", options.scope, endpointScope.scope, problems);
    const scope = given ?? endpointScope.scope;
    if (baseUrl !== undefined && options.expectedAudience !== null) {
      const expected = options.expectedAudience ?? endpointScope.audiences;
      const problem = scopeAudienceProblem(scope, expected, new URL(baseUrl).host, endpointScope.scope);
      if (problem) problems.push(problem);
    }
    checkName("credentialName", options.credentialName, problems);
    if (options.credential !== undefined && options.defaultCredentialOptions !== undefined) {
      problems.push(
        "defaultCredentialOptions apply to the default DefaultAzureCredential only: drop them or the credential",
      );
    }
    problems.push(...checkTokenCacheOptions(options, { requireCredential: false }));
    if (options.credential === undefined && options.env !== undefined) {
      const unseen = defaultCredentialEnvProblem(options.env);
      if (unseen) problems.push(unseen);
    }
    if (problems.length > 0 || !parsed.settings) throw new ConfigurationError(problems);

    this.#provider = parsed.settings;
    this.baseUrl = parsed.settings.baseUrl;
    this.type = parsed.settings.type;
    this.wireApi = parsed.settings.wireApi;
    this.modelId = parsed.settings.modelId;
    this.wireModel = parsed.settings.wireModel;
    this.scope = scope;
    this.endpointScope = endpointScope;
    this.scopeGiven = given !== undefined;
    this.#usesDefaultCredential = options.credential === undefined;
    this.#env = options.env;
    this.#clock = options.clock ?? systemClock;
    const expected = options.expectedAudience === null ? undefined : options.expectedAudience;
    this.#expectedAudiences =
      typeof expected === "string" ? [expected] : (expected ?? endpointScope.audiences);
    this.#role = roleForEndpoint(this.baseUrl, this.type);
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
    const cache = this.tokenCache;
    // A plain arrow, not `async`: the cache's hot path hands back one stored resolved promise.
    this.#bearerTokenProvider = () => cache.getToken(scope);
    withSafeRendering(this, () => this.describe());
  }

  /** Name of the credential tokens come from, e.g. `DefaultAzureCredential`. */
  get credentialName(): string {
    return this.tokenCache.credentialName;
  }

  /**
   * Waits for a valid token, then returns the provider config for a new session: the token reaches the
   * runtime only through `bearerTokenProvider`, asked before each model request.
   *
   * @throws TokenAcquisitionError when no token can be had (which credential failed and why), or when
   *   `signal` aborted the wait; `DisposedError` once disposed.
   */
  async getProviderConfig(options: GetProviderConfigOptions = {}): Promise<ProviderConfig> {
    await this.#token(options);
    return toProviderConfig(this.#provider, { bearerTokenProvider: this.#bearerTokenProvider });
  }

  /** The token current now, for the request edge, with its expiry. */
  async getCredential(options: GetProviderConfigOptions = {}): Promise<ProviderCredential> {
    return this.#credentialOf(await this.#token(options));
  }

  /**
   * The provider refused `rejection.credential` with a 401. While it is the current token: a new one, asked for
   * past the credential's cache where it allows it (a claims challenge for a service principal or workload
   * identity; a managed identity hands back the same token until MSAL refreshes it), shared by every caller.
   * Otherwise the current token. See `TokenCache.renewToken`.
   *
   * @throws TokenAcquisitionError when no token can be had; `DisposedError` once disposed.
   */
  async renewCredential(rejection: CredentialRejection): Promise<ProviderCredential> {
    if (this.#disposed) throw new DisposedError("EntraIdProviderConfigSource", "it no longer serves tokens");
    const { signal } = rejection;
    const value = await this.tokenCache.renewToken(
      this.scope,
      rejection.credential.value,
      signal ? { signal } : {},
    );
    return this.#credentialOf(value);
  }

  /**
   * Why the provider may have refused `credential` with `status` (401, 403): its claims against the audiences
   * the endpoint accepts, the endpoint's cloud, this machine's clock (the `clock` option) and the role the
   * identity needs, and what renewal can do with the credential. Never the token. See `explainTokenRejection`.
   */
  explainRejection(credential: ProviderCredential, status: number): readonly string[] {
    return explainTokenRejection(credential.value, status, {
      scope: this.scope,
      endpoint: this.endpointScope,
      expectedAudiences: this.#expectedAudiences,
      role: this.#role,
      now: this.#clock.now(),
      renewal: this.tokenCache.renewalPlan(this.scope),
    });
  }

  /**
   * Facts for the doctor: the credential (and, for `DefaultAzureCredential`, which credential of its chain
   * answered), the token's claims against the scope and the clock, and what would make the provider say 401.
   */
  async diagnose(options: GetProviderConfigOptions = {}): Promise<SourceDiagnostics> {
    const watch = this.#usesDefaultCredential ? await watchAnsweringCredential() : undefined;
    let token: string;
    let answeredBy: string | undefined;
    try {
      token = await this.#token(options);
    } finally {
      answeredBy = watch?.stop();
    }
    const authority = this.#authorityWarning(answeredBy);
    return diagnoseToken(token, {
      scope: this.scope,
      endpoint: this.endpointScope,
      facts: {
        credential: this.credentialName,
        ...(answeredBy ? { "answered by": answeredBy } : {}),
        scope: showScope(this.scope),
        "scope from": this.#scopeFrom(),
        ...(this.endpointScope.cloud ? { cloud: this.endpointScope.cloud.label } : {}),
        ...this.#clientIdFact(),
      },
      ...(authority ? { warnings: [authority] } : {}),
    });
  }

  /** Mode, base URL, scope, credential and settings: safe to log, never a token. */
  describe(): SourceDescription {
    const status = this.tokenCache.status(this.scope);
    return {
      mode: this.mode,
      ...describeProvider(this.#provider),
      scope: showScope(this.scope),
      scopeFrom: this.#scopeFrom(),
      ...(this.endpointScope.cloud ? { cloud: this.endpointScope.cloud.label } : {}),
      credential: this.credentialName,
      ...this.#clientIdFact(),
      refreshWindowMs: this.tokenCache.refreshWindowMs,
      timeoutMs: this.tokenCache.timeoutMs,
      tokenState: this.#disposed ? "disposed" : status.state,
      ...(status.expiresOn !== undefined ? { tokenExpiresOn: status.expiresOn } : {}),
    };
  }

  /** Stops background refreshes and forgets the token. Later calls fail with a `DisposedError`. */
  dispose(): void {
    this.#disposed = true;
    this.tokenCache.dispose();
  }

  /**
   * The client id of a user-assigned identity, as the default credential sees it: from the environment the
   * module selected with, else `process.env` now (what `DefaultAzureCredential` reads). Not a secret; a value
   * that is not a GUID is not shown.
   */
  #clientIdFact(): { azureClientId?: string } {
    if (!this.#usesDefaultCredential) return {};
    const raw = (this.#env ?? process.env).AZURE_CLIENT_ID?.trim();
    if (!raw) return {};
    return { azureClientId: isGuid(raw) ? raw : "set (not a GUID, not shown)" };
  }

  /** Where the scope comes from, in words: given, the endpoint's default, or a guess (with how to set it). */
  #scopeFrom(): string {
    return this.scopeGiven
      ? "given (the scope option, or COPILOT_PROVIDER_TOKEN_SCOPE)"
      : this.endpointScope.origin;
  }

  /**
   * For the default credential only (a given one may carry its own authority): whether the credential that
   * answered, or failing that the environment's service principal or workload identity, signs in at another
   * cloud's authority than the endpoint's.
   */
  #authorityWarning(answeredBy: string | undefined): string | undefined {
    const { cloud } = this.endpointScope;
    if (!this.#usesDefaultCredential || !cloud) return undefined;
    return authorityHostWarning(cloud, this.#env ?? process.env, answeredBy);
  }

  /** A token as the request edge gets it: with the expiry of the cached token, when one is cached. */
  #credentialOf(value: string): ProviderCredential {
    const expiresOn = Date.parse(this.tokenCache.status(this.scope).expiresOn ?? "");
    return { kind: "bearer", value, ...(Number.isFinite(expiresOn) ? { expiresOn } : {}) };
  }

  #token(options: GetProviderConfigOptions): Promise<string> {
    if (this.#disposed)
      return Promise.reject(new DisposedError("EntraIdProviderConfigSource", "it no longer serves tokens"));
    return this.tokenCache.getToken(this.scope, options.signal ? { signal: options.signal } : {});
  }
}
