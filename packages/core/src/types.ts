import type { ProviderConfig } from "@github/copilot-sdk";
import type { Logger } from "./Logger.js";

/** The environment as read by copilot-byok: `process.env` or any plain record of strings. */
export type Env = Readonly<Record<string, string | undefined>>;

/** Options of {@link ProviderConfigSource.getProviderConfig} and the other waiting members of a source. */
export interface GetProviderConfigOptions {
  /** Abandons the wait (not a shared refresh other callers still wait for). */
  signal?: AbortSignal;
}

/** A value of a {@link SourceDescription} or of {@link SourceDiagnostics.facts}: printable as it is. */
export type DescriptionValue = string | number | boolean | readonly string[] | undefined;

/**
 * What a source is, safe to log: mode, base URL and settings. Never holds a secret (key, token);
 * at most a short fingerprint of one. Core renders `baseUrl` through `redactUrl` wherever it shows it.
 */
export interface SourceDescription {
  readonly mode: string;
  readonly baseUrl?: string;
  readonly [detail: string]: DescriptionValue;
}

/** The credential a source hands out, as the request edge applies it. */
export interface ProviderCredential {
  /** `api-key`: a provider key; `bearer`: a token sent as `Authorization: Bearer`. */
  readonly kind: "api-key" | "bearer";
  /** The secret. Never logged, never rendered. */
  readonly value: string;
  /** When it stops being valid (ms since the epoch), when the source knows: for the time-to-expiry metric. */
  readonly expiresOn?: number;
  /** When the source obtained it (ms since the epoch), when it knows: for the key-age metric. */
  readonly obtainedOn?: number;
}

/** What the request edge tells a source when the provider refused one of its credentials. */
export interface CredentialRejection {
  /** The credential the provider refused, as the source handed it out. */
  readonly credential: ProviderCredential;
  /** The provider's HTTP status: 401. */
  readonly status: number;
  /** Abandons this caller's wait (a renewal other callers share keeps running). */
  readonly signal?: AbortSignal;
}

/** Claims of a token in use, for the doctor: who it is for and until when. Never the token. */
export interface TokenFacts {
  readonly audience?: string;
  readonly tenantId?: string;
  readonly objectId?: string;
  readonly appId?: string;
  /** ISO 8601. */
  readonly expiresOn?: string;
  /** Whether the audience fits the scope the token was asked for. */
  readonly audienceMatchesScope?: boolean;
}

/**
 * What a source can tell the doctor after getting its credential once: facts to print (label → value), the
 * token's claims when it is one, and what looks wrong. Safe to print: never a secret.
 */
export interface SourceDiagnostics {
  /** What the credential is and where it came from, e.g. `{ credential: "DefaultAzureCredential", "answered by": "ManagedIdentityCredential" }`. */
  readonly facts: Readonly<Record<string, DescriptionValue>>;
  /** What the provider will receive: an API key or a bearer token. */
  readonly credentialKind: "api-key" | "bearer";
  readonly token?: TokenFacts;
  /** Doubts that do not stop the source from working. */
  readonly warnings?: readonly string[];
  /** What will make the provider refuse the credential (a 401 waiting to happen). */
  readonly problems?: readonly string[];
}

