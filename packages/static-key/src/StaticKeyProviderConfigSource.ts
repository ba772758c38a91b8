import { resolve } from "node:path";
import {
  API_KEY_VARIABLES,
  AZURE_AI_FOUNDRY_RESOURCE_URL,
  COPILOT_PROVIDER_API_KEY_FILE,
  COPILOT_PROVIDER_BASE_URL,
  ConfigurationError,
  DEFAULT_PROVIDER_TYPE,
  DEFAULT_WIRE_API,
  type Env,
  type GetProviderConfigOptions,
  isSet,
  type Logger,
  PROVIDER_TYPES,
  type ProviderConfigSource,
  type ProviderType,
  readProviderEnv,
  redactUrl,
  resolveBaseUrl,
  type SourceDescription,
  showValue,
  silentLogger,
  WIRE_APIS,
  type WireApi,
  withSafeInspect,
  withSafeRendering,
} from "@copilot-byok/core";
import type { ProviderConfig } from "@github/copilot-sdk";
import { checkApiKey } from "./checkApiKey.js";
import { detectStaticKey } from "./detectStaticKey.js";
import { disposedError } from "./disposedError.js";
import { KeyFileWatcher, type KeyRotation } from "./KeyFileWatcher.js";
import { credentialHeader, defaultKeyPerRequest } from "./keyDelivery.js";
import { showKeyFilePath } from "./showKeyFilePath.js";

/** The mode of {@link StaticKeyProviderConfigSource}, selectable with `COPILOT_PROVIDER_AUTH=static-key`. */
export const STATIC_KEY_MODE = "static-key";

/** Options of {@link StaticKeyProviderConfigSource}: one endpoint, one key. */
export interface StaticKeyProviderConfigSourceOptions {
  /** Provider base URL, used as is, e.g. `https://<resource>.openai.azure.com/openai/v1/`. Or `resourceUrl`. */
  baseUrl?: string;
  /**
   * Azure AI Foundry / Azure OpenAI resource URL, e.g. `https://<resource>.services.ai.azure.com`: the base
   * URL becomes `<url>/openai/v1/` (the resource root for `type: "azure"`, whose runtime adds `/openai/v1/`).
   */
  resourceUrl?: string;
  /** The API key. Or `apiKeyFile`. */
  apiKey?: string;
  /** A file holding the API key (a Docker or Kubernetes secret mount): re-read when it changes. Or `apiKey`. */
  apiKeyFile?: string;
  /** The environment variable the key (or the key file path) came from, named in messages and `describe()`. */
  keyVariable?: string;
  /** Provider type: `openai` (default), `azure` or `anthropic`. */
  type?: ProviderType;
  /** Wire API of `openai` and `azure` providers: `responses` (default) or `completions`. */
  wireApi?: WireApi;
  /** Model id the runtime configures itself for. */
  modelId?: string;
  /** Model name sent on the wire (an Azure deployment name). */
  wireModel?: string;
  /**
   * Also hand the runtime a per-request callback (`bearerTokenProvider`) that returns the current key, so a
   * rotated key file reaches running sessions, not only new ones. The runtime then sends
   * `Authorization: Bearer <key>` instead of the type's own header. Default: `true` for `openai` (same
   * header either way) and `azure` (Azure's v1 endpoint accepts the key as a bearer token), `false` for
   * `anthropic` (which wants `x-api-key`).
   */
  keyPerRequest?: boolean;
  /** Key file only: interval between two reads of the file, in ms (10 to 3600000). Default 1000. */
  pollIntervalMs?: number;
  /** Receives rotations (info) and key file problems (warnings); never a key. Default: silent. */
  logger?: Logger;
}

/** Options of {@link StaticKeyProviderConfigSource.fromEnv} (everything else comes from the environment). */
export type StaticKeyEnvOptions = Pick<
  StaticKeyProviderConfigSourceOptions,
  "keyPerRequest" | "pollIntervalMs" | "logger"
>;

