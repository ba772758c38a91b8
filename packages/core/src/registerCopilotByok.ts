import "reflect-metadata";
import { CopilotClient, type CopilotClientOptions } from "@github/copilot-sdk";
import { type DependencyContainer, instanceCachingFactory } from "tsyringe";
import { CopilotSessionFactory } from "./CopilotSessionFactory.js";
import { type Logger, silentLogger } from "./Logger.js";
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
import type { Env, ProviderConfigSource, ProviderConfigSourceModule, Selection } from "./types.js";

/** Options of {@link registerCopilotByok}. */
export interface RegisterCopilotByokOptions {
  /** The environment to select from. Default: a snapshot of `process.env` taken now. */
  env?: Env;
  /** The modes to choose from, e.g. `[staticKeyModule, azureEntraModule]`. Order breaks ties in `auto`. */
  modules: readonly ProviderConfigSourceModule[];
  /** A client of your own (you start and stop it). Default: a `CopilotClient` created on first use and stopped on `container.dispose()`. */
  client?: CopilotClient;
  /** Options of the default client; `useLoggedInUser` defaults to `false`. */
  clientOptions?: CopilotClientOptions;
  /** Where sources write events (token refreshes, key rotations). Default: silent. */
  logger?: Logger;
}

/**
 * Selects the provider config source from the environment and registers, in `container` (root or child):
 * - `PROVIDER_CONFIG_SOURCE`: the chosen source, created on first resolve, disposed with the container;
 * - `COPILOT_CLIENT`: your client, or a default `CopilotClient` (`useLoggedInUser: false`) created on first
 *   resolve, started by its first session, stopped when the container is disposed;
 * - `COPILOT_BYOK_ENV`, `COPILOT_BYOK_SELECTION`, `COPILOT_BYOK_LOGGER`, and `CopilotSessionFactory`.
 * Needs no decorator metadata. Returns the selection (mode and reasons).
 *
 * @throws ConfigurationError listing every configuration problem.
 */
export function registerCopilotByok(
  container: DependencyContainer,
  options: RegisterCopilotByokOptions,
): Selection {
  const env: Env = Object.freeze(safeEnvSnapshot(options.env ?? process.env));
  const selection = selectProviderConfigSource(env, options.modules);
  const logger = options.logger ?? silentLogger;
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
  } else {
    const clientOptions: CopilotClientOptions = { useLoggedInUser: false, ...options.clientOptions };
    container.register(COPILOT_CLIENT, {
      useFactory: instanceCachingFactory(() => resources.ownClient(new CopilotClient(clientOptions))),
    });
  }
  container.register(CopilotSessionFactory, {
    useFactory: instanceCachingFactory(
      (c) => new CopilotSessionFactory(c.resolve(PROVIDER_CONFIG_SOURCE), c.resolve(COPILOT_CLIENT), env),
    ),
  });
  return selection;
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

  own(source: ProviderConfigSource): ProviderConfigSource {
    this.sources.push(source);
    return source;
  }

  ownClient(client: CopilotClient): CopilotClient {
    this.clients.push(client);
    return client;
  }

  /** Stops the default client (sessions first) and disposes the sources. Errors are collected, not thrown midway. */
  async dispose(): Promise<void> {
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
