import "reflect-metadata";
import type {
  CopilotClient,
  CopilotSession,
  ProviderConfig,
  ResumeSessionConfig,
  SessionConfig,
} from "@github/copilot-sdk";
import { inject, injectable } from "tsyringe";
import { ConfigurationError } from "./ConfigurationError.js";
import { requestEdgeOf } from "./createCopilotByokRequestHandler.js";
import { credentialTransport } from "./credentialTransport.js";
import { COPILOT_PROVIDER_MODEL_ID } from "./envNames.js";
import { protectSource } from "./protectSource.js";
import type { RequestEdge } from "./RequestEdge.js";
import type { RequestEdgeEvent } from "./RequestEdgeEvent.js";
import { COPILOT_BYOK_ENV, COPILOT_CLIENT, PROVIDER_CONFIG_SOURCE } from "./tokens.js";
import type { Env, ProviderConfigSource, SourceDescription } from "./types.js";

/** The SDK's `SessionConfig` without `provider` (filled from the source); `model` may come from the environment. */
export type CopilotSessionConfig = Omit<SessionConfig, "provider" | "model"> & { model?: string };

/** The SDK's `ResumeSessionConfig` without `provider` (filled from the source). */
export type CopilotResumeSessionConfig = Omit<ResumeSessionConfig, "provider">;

/**
 * Gives the client sessions are created on, creating it on the first call: how `registerCopilotByok` hands its
 * default `CopilotClient` over, so that `@github/copilot-sdk` is loaded only when a session needs it.
 */
export type CopilotClientSupplier = () => Promise<CopilotClient>;

/** Options of a single `createSession` / `resumeSession` call. */
export interface CreateSessionOptions {
  /** Abandons waiting for credentials. */
  signal?: AbortSignal;
}

/**
 * How sessions get their credential: `request-edge` (the client's copilot-byok request handler sets it on each
 * request; the runtime holds a placeholder), or the runtime holds it: `runtime-key` (a key given with the session
 * config, re-read per request where the source can), `runtime-token-provider` (a token, asked for before each request).
 */
export type CredentialDelivery = "request-edge" | "runtime-token-provider" | "runtime-key";

/** What {@link CopilotSessionFactory.ready} found: the source answers, and how credentials will be delivered. */
export interface ReadyReport {
  readonly mode: string;
  readonly credentialDelivery: CredentialDelivery;
  /** ISO 8601, when the credential expires and the source says. */
  readonly credentialExpiresOn?: string;
}

/**
 * Creates Copilot SDK sessions with the provider config of the chosen source: the same call serves
 * every mode. `model` comes from the call, else `COPILOT_PROVIDER_MODEL_ID`, else the source's `modelId`.
 *
 * With DI it needs `PROVIDER_CONFIG_SOURCE`, `COPILOT_CLIENT` and `COPILOT_BYOK_ENV` (all registered by
 * `registerCopilotByok`); without DI, `new CopilotSessionFactory(source, client, process.env)`. `client` may
 * be a {@link CopilotClientSupplier}, asked when the first session needs the client.
 */
@injectable()
export class CopilotSessionFactory {
  private readonly source: ProviderConfigSource;
  private readonly client: CopilotClient | CopilotClientSupplier;

  constructor(
    @inject(PROVIDER_CONFIG_SOURCE) source: ProviderConfigSource,
    @inject(COPILOT_CLIENT) client: CopilotClient | CopilotClientSupplier,
    @inject(COPILOT_BYOK_ENV) private readonly env: Env = process.env,
  ) {
    this.source = protectSource(source);
    this.client = client;
  }

  /**
   * The client sessions are created on. `registerCopilotByok`'s default client is created (and
   * `@github/copilot-sdk` loaded) by the first call, or by the first session.
   *
   * @throws ConfigurationError when `@github/copilot-sdk` is not installed, saying what to install.
   */
  async getClient(): Promise<CopilotClient> {
    return typeof this.client === "function" ? this.client() : this.client;
  }

  /** Creates a session on the client, with `provider` from the source. */
  async createSession(
    config: CopilotSessionConfig,
    options: CreateSessionOptions = {},
  ): Promise<CopilotSession> {
    rejectProvider(config);
    const signal = options.signal ? { signal: options.signal } : {};
    const provider = await this.source.getProviderConfig(signal);
    const model = config.model?.trim() || this.env[COPILOT_PROVIDER_MODEL_ID]?.trim() || provider.modelId;
    const problems = plaintextProblems(provider, this.source.mode);
    if (!model) {
      problems.push(
        `no model for the session: pass { model } to createSession or set ${COPILOT_PROVIDER_MODEL_ID}`,
      );
    }
    if (problems.length > 0 || !model) throw new ConfigurationError(problems);
    const client = await this.getClient();
    return client.createSession({
      ...config,
      model,
      provider: await this.#forRuntime(provider, client, signal),
    });
  }

  /** Resumes a session on the client, with fresh `provider` credentials from the source. */
  async resumeSession(
    sessionId: string,
    config: CopilotResumeSessionConfig,
    options: CreateSessionOptions = {},
  ): Promise<CopilotSession> {
    rejectProvider(config);
    const signal = options.signal ? { signal: options.signal } : {};
    const provider = await this.source.getProviderConfig(signal);
    const problems = plaintextProblems(provider, this.source.mode);
    if (problems.length > 0) throw new ConfigurationError(problems);
    const client = await this.getClient();
    return client.resumeSession(sessionId, {
      ...config,
      provider: await this.#forRuntime(provider, client, signal),
    });
  }