// biome-ignore lint/suspicious/noControlCharactersInRegex: rejecting control characters is the point
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f]/;

const OPTION_NAMES: ReadonlySet<string> = new Set([
  "baseUrl",
  "resourceUrl",
  "apiKey",
  "apiKeyFile",
  "keyVariable",
  "type",
  "wireApi",
  "modelId",
  "wireModel",
  "keyPerRequest",
  "pollIntervalMs",
  "logger",
] satisfies (keyof StaticKeyProviderConfigSourceOptions)[]);

/**
 * A provider config source with a static API key, from an option, an environment variable or a key
 * file that may rotate (see {@link KeyFileWatcher}): `getProviderConfig()` returns the current key as
 * `apiKey`, plus a per-request `bearerTokenProvider` where that yields a header the provider accepts
 * (see `keyPerRequest`), so a rotated key reaches new sessions and running ones.
 *
 * `describe()`, `util.inspect` and `JSON.stringify` show the key's fingerprint, never the key.
 */
export class StaticKeyProviderConfigSource implements ProviderConfigSource {
  readonly mode = STATIC_KEY_MODE;

  readonly #baseUrl: string;
  readonly #type: ProviderType;
  readonly #wireApi: WireApi;
  readonly #modelId: string | undefined;
  readonly #wireModel: string | undefined;
  readonly #keyPerRequest: boolean;
  readonly #keyVariable: string | undefined;
  readonly #key: { readonly value: string; readonly fingerprint: string } | undefined;
  readonly #watcher: KeyFileWatcher | undefined;
  #disposed = false;

  /** @throws ConfigurationError listing every problem with the options and the key (file). */
  constructor(options: StaticKeyProviderConfigSourceOptions) {
    const problems: string[] = [];
    const logger = options.logger ?? silentLogger;
    for (const name of Object.keys(options ?? {})) {
      if (!OPTION_NAMES.has(name)) {
        problems.push(
          `unknown option ${showValue(name, [...OPTION_NAMES])}: accepted are ${[...OPTION_NAMES].join(", ")}`,
        );
      }
    }

    const type = readChoice("type", options.type, PROVIDER_TYPES, DEFAULT_PROVIDER_TYPE, problems);
    const wireApi = readChoice("wireApi", options.wireApi, WIRE_APIS, DEFAULT_WIRE_API, problems);
    const baseUrl = readEndpoint(options, type, problems);
    const modelId = readName("modelId", options.modelId, problems);
    const wireModel = readName("wireModel", options.wireModel, problems);
    if (options.keyPerRequest !== undefined && typeof options.keyPerRequest !== "boolean") {
      problems.push("keyPerRequest must be true or false");
    }
    const keyVariable = readName("keyVariable", options.keyVariable, problems);
    const keyPerRequest =
      typeof options.keyPerRequest === "boolean" ? options.keyPerRequest : defaultKeyPerRequest(type);

    let key: { value: string; fingerprint: string } | undefined;
    let watcher: KeyFileWatcher | undefined;
    const hasKey = options.apiKey !== undefined;
    const hasFile = options.apiKeyFile !== undefined;
    if (hasKey && hasFile) {
      problems.push("both apiKey and apiKeyFile are given: give exactly one");
    } else if (!hasKey && !hasFile) {
      problems.push(
        `no key: give apiKey or apiKeyFile (from the environment: ${API_KEY_VARIABLES.join(", ")})`,
      );
    } else if (hasKey) {
      const label = keyVariable ?? "apiKey";
      if (typeof options.apiKey !== "string") {
        problems.push(`${label} must be a string`);
      } else {
        const check = checkApiKey(options.apiKey, label);
        problems.push(...check.problems);
        for (const warning of check.warnings) logger.warn(warning);
        key = { value: check.key, fingerprint: check.fingerprint };
      }
    } else {
      const file = options.apiKeyFile;
      const variable = keyVariable ?? "apiKeyFile";
      if (typeof file !== "string" || file.trim() === "") {
        problems.push(`${variable} is empty: give the path of the key file`);
      } else if (CONTROL_CHARACTERS.test(file)) {
        problems.push(`${variable} contains control characters: it must be the path of the key file`);
      } else {
        try {
          watcher = new KeyFileWatcher({
            path: file,
            label: `the key file ${showKeyFilePath(resolve(file))} (${variable})`,
            logger,
            ...(options.pollIntervalMs !== undefined ? { pollIntervalMs: options.pollIntervalMs } : {}),
          });
        } catch (error) {
          if (!(error instanceof ConfigurationError)) throw error;
          problems.push(...error.problems);
        }
      }
    }

    if (problems.length > 0) {
      watcher?.dispose();
      throw new ConfigurationError(problems);
    }
    if (keyPerRequest && type === "anthropic") {
      logger.warn(
        'keyPerRequest with type anthropic: the runtime sends the key in the "Authorization: Bearer" header, not x-api-key; Anthropic\'s own API does not accept that',
      );
    }

    this.#baseUrl = baseUrl as string;
    this.#type = type;
    this.#wireApi = wireApi;
    this.#modelId = modelId;
    this.#wireModel = wireModel;
    this.#keyPerRequest = keyPerRequest;
    this.#keyVariable = keyVariable;
    this.#key = key;
    this.#watcher = watcher;
    withSafeRendering(this, () => this.describe());
    logger.debug("static key source ready", { ...this.describe() });
  }

