import "reflect-metadata";
import type { CopilotClient, CopilotClientOptions } from "@github/copilot-sdk";
import { type DependencyContainer, instanceCachingFactory } from "tsyringe";
import { adaptLogger, type LogTarget } from "./adaptLogger.js";
import { ConfigurationError } from "./ConfigurationError.js";
import { CopilotSessionFactory } from "./CopilotSessionFactory.js";
import { DefaultCopilotClient } from "./DefaultCopilotClient.js";
import { DisposedError } from "./DisposedError.js";
import { silentLogger } from "./Logger.js";
import { protectSource } from "./protectSource.js";
import { withSafeRendering } from "./safeRendering.js";
import { selectProviderConfigSource } from "./selectProviderConfigSource.js";
import {
  COPILOT_BYOK_ENV,
  COPILOT_BYOK_LOGGER,
  COPILOT_BYOK_SELECTION,
  COPILOT_CLIENT,
  PROVIDER_CONFIG_SOURCE,
} from "./tokens.js";
import type {
  Env,
  ModuleContext,
  ProviderConfigSource,
  ProviderConfigSourceModule,
  Selection,
} from "./types.js";

/** Options of {@link registerCopilotByok}; `Mode` is the union of the modules' modes. */
export interface RegisterCopilotByokOptions<Mode extends string = string> {
  /** The environment to select from. Default: a snapshot of `process.env` taken now. */
  env?: Env;
  /** The modes to choose from, e.g. `[staticKeyModule, azureEntraModule]`. Order breaks ties in `auto`. */
  modules: readonly ProviderConfigSourceModule<Mode>[];
  /**
   * A client of your own (you start and stop it). Default: a `CopilotClient` created by the first session (which
   * loads `@github/copilot-sdk` then) and stopped on `container.dispose()`.
   */
  client?: CopilotClient;
  /** Options of the default client; `useLoggedInUser` defaults to `false`. */
  clientOptions?: CopilotClientOptions;
  /**
   * Where sources write events (token refreshes, key rotations): a copilot-byok `Logger`, or a pino, winston,
   * bunyan or console logger, wrapped by `adaptLogger` (details redacted, passed as the library expects them).
   * Default: silent.
   */
  logger?: LogTarget;
}

/**
 * Selects the provider config source from the environment and registers, in `container` (root or child):
 * - `PROVIDER_CONFIG_SOURCE`: the chosen source, created on first resolve, disposed with the container;
 * - `COPILOT_CLIENT`: your client, or the default `CopilotClient` (`useLoggedInUser: false`), created by the first
 *   session (or `CopilotSessionFactory.getClient()`), which loads `@github/copilot-sdk` then, started by its first
 *   session, stopped when the container is disposed;
 * - `COPILOT_BYOK_ENV`, `COPILOT_BYOK_SELECTION`, `COPILOT_BYOK_LOGGER` (the adapted logger), and
 *   `CopilotSessionFactory`.
 * Needs no decorator metadata. Loads nothing of the SDK. Returns the selection (mode and reasons); its `mode` is
 * typed as the union of the modules' modes when they declare them as literal types.
 *
 * @throws ConfigurationError listing every configuration problem: the selection's, and the chosen module's
 *   `validate` (e.g. a static key file that cannot be read).
 */
