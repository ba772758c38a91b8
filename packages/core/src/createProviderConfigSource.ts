import { DisposedError } from "./DisposedError.js";
import { describeProvider } from "./describeProvider.js";
import { fingerprint } from "./fingerprint.js";
import type { ProviderSettings } from "./parseProviderOptions.js";
import { protectSource } from "./protectSource.js";
import { toProviderConfig } from "./toProviderConfig.js";
import type {
  CredentialRejection,
  DescriptionValue,
  GetProviderConfigOptions,
  ProviderConfigSource,
  ProviderCredential,
  SourceDescription,
  SourceDiagnostics,
} from "./types.js";

/** Where a source's credential comes from: a `RefreshingCache`, or anything with the same `get`. */
export interface CredentialSupplier {
  /** The credential current now. */
  get(options?: GetProviderConfigOptions): Promise<string>;
  /**
   * The provider refused `rejected`: a new one if `rejected` is still current, past every cache (a
   * `RefreshingCache` has it); else the current one. Without it, a refused credential is kept until it expires.
   */
  renew?(rejected: string, options?: GetProviderConfigOptions): Promise<string>;
  /** Expiry and refresh state, for `describe()` and the doctor (a `RefreshingCache` has it). */
  status?(): {
    readonly state: string;
    readonly expiresOn?: string;
    readonly refreshing?: boolean;
    readonly consecutiveFailures?: number;
    readonly lastError?: string;
  };
  dispose?(): void | Promise<void>;
}

/** What {@link createProviderConfigSource} needs: the part of a source that is really its own. */
export interface ProviderConfigSourceDefinition {
  readonly mode: string;
  /** Valid provider settings: from `providerSettingsFromEnv(env)` or `parseProviderOptions(options)`. */
  readonly provider: ProviderSettings;
  /** `bearer`: sent as `Authorization: Bearer`; `api-key`: the provider's key header. */
  readonly credentialKind: "bearer" | "api-key";
  readonly credential: CredentialSupplier;
  /** Facts about where the credential comes from, safe to print: shown by `describe()` and the doctor. */
  readonly facts?: () => Readonly<Record<string, DescriptionValue>>;
  /** Why the provider may have refused a credential with `status` (401, 403): see `ProviderConfigSource.explainRejection`. */
  readonly explainRejection?: (credential: ProviderCredential, status: number) => readonly string[];
  /** Releases what the source holds beyond the credential supplier (which is disposed too). */
  readonly dispose?: () => void | Promise<void>;
}

/**
 * A complete source from its definition: `getProviderConfig()` waits for a credential (so that a
 * misconfiguration fails at session creation) and hands the runtime a config that asks for the current one
 * before each request (`bearerTokenProvider`; a key is also given as `apiKey`); `getCredential()`,
 * `describe()`, `diagnose()` and `dispose()` follow. It renders without secrets, like every source core hands out.
 */
export function createProviderConfigSource(definition: ProviderConfigSourceDefinition): ProviderConfigSource {
  const { mode, provider, credentialKind, credential } = definition;
  let disposed = false;
  const get = (options?: GetProviderConfigOptions): Promise<string> =>
    disposed ? Promise.reject(new DisposedError(`the ${mode} source`)) : credential.get(options);
  // A plain arrow: a RefreshingCache's hot path hands back one stored resolved promise.
  const current = () => get();

  const credentialOf = (value: string): ProviderCredential => {
    const expiresOn = credential.status?.().expiresOn;
    const at = expiresOn !== undefined ? Date.parse(expiresOn) : Number.NaN;
    return { kind: credentialKind, value, ...(Number.isFinite(at) ? { expiresOn: at } : {}) };
  };

  const describe = (): SourceDescription => {
    const status = credential.status?.();
    return {
      ...definition.facts?.(), // first: the author's facts never overwrite what core says
      mode,
      ...describeProvider(provider),
      credentialKind,
      ...(status ? { credentialState: disposed ? "disposed" : status.state } : {}),
      ...(status?.expiresOn !== undefined ? { expiresOn: status.expiresOn } : {}),
    };
  };

  return protectSource({
    mode,
    async getProviderConfig(options?: GetProviderConfigOptions) {
      const value = await get(options);
      return toProviderConfig(
        provider,
        credentialKind === "bearer"
          ? { bearerTokenProvider: current }
          : // A per-request key goes out as `Authorization: Bearer`: right for openai and azure; anthropic
            // wants `x-api-key`, so its sessions keep the key they started with.
            { apiKey: value, ...(provider.type !== "anthropic" ? { bearerTokenProvider: current } : {}) },
      );
    },
    async getCredential(options?: GetProviderConfigOptions): Promise<ProviderCredential> {
      return credentialOf(await get(options));
    },
    async renewCredential(rejection: CredentialRejection): Promise<ProviderCredential> {
      if (disposed) throw new DisposedError(`the ${mode} source`);
      const options = rejection.signal ? { signal: rejection.signal } : {};
      const renew = credential.renew;
      return credentialOf(
        await (renew ? renew.call(credential, rejection.credential.value, options) : get(options)),
      );
    },
    ...(definition.explainRejection ? { explainRejection: definition.explainRejection } : {}),
    describe,
    async diagnose(options?: GetProviderConfigOptions): Promise<SourceDiagnostics> {
      const value = await get(options);
      const { mode: _mode, baseUrl: _baseUrl, type: _type, wireApi: _wireApi, ...facts } = describe();
      const status = credential.status?.();
      return {
        credentialKind,
        facts: { ...facts, fingerprint: fingerprint(value) },
        ...(status?.lastError ? { warnings: [`the last refresh failed: ${status.lastError}`] } : {}),
      };
    },
    async dispose() {
      disposed = true;
      await Promise.all([credential.dispose?.(), definition.dispose?.()]);
    },
  });
}