  /**
   * A source configured by the environment contract (`COPILOT_PROVIDER_API_KEY` >
   * `COPILOT_PROVIDER_API_KEY_FILE` > `AZURE_OPENAI_API_KEY`, the base URL variables, type, wire API,
   * model fields), as `staticKeyModule` creates it.
   *
   * @throws ConfigurationError listing every problem with the environment and the key (file).
   */
  static fromEnv(env: Env = process.env, options: StaticKeyEnvOptions = {}): StaticKeyProviderConfigSource {
    const reading = readProviderEnv(env);
    const detection = detectStaticKey(
      env,
      options.keyPerRequest !== undefined ? { keyPerRequest: options.keyPerRequest } : {},
    );
    const problems = [...new Set([...reading.problems, ...(detection.problems ?? [])])];
    if (problems.length > 0) throw new ConfigurationError(problems);
    const variable = API_KEY_VARIABLES.find((name) => isSet(env, name)) as string;
    const value = env[variable] as string;
    const { baseUrl, type, wireApi, modelId, wireModel } = reading.settings;
    return new StaticKeyProviderConfigSource({
      baseUrl: baseUrl as string,
      type,
      wireApi,
      ...(modelId !== undefined ? { modelId } : {}),
      ...(wireModel !== undefined ? { wireModel } : {}),
      keyVariable: variable,
      ...(variable === COPILOT_PROVIDER_API_KEY_FILE ? { apiKeyFile: value.trim() } : { apiKey: value }),
      ...options,
    });
  }

