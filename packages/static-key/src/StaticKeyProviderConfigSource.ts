import {
  API_KEY_VARIABLES,
  type Clock,
  COPILOT_PROVIDER_API_KEY_FILE,
  ConfigurationError,
  checkName,
  DisposedError,
  describeProvider,
  type Env,
  fingerprint,
  type GetProviderConfigOptions,
  hasControlCharacters,
  isLoopbackHost,
  isSet,
  type Logger,
  type ProviderConfigSource,
  type ProviderCredential,
  type ProviderOptions,
  type ProviderSettings,
  parseProviderOptions,
  readProviderEnv,
  type SourceDescription,
  type SourceDiagnostics,
  silentLogger,
  systemClock,
  toProviderConfig,
  withSafeRendering,
} from "@copilot-byok/core/plugin";
import type { ProviderConfig } from "@github/copilot-sdk";
import { checkApiKey } from "./checkApiKey.js";
import { detectStaticKey } from "./detectStaticKey.js";
import { explainKeyRejection, type KeyOrigin } from "./explainKeyRejection.js";
import { KeyFileWatcher } from "./KeyFileWatcher.js";
import type { KeyRotation } from "./KeyRotation.js";
import { credentialHeader, defaultKeyPerRequest } from "./keyDelivery.js";
import { keyFileLabel } from "./keyFileProblems.js";
import { waitUnlessAborted } from "./waitUnlessAborted.js";

/** The mode of {@link StaticKeyProviderConfigSource}, selectable with `COPILOT_PROVIDER_AUTH=static-key`. */
export const STATIC_KEY_MODE = "static-key";

/** Options of {@link StaticKeyProviderConfigSource}: one endpoint (the provider options every source takes), one key. */
export interface StaticKeyProviderConfigSourceOptions extends ProviderOptions {
  /** The API key. Or `apiKeyFile`. */
  apiKey?: string;
  /** A file holding the API key (a Docker or Kubernetes secret mount): re-read when it changes. Or `apiKey`. */
  apiKeyFile?: string;
  /** The environment variable the key (or the key file path) came from, named in messages and `describe()`. */
  keyVariable?: string;
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
  /** Key file only: how long a changed key must stay the same before it is adopted, in ms (see `KeyFileWatcher`). Default 100. */
  settleMs?: number;
  /** Receives rotations (info) and key file problems (warnings); never a key. Default: silent. */
  logger?: Logger;
  /**
   * When a key is obtained (`obtainedOn` of the credential) and, key file only, the time and timers of the key
   * file's poll (see {@link KeyFileWatcher}). Default `systemClock`.
   */
  clock?: Clock;
}

/** Options of {@link StaticKeyProviderConfigSource.fromEnv} (everything else comes from the environment). */
export type StaticKeyEnvOptions = Pick<
  StaticKeyProviderConfigSourceOptions,
  "keyPerRequest" | "pollIntervalMs" | "settleMs" | "logger" | "clock"
>;