export function registerCopilotByok<Mode extends string = string>(
  container: DependencyContainer,
  options: RegisterCopilotByokOptions<Mode>,
): Selection<Mode> {
  const env: Env = Object.freeze(safeEnvSnapshot(options.env ?? process.env));
  const selection = selectProviderConfigSource(env, options.modules);
  const logger = options.logger ? adaptLogger(options.logger) : silentLogger;
  validateChosenModule({ env, selection, logger });
  const resources = container.resolve(CopilotByokResources);

  container.register(COPILOT_BYOK_ENV, { useValue: env });
  container.register(COPILOT_BYOK_SELECTION, { useValue: selection });
  container.register(COPILOT_BYOK_LOGGER, { useValue: logger });
  container.register(PROVIDER_CONFIG_SOURCE, {
    useFactory: instanceCachingFactory(() =>
      resources.own(protectSource(selection.module.create({ env, selection, logger }))),
    ),
  });
  if (options.client) {
    container.register(COPILOT_CLIENT, { useValue: options.client });
    container.register(CopilotSessionFactory, {
      useFactory: instanceCachingFactory(
        (c) => new CopilotSessionFactory(c.resolve(PROVIDER_CONFIG_SOURCE), c.resolve(COPILOT_CLIENT), env),
      ),
    });
  } else {
    const clientOptions: CopilotClientOptions = { useLoggedInUser: false, ...options.clientOptions };
    const defaultClient = new DefaultCopilotClient(clientOptions, (client) => resources.ownClient(client));
    // Not cached by the container: the client exists only once a session (or getClient()) created it.
    container.register(COPILOT_CLIENT, { useFactory: () => defaultClient.created() });
    container.register(CopilotSessionFactory, {
      useFactory: instanceCachingFactory(
        (c) => new CopilotSessionFactory(c.resolve(PROVIDER_CONFIG_SOURCE), () => defaultClient.get(), env),
      ),
    });
  }
  return selection;
}

/**
 * The chosen module's own check of what `create` will need (`validate`, when it has one): its problems are a
 * `ConfigurationError` now, before anything is registered, rather than at the first resolve.
 */
function validateChosenModule(context: ModuleContext): void {
  const { module } = context.selection;
  if (typeof module.validate !== "function") return;
  let problems: readonly string[];
  try {
    problems = module.validate(context);
  } catch (error) {
    if (error instanceof ConfigurationError) throw error;
    const name = error instanceof Error ? error.name : typeof error;
    throw new ConfigurationError([`module "${module.mode}" failed to validate the environment (${name})`]);
  }
  if (Array.isArray(problems) && problems.length > 0) throw new ConfigurationError([...problems]);
}

/**
 * A copy of `env` that renders (util.inspect, console.log, JSON.stringify, through the container too) as
 * the names of its variables only: any value may be a secret (a key, a client secret, a key in a base URL's
 * query, a key pasted into the wrong variable). Reads (`env[name]`, spreading, `Object.keys`) are unchanged.
 */
function safeEnvSnapshot(source: Env): Env {
  const env: Env = { ...source };
  return withSafeRendering(
    env,
    () => ({ variables: Object.keys(env).sort(), values: "not shown" }),
    "CopilotByokEnv",
  );
}

/**
 * What `registerCopilotByok` created and must release: constructed by the container itself so that
 * `container.dispose()` reaches it (tsyringe disposes only instances it constructed).
 */
export class CopilotByokResources {
  private readonly sources: ProviderConfigSource[] = [];
  private readonly clients: CopilotClient[] = [];
  #disposed = false;

  own(source: ProviderConfigSource): ProviderConfigSource {
    this.sources.push(source);
    return source;
  }

  /** @throws DisposedError once disposed: a client taken then would never be stopped. */
  ownClient(client: CopilotClient): CopilotClient {
    if (this.#disposed)
      throw new DisposedError(
        "the copilot-byok container",
        "its default client was asked for after dispose()",
      );
    this.clients.push(client);
    return client;
  }

  /** Stops the default client (sessions first) and disposes the sources. Errors are collected, not thrown midway. */
  async dispose(): Promise<void> {
    this.#disposed = true;
    const clients = this.clients.splice(0);
    const sources = this.sources.splice(0);
    const results = await Promise.allSettled([
      ...clients.map((c) => c.stop()),
      ...sources.map(async (s) => s.dispose?.()),
    ]);
    const failures = results.filter((r): r is PromiseRejectedResult => r.status === "rejected");
    if (failures.length > 0) {
      throw new AggregateError(
        failures.map((f) => f.reason),
        "copilot-byok: releasing resources failed",
      );
    }
  }
}