  /**
   * The provider config for a new session: `apiKey` is the current key; with `keyPerRequest`, a
   * `bearerTokenProvider` returns the key current at each model request. Prints without the key in
   * `util.inspect` (`JSON.stringify` keeps it: the SDK serializes the config for its runtime).
   */
  async getProviderConfig(options: GetProviderConfigOptions = {}): Promise<ProviderConfig> {
    options.signal?.throwIfAborted();
    const apiKey = this.#currentKey();
    const config: ProviderConfig = {
      type: this.#type,
      ...(this.#type !== "anthropic" ? { wireApi: this.#wireApi } : {}),
      baseUrl: this.#baseUrl,
      apiKey,
      ...(this.#keyPerRequest ? { bearerTokenProvider: this.#keyForRequest } : {}),
      ...(this.#modelId !== undefined ? { modelId: this.#modelId } : {}),
      ...(this.#wireModel !== undefined ? { wireModel: this.#wireModel } : {}),
    };
    return withSafeInspect(config);
  }

  /** Mode, endpoint, settings, where the key comes from and its fingerprint; never the key. */
  describe(): SourceDescription {
    const watcher = this.#watcher?.describe();
    return {
      mode: this.mode,
      baseUrl: redactUrl(this.#baseUrl),
      type: this.#type,
      ...(this.#type !== "anthropic" ? { wireApi: this.#wireApi } : {}),
      ...(this.#modelId !== undefined ? { modelId: this.#modelId } : {}),
      ...(this.#wireModel !== undefined ? { wireModel: this.#wireModel } : {}),
      keySource: this.#watcher ? `file:${this.#watcher.shownPath}` : (this.#keyVariable ?? "option"),
      ...(this.#keyVariable !== undefined ? { keyVariable: this.#keyVariable } : {}),
      fingerprint: this.#watcher ? this.#watcher.fingerprint : (this.#key?.fingerprint ?? ""),
      credentialHeader: credentialHeader(this.#type, this.#keyPerRequest),
      keyPerRequest: this.#keyPerRequest,
      ...(watcher
        ? {
            pollIntervalMs: watcher.pollIntervalMs,
            watching: watcher.watching,
            rotations: watcher.rotations,
            ...(watcher.lastRotatedAt !== undefined ? { lastRotatedAt: watcher.lastRotatedAt } : {}),
            ...(watcher.keyFileProblem !== undefined ? { keyFileProblem: watcher.keyFileProblem } : {}),
          }
        : {}),
      ...(this.#disposed ? { disposed: true } : {}),
    };
  }

  /**
   * Calls `listener` when the key file holds a new key (fingerprints only). A key from an option or an
   * environment variable never rotates. Returns a function that stops the listener.
   */
  onKeyRotated(listener: (rotation: KeyRotation) => void): () => void {
    return this.#watcher?.onRotation(listener) ?? (() => false);
  }

  /** Stops the key file watch and poll timer; later calls fail with a clear error. Idempotent. */
  dispose(): void {
    this.#disposed = true;
    this.#watcher?.dispose();
  }

  readonly #keyForRequest = async (): Promise<string> => this.#currentKey();

  #currentKey(): string {
    if (this.#disposed) throw disposedError("StaticKeyProviderConfigSource");
    return this.#watcher ? this.#watcher.key : (this.#key?.value ?? "");
  }
}

function readChoice<T extends string>(
  name: string,
  value: unknown,
  accepted: readonly T[],
  fallback: T,
  problems: string[],
): T {
  if (value === undefined) return fallback;
  if (typeof value === "string" && (accepted as readonly string[]).includes(value)) return value as T;
  problems.push(
    `${name} has ${showValue(String(value), accepted)}, which is not accepted: use one of ${accepted.join(", ")}`,
  );
  return fallback;
}

function readName(name: string, value: unknown, problems: string[]): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "string" || value.trim() === "") {
    problems.push(`${name} must be a non-empty string`);
    return undefined;
  }
  if (CONTROL_CHARACTERS.test(value)) {
    problems.push(`${name} contains control characters: remove them`);
    return undefined;
  }
  return value.trim();
}

/** The base URL from `baseUrl` (as is) or `resourceUrl` (Foundry resource), checked by core's `resolveBaseUrl`. */
function readEndpoint(
  options: StaticKeyProviderConfigSourceOptions,
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
      "no endpoint: give baseUrl (used as is) or resourceUrl (an Azure AI Foundry / Azure OpenAI resource URL)",
    );
    return undefined;
  }
  const [name, variable, value] =
    baseUrl !== undefined
      ? ["baseUrl", COPILOT_PROVIDER_BASE_URL, baseUrl]
      : ["resourceUrl", AZURE_AI_FOUNDRY_RESOURCE_URL, resourceUrl];
  if (typeof value !== "string") {
    problems.push(`${name} must be a string`);
    return undefined;
  }
  const resolution = resolveBaseUrl(variable, value, { type, label: name });
  problems.push(...resolution.problems);
  return resolution.baseUrl;
}
