import {
  ConfigurationError,
  type Env,
  fingerprint,
  type GetProviderConfigOptions,
  isSet,
  NO_ENDPOINT_PROBLEM,
  type ProviderConfigSource,
  type ProviderConfigSourceModule,
  readProviderEnv,
  type SourceDescription,
  withSafeInspect,
  withSafeRendering,
} from "@copilot-byok/core";
import type { ProviderConfig } from "@github/copilot-sdk";

/** Your secret store: a key vault client, a broker, a test double. */
export interface SecretStore {
  readonly name: string;
  getSecret(name: string, options: { signal?: AbortSignal }): Promise<string>;
}

/** Names the secret holding the provider key; its presence makes `auto` choose this plug-in. */
export const SECRET_STORE_KEY_NAME = "SECRET_STORE_KEY_NAME";

/** A source that reads the key from the store, caching it for `ttlMs` so the store sees few calls. */
export class SecretStoreSource implements ProviderConfigSource {
  readonly mode = "secret-store";
  private cached: { key: string; at: number } | undefined;
  reads = 0;

  constructor(
    private readonly store: SecretStore,
    private readonly secretName: string,
    private readonly settings: ReturnType<typeof readProviderEnv>["settings"],
    private readonly ttlMs = 5 * 60_000,
  ) {
    withSafeRendering(this, () => this.describe());
  }

  async getProviderConfig(options: GetProviderConfigOptions = {}): Promise<ProviderConfig> {
    if (!this.cached || Date.now() - this.cached.at > this.ttlMs) {
      this.reads++;
      const key = await this.store.getSecret(
        this.secretName,
        options.signal ? { signal: options.signal } : {},
      );
      this.cached = { key, at: Date.now() };
    }
    const { baseUrl = "", type, wireApi, modelId, wireModel } = this.settings;
    return withSafeInspect({
      type,
      wireApi,
      baseUrl,
      apiKey: this.cached.key,
      ...(modelId ? { modelId } : {}),
      ...(wireModel ? { wireModel } : {}),
    });
  }

  describe(): SourceDescription {
    return {
      mode: this.mode,
      baseUrl: this.settings.baseUrl,
      store: this.store.name,
      secret: this.secretName,
      ...(this.cached ? { fingerprint: fingerprint(this.cached.key) } : {}),
    };
  }
}

/** The plug-in module: selectable as COPILOT_PROVIDER_AUTH=secret-store, or by `auto` when SECRET_STORE_KEY_NAME is set. */
export function secretStoreModule(store: SecretStore): ProviderConfigSourceModule {
  return {
    mode: "secret-store",
    detect(env: Env) {
      const named = isSet(env, SECRET_STORE_KEY_NAME);
      const problems: string[] = [];
      if (!readProviderEnv(env).settings.baseUrl) problems.push(NO_ENDPOINT_PROBLEM);
      if (!named)
        problems.push(`${SECRET_STORE_KEY_NAME} is not set: name the secret that holds the provider key`);
      return {
        applicable: named,
        strength: "explicit",
        reasons: named
          ? [`provider key from secret "${env[SECRET_STORE_KEY_NAME]}" in ${store.name}`]
          : [`${SECRET_STORE_KEY_NAME} not set`],
        summary: `a secret store key (${SECRET_STORE_KEY_NAME})`,
        problems,
      };
    },
    create({ env }) {
      const reading = readProviderEnv(env);
      if (!isSet(env, SECRET_STORE_KEY_NAME))
        throw new ConfigurationError([`${SECRET_STORE_KEY_NAME} is not set`]);
      return new SecretStoreSource(store, (env[SECRET_STORE_KEY_NAME] as string).trim(), reading.settings);
    },
  };
}