/** The options of this source beyond the provider options every source takes. */
const SOURCE_OPTION_NAMES = [
  "apiKey",
  "apiKeyFile",
  "keyVariable",
  "keyPerRequest",
  "pollIntervalMs",
  "settleMs",
  "logger",
  "clock",
] satisfies (keyof StaticKeyProviderConfigSourceOptions)[];
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

  readonly #provider: ProviderSettings;
  readonly #keyPerRequest: boolean;
  readonly #keyVariable: string | undefined;
  readonly #key:
    | { readonly value: string; readonly fingerprint: string; readonly obtainedOn: number }
    | undefined;
  readonly #watcher: KeyFileWatcher | undefined;
  #disposed = false;

  /** @throws ConfigurationError listing every problem with the options and the key (file). */
  constructor(options: StaticKeyProviderConfigSourceOptions) {
    const logger = options.logger ?? silentLogger;
    const parsed = parseProviderOptions(options ?? {}, { sourceOptions: SOURCE_OPTION_NAMES });
    const problems: string[] = [...parsed.problems];
    if (options.keyPerRequest !== undefined && typeof options.keyPerRequest !== "boolean") {
      problems.push("keyPerRequest must be true or false");
    }
    const keyVariable = checkName("keyVariable", options.keyVariable, problems);
    const type = parsed.settings?.type ?? "openai";
    const keyPerRequest =
      typeof options.keyPerRequest === "boolean" ? options.keyPerRequest : defaultKeyPerRequest(type);

    let key: { value: string; fingerprint: string; obtainedOn: number } | undefined;
    let watcher: KeyFileWatcher | undefined;
    const baseUrl = parsed.settings?.baseUrl ?? ("baseUrl" in parsed ? parsed.baseUrl : undefined);
    const localProvider = baseUrl !== undefined && isLoopbackHost(new URL(baseUrl).hostname);
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
        const check = checkApiKey(options.apiKey, label, { localProvider });
        problems.push(...check.problems);
        for (const warning of check.warnings) logger.warn(warning);
        key = {
          value: check.key,
          fingerprint: check.fingerprint,
          obtainedOn: (options.clock ?? systemClock).now(),
        };
      }
    } else {
      const file = options.apiKeyFile;
      const variable = keyVariable ?? "apiKeyFile";
      if (typeof file !== "string" || file.trim() === "") {
        problems.push(`${variable} is empty: give the path of the key file`);
      } else if (hasControlCharacters(file)) {
        problems.push(`${variable} contains control characters: it must be the path of the key file`);
      } else {
        try {
          watcher = new KeyFileWatcher({
            path: file,
            label: keyFileLabel(file, variable),
            logger,
            localProvider,
            ...(options.pollIntervalMs !== undefined ? { pollIntervalMs: options.pollIntervalMs } : {}),
            ...(options.settleMs !== undefined ? { settleMs: options.settleMs } : {}),
            ...(options.clock !== undefined ? { clock: options.clock } : {}),
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

    this.#provider = parsed.settings as ProviderSettings;
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
    // The same checks as staticKeyModule's detect(): problems with the key variable itself come from there.
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
    return toProviderConfig(this.#provider, {
      apiKey,
      ...(this.#keyPerRequest ? { bearerTokenProvider: this.#keyForRequest } : {}),
    });
  }

  /** The key current now, for the request edge, with `obtainedOn`: when it was read (a key file: adopted). */
  async getCredential(options: GetProviderConfigOptions = {}): Promise<ProviderCredential> {
    options.signal?.throwIfAborted();
    return this.#credential();
  }

  /**
   * The provider refused `rejection.credential`. A key file still holding it as the current key is read again at
   * once (not at the next poll), and a different valid key adopted without the settle time (reported as a
   * rotation with `trigger: "refusal"`); every call for that key shares the one read. A key no longer current,
   * or a key from a variable or an option (which never changes), is answered with the current key, without a
   * read. Answers the current key, the refused one when the file holds no other. `rejection` is core's
   * `CredentialRejection` (spelled out: `@copilot-byok/core/plugin` does not export that type).
   */
  async renewCredential(rejection: {
    readonly credential: ProviderCredential;
    readonly status: number;
    readonly signal?: AbortSignal;
  }): Promise<ProviderCredential> {
    rejection.signal?.throwIfAborted();
    this.#currentKey();
    if (this.#watcher)
      await waitUnlessAborted(this.#watcher.renew(rejection.credential.value), rejection.signal);
    return this.#credential();
  }

  /**
   * Why the provider may have refused `credential` with `status` (401 or 403): the key's fingerprint, where it
   * came from (the variable, the option, the key file and whether it was re-read and still holds it), what to do.
   * Never the key. Empty for another status.
   */
  explainRejection(credential: ProviderCredential, status: number): readonly string[] {
    const watcher = this.#watcher;
    const origin: KeyOrigin = watcher
      ? {
          kind: "file",
          label: watcher.label,
          reread: watcher.rereadAfterRefusal(credential.value),
          ...(watcher.problem !== undefined ? { problem: watcher.problem } : {}),
        }
      : this.#keyVariable !== undefined
        ? { kind: "variable", name: this.#keyVariable }
        : { kind: "option" };
    const { baseUrl, fingerprint: current } = this.describe();
    return explainKeyRejection({
      status,
      refused: fingerprint(credential.value),
      current: String(current),
      origin,
      baseUrl: String(baseUrl),
    });
  }

  /** Facts for the doctor: where the key comes from, its fingerprint, rotations, a key file problem. */
  async diagnose(options: GetProviderConfigOptions = {}): Promise<SourceDiagnostics> {
    options.signal?.throwIfAborted();
    this.#currentKey();
    const { mode: _mode, baseUrl: _baseUrl, type: _type, wireApi: _wireApi, ...facts } = this.describe();
    const problem = this.#watcher?.describe().keyFileProblem;
    return {
      credentialKind: "api-key",
      facts,
      ...(problem !== undefined
        ? { warnings: [`the key file has a problem, the last good key stays in use: ${problem}`] }
        : {}),
    };
  }

  /** Mode, endpoint, settings, where the key comes from and its fingerprint; never the key. */
  describe(): SourceDescription {
    const watcher = this.#watcher?.describe();
    return {
      mode: this.mode,
      ...describeProvider(this.#provider),
      keySource: this.#watcher ? `file:${this.#watcher.shownPath}` : (this.#keyVariable ?? "option"),
      ...(this.#keyVariable !== undefined ? { keyVariable: this.#keyVariable } : {}),
      fingerprint: this.#watcher ? this.#watcher.fingerprint : (this.#key?.fingerprint ?? ""),
      credentialHeader: credentialHeader(this.#provider.type, this.#keyPerRequest),
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
   * Calls `listener` when the key file holds a new key (fingerprints only; `trigger: "refusal"` when adopted at once
   * because the provider refused the previous one). A key from an option or an environment variable never
   * rotates. Returns a function that stops the listener.
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

  #credential(): ProviderCredential {
    const value = this.#currentKey();
    const obtainedOn = this.#watcher ? this.#watcher.keyObtainedOn : (this.#key?.obtainedOn ?? 0);
    return { kind: "api-key", value, obtainedOn };
  }

  #currentKey(): string {
    if (this.#disposed) throw new DisposedError("StaticKeyProviderConfigSource", "it no longer serves keys");
    return this.#watcher ? this.#watcher.key : (this.#key?.value ?? "");
  }
}
