import "reflect-metadata";
import type { CopilotClient, CopilotClientOptions } from "@github/copilot-sdk";
import { type DependencyContainer, instanceCachingFactory } from "tsyringe";
import { adaptLogger, type LogTarget } from "./adaptLogger.js";
import { ConfigurationError } from "./ConfigurationError.js";
import { CopilotSessionFactory } from "./CopilotSessionFactory.js";
import { createCopilotByokRequestHandler, requestHandlerProblem } from "./createCopilotByokRequestHandler.js";
import { DefaultCopilotClient } from "./DefaultCopilotClient.js";
import { DisposedError } from "./DisposedError.js";
import { describeErrorBriefly } from "./describeErrorBriefly.js";
import { type Logger, silentLogger } from "./Logger.js";
import type { CopilotSdk } from "./loadCopilotSdk.js";
import { protectSource } from "./protectSource.js";
import type { RequestEdgeEvent } from "./RequestEdgeEvent.js";
import { withSafeRendering } from "./safeRendering.js";
import { selectProviderConfigSource } from "./selectProviderConfigSource.js";
import {
  COPILOT_BYOK_ENV,
  COPILOT_BYOK_LOGGER,
  COPILOT_BYOK_REQUEST_HANDLER,
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
  /**
   * Credentials at the request edge (default `true`): the default client gets copilot-byok's request handler,
   * which sets each request's credential in this process, so the runtime holds a placeholder only, and on a 401
   * renews the credential and replays the request once. It costs the SDK's relay of each request through this
   * process (see the README). `false`: the runtime is given the credential with the session config, as before.
   * Off by itself when the installed `@github/copilot-sdk` has no usable `requestHandler` (it is experimental).
   * A `clientOptions.requestHandler` of yours is composed: copilot-byok sets the credential, then yours sends.
   */
  requestEdge?: boolean;
  /** Called with every event of the request edge (a replay, a 401 not recovered, a 403); what it throws is ignored. */
  onRequestEdgeEvent?: (event: RequestEdgeEvent) => void;
  /**
   * Fetch the first credential now, in the background (default `false`), so that the first session does not
   * wait for the token endpoint. A failure is logged (warn) and met again by the first session, or by
   * `CopilotSessionFactory.ready()`, which a readiness probe should call.
   */
  warmUp?: boolean;
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
  const edgeOptions = {
    logger,
    ...(options.onRequestEdgeEvent ? { onEvent: options.onRequestEdgeEvent } : {}),
  };
  container.register(COPILOT_BYOK_REQUEST_HANDLER, {
    useFactory: instanceCachingFactory(() => createCopilotByokRequestHandler(edgeOptions)),
  });
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
    const { requestHandler: next, ...given } = options.clientOptions ?? {};
    const clientOptions: CopilotClientOptions = {
      useLoggedInUser: false,
      ...given,
      ...(next ? { requestHandler: next } : {}),
    };
    const requestHandlerFor = (sdk: CopilotSdk) => {
      if (options.requestEdge === false) return undefined;
      const problem = requestHandlerProblem(sdk);
      if (!problem)
        return createCopilotByokRequestHandler({ ...edgeOptions, ...(next ? { next } : {}), sdk });
      logger.warn(`copilot-byok request edge off: ${problem}`);
      return undefined;
    };
    const defaultClient = new DefaultCopilotClient(
      clientOptions,
      (client) => resources.ownClient(client),
      requestHandlerFor,
    );
    // Not cached by the container: the client exists only once a session (or getClient()) created it.
    container.register(COPILOT_CLIENT, { useFactory: () => defaultClient.created() });
    container.register(CopilotSessionFactory, {
      useFactory: instanceCachingFactory(
        (c) => new CopilotSessionFactory(c.resolve(PROVIDER_CONFIG_SOURCE), () => defaultClient.get(), env),
      ),
    });
  }
  if (options.warmUp) warmUp(container, logger);
  return selection;
}

/** Asks for the first credential now; a failure is logged, never thrown (the first session meets it again). */
function warmUp(container: DependencyContainer, logger: Logger): void {
  let factory: CopilotSessionFactory;
  try {
    factory = container.resolve(CopilotSessionFactory);
  } catch (error) {
    logger.warn(`copilot-byok warm-up failed: ${describeErrorBriefly(error)}`);
    return;
  }
  factory.ready().then(
    (report) => logger.debug("copilot-byok warm-up: credential ready", { ...report }),
    (error: unknown) => logger.warn(`copilot-byok warm-up failed: ${describeErrorBriefly(error)}`),
  );
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