  /**
   * Whether sessions can be created now, for a readiness probe: the source answers with a credential (the first
   * one fetched now, when none is cached), and the client exists. A warm-up too: the first session then does not
   * wait for the token endpoint.
   *
   * @throws ConfigurationError, TokenAcquisitionError (the source's): what the first session would have failed with.
   */
  async ready(options: CreateSessionOptions = {}): Promise<ReadyReport> {
    const signal = options.signal ? { signal: options.signal } : {};
    const provider = await this.source.getProviderConfig(signal);
    const problems = plaintextProblems(provider, this.source.mode);
    if (problems.length > 0) throw new ConfigurationError(problems);
    const client = await this.getClient();
    const credentialDelivery = this.#deliveryFor(provider, client);
    const expiresOn = this.source.describe().expiresOn ?? this.source.describe().tokenExpiresOn;
    return {
      mode: this.source.mode,
      credentialDelivery,
      ...(typeof expiresOn === "string" ? { credentialExpiresOn: expiresOn } : {}),
    };
  }

  /**
   * The source's safe description (mode, base URL, …), with `credentialDelivery` once the client is known
   * (see {@link CredentialDelivery}).
   */
  describe(): SourceDescription {
    const description = this.source.describe();
    return this.#delivery ? { ...description, credentialDelivery: this.#delivery } : description;
  }

  /**
   * Why the provider refused the last request of session `sessionId`, when the request edge could not recover
   * (the runtime's own error says only "HTTP 401"): the event, with the source's `explanation`. `undefined` without
   * the edge, or when that session's last request succeeded.
   */
  lastRefusal(sessionId: string): RequestEdgeEvent | undefined {
    return this.#edge?.lastRefusal(sessionId);
  }

  #delivery: CredentialDelivery | undefined;
  #edge: RequestEdge | undefined;

  #deliveryFor(provider: ProviderConfig, client: CopilotClient): CredentialDelivery {
    const delivery: CredentialDelivery =
      typeof this.source.getCredential === "function" && requestEdgeOf(client)
        ? "request-edge"
        : provider.apiKey
          ? "runtime-key"
          : "runtime-token-provider";
    this.#delivery = delivery;
    return delivery;
  }

  /**
   * The config the runtime gets: on a client with copilot-byok's request handler, the source's config with a
   * placeholder in place of its credential (the handler sets the real one per request); else the config as is.
   */
  async #forRuntime(
    provider: ProviderConfig,
    client: CopilotClient,
    signal: { signal?: AbortSignal },
  ): Promise<ProviderConfig> {
    const edge = this.#deliveryFor(provider, client) === "request-edge" ? requestEdgeOf(client) : undefined;
    const getCredential = this.source.getCredential;
    if (!edge || !getCredential) return provider;
    const { kind } = await getCredential.call(this.source, signal);
    const placeholder = edge.bind(this.source, provider.baseUrl);
    this.#edge = edge;
    const { apiKey: _key, bearerToken: _token, bearerTokenProvider: _provider, ...rest } = provider;
    return kind === "bearer" ? { ...rest, bearerToken: placeholder } : { ...rest, apiKey: placeholder };
  }
}

function rejectProvider(config: object): void {
  if ("provider" in config && (config as { provider?: unknown }).provider !== undefined) {
    throw new ConfigurationError([
      "createSession got a provider: copilot-byok fills provider from the selected source; remove it from the session config",
    ]);
  }
}

/**
 * The plaintext guard of the built-in sources (see `resolveBaseUrl`), applied to every provider config the
 * factory gets, a plug-in source's too: a config that carries a credential — `apiKey`, `bearerToken`,
 * `bearerTokenProvider`, any header (a plug-in's `X-Auth` is as secret as `api-key`), user info or a query in
 * the base URL (`?api-key=…`) — must go to an `https://` base URL, or to `http://` on a loopback host only.
 * Never shows the URL's user info, query or fragment, nor a credential.
 */
function plaintextProblems(provider: ProviderConfig, mode: string): string[] {
  const raw = typeof provider.baseUrl === "string" ? provider.baseUrl.trim() : "";
  let url: URL | undefined;
  try {
    url = new URL(raw);
  } catch {
    url = undefined;
  }
  const headers = provider.headers ?? {};
  const credentials = [
    ...(provider.apiKey ? ["apiKey"] : []),
    ...(provider.bearerToken ? ["bearerToken"] : []),
    ...(provider.bearerTokenProvider ? ["bearerTokenProvider"] : []),
    ...Object.keys(headers)
      .filter((name) => headers[name])
      .map((name) => `the ${/^[\w-]{1,64}$/.test(name) ? name : "(unnamed)"} header`),
    ...(url && (url.username || url.password) ? ["user info in its baseUrl"] : []),
    ...(url && url.search.length > 1 ? ["a query in its baseUrl"] : []),
  ];
  if (credentials.length === 0) return [];
  const what = `the provider config of source "${String(mode)}" carries ${credentials.join(", ")}`;
  if (!url) {
    return [
      `${what} but its baseUrl is not a valid absolute URL (value of ${raw.length} characters not shown): expected an https:// URL`,
    ];
  }
  const transport = credentialTransport(url);
  if (transport === "ok") return [];
  if (transport === "plaintext") {
    return [
      `${what} for http://${url.host}${url.pathname}: keys and bearer tokens would cross the network in clear; the source must use https:// (http:// is accepted only for localhost, 127.0.0.0/8 and ::1)`,
    ];
  }
  return [
    `${what} for a ${url.protocol}// URL: the source must use https:// (or http:// for a loopback host)`,
  ];
}