/** Supplies the Copilot SDK's `ProviderConfig` for new sessions: the plug-in point of copilot-byok. */
export interface ProviderConfigSource {
  /** The mode this source serves, e.g. `azure-entra`, `static-key`. */
  readonly mode: string;
  /** The provider config for a new session, complete and working: credentials current as of this call (callbacks stay current). */
  getProviderConfig(options?: GetProviderConfigOptions): Promise<ProviderConfig>;
  /** A description that is safe to log. */
  describe(): SourceDescription;
  /** The credential to apply to one request, current now (optional: for the request edge). */
  getCredential?(options?: GetProviderConfigOptions): Promise<ProviderCredential>;
  /**
   * The provider refused `rejection.credential` (optional: for the request edge's recovery). Acts only when that
   * is still the current credential, so that many 401s of one credential cause one renewal: then gets another,
   * past every cache it can (a key file re-read now, a token asked for anew), and answers it. Answers the same
   * credential when no other can be had (the edge then explains the 401 instead of replaying the request).
   */
  renewCredential?(rejection: CredentialRejection): Promise<ProviderCredential>;
  /**
   * Why the provider may have refused `credential` with `status` (401, 403), in sentences a person can act on,
   * checked against what the source knows (a token's audience, tenant and expiry against the scope, the cloud
   * and the clock; a key's fingerprint). Optional; never a secret.
   */
  explainRejection?(credential: ProviderCredential, status: number): readonly string[];
  /** Facts for `copilot-byok doctor` (optional): what answered, expiry, fingerprint, warnings. */
  diagnose?(options?: GetProviderConfigOptions): Promise<SourceDiagnostics>;
  /** Releases timers, watchers and credentials. */
  dispose?(): void | Promise<void>;
}

/**
 * How strongly the environment points at a module, for `auto` mode:
 * - `explicit`: a credential of this mode is configured (a key variable);
 * - `signals`: the environment hints at it (managed identity variables);
 * - `fallback`: usable without any hint.
 * The strongest applicable detection wins; ties go to the earlier module.
 */
export type DetectionStrength = "explicit" | "signals" | "fallback";

/** What a module sees in the environment. Pure: reads the env record only. */
export interface Detection {
  /** Whether `auto` may choose this module. */
  readonly applicable: boolean;
  /** How strongly the environment points at it (when applicable). Default `fallback`. */
  readonly strength?: DetectionStrength;
  /** Why, in sentences a person can act on; never a secret's value. */
  readonly reasons: readonly string[];
  /** A short phrase for other modules' reasons, e.g. "managed identity signals (IDENTITY_ENDPOINT)". */
  readonly summary?: string;
  /** What would stop this module from working if it were chosen; reported only for the chosen module. */
  readonly problems?: readonly string[];
}

/** What a module gets to create its source. No DI container: a plug-in never needs one. */
export interface ModuleContext {
  /** The environment snapshot the selection was made from. */
  readonly env: Env;
  readonly selection: Selection;
  /** Where the source writes events. */
  readonly logger?: Logger;
}

/**
 * A plug-in: one authentication mode, detected from and configured by the environment. Declare `Mode` as the
 * mode's literal type (`ProviderConfigSourceModule<"token-broker">`) for a selection typed with it.
 */
export interface ProviderConfigSourceModule<Mode extends string = string> {
  /** The mode name, selectable with `COPILOT_PROVIDER_AUTH=<mode>`: lowercase letters, digits and `-`. */
  readonly mode: Mode;
  /** Where the module comes from, for people: e.g. `staticKeyModule from @copilot-byok/static-key`. */
  readonly origin?: string;
  detect(env: Env): Detection;
  create(context: ModuleContext): ProviderConfigSource;
  /**
   * Optional: the problems `create` would throw that `detect` (pure) cannot see, found without creating the source
   * (no watcher, timer or request), e.g. a key file that does not exist. `registerCopilotByok` calls it for the chosen
   * module and throws them as a `ConfigurationError` there, not at the first resolve (where tsyringe wraps whatever
   * a factory throws inside an `@inject` constructor in an `Error` of its own). Empty: nothing found.
   */
  validate?(context: ModuleContext): readonly string[];
}

/**
 * The outcome of `selectProviderConfigSource`: the chosen module and why. `Mode` is the union of the modes it was
 * chosen from, when their modules declare them as literal types (else `string`).
 */
export interface Selection<Mode extends string = string> {
  readonly mode: Mode;
  readonly reasons: readonly string[];
  readonly module: ProviderConfigSourceModule<Mode>;
}
