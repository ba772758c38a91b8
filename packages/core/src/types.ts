import type { ProviderConfig } from "@github/copilot-sdk";
import type { DependencyContainer } from "tsyringe";
import type { Logger } from "./Logger.js";

/** The environment as read by copilot-byok: `process.env` or any plain record of strings. */
export type Env = Readonly<Record<string, string | undefined>>;

/** Options of {@link ProviderConfigSource.getProviderConfig}. */
export interface GetProviderConfigOptions {
  /** Abandons the wait (not a shared refresh other callers still wait for). */
  signal?: AbortSignal;
}

/**
 * What a source is, safe to log: mode, base URL and settings. Never holds a secret (key, token);
 * at most a short fingerprint of one.
 */
export interface SourceDescription {
  readonly mode: string;
  readonly baseUrl?: string;
  readonly [detail: string]: string | number | boolean | readonly string[] | undefined;
}

/** Supplies the Copilot SDK's `ProviderConfig` for new sessions: the plug-in point of copilot-byok. */
export interface ProviderConfigSource {
  /** The mode this source serves, e.g. `azure-entra`, `static-key`. */
  readonly mode: string;
  /** The provider config for a new session; credentials current as of this call (callbacks stay current). */
  getProviderConfig(options?: GetProviderConfigOptions): Promise<ProviderConfig>;
  /** A description that is safe to log. */
  describe(): SourceDescription;
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

/** What a module gets to create its source. */
export interface ModuleContext {
  readonly env: Env;
  readonly selection: Selection;
  /** The container the source is resolved from, when created through DI. */
  readonly container?: DependencyContainer;
  readonly logger?: Logger;
}

/** A plug-in: one authentication mode, detected from and configured by the environment. */
export interface ProviderConfigSourceModule {
  /** The mode name, selectable with `COPILOT_PROVIDER_AUTH=<mode>`. */
  readonly mode: string;
  detect(env: Env): Detection;
  create(context: ModuleContext): ProviderConfigSource;
}

/** The outcome of {@link selectProviderConfigSource}: the chosen module and why. */
export interface Selection {
  readonly mode: string;
  readonly reasons: readonly string[];
  readonly module: ProviderConfigSourceModule;
}
