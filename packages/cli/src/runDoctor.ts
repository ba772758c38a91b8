import {
  CONFIGURATION_ERROR_CODE,
  COPILOT_PROVIDER_MODEL_ID,
  COPILOT_PROVIDER_TOKEN_SCOPE,
  COPILOT_PROVIDER_TYPE,
  COPILOT_PROVIDER_WIRE_API,
  COPILOT_PROVIDER_WIRE_MODEL,
  CopilotByokError,
  type DescriptionValue,
  type Env,
  type Logger,
  PROVIDER_TYPES,
  type ProviderConfigSource,
  type ProviderConfigSourceModule,
  type ProviderCredential,
  redactText,
  redactUrl,
  type SourceDescription,
  type SourceDiagnostics,
  selectProviderConfigSource,
  silentLogger,
  type TokenFacts,
  WIRE_APIS,
} from "@copilot-byok/core";
import {
  COPILOT_SDK_PACKAGE,
  COPILOT_SDK_RANGE,
  loadCopilotSdk,
  readProviderEnv,
  requestHandlerProblem,
  showModelName,
  showScope,
  showValue,
} from "@copilot-byok/core/plugin";
import type { ProviderConfig } from "@github/copilot-sdk";
import { type Deadline, startDeadline } from "./deadline.js";
import { DEFAULT_MODULES } from "./defaultModules.js";
import { humanDuration } from "./humanDuration.js";
import { type ProbeResult, probeProvider } from "./probeProvider.js";
import { createScrubber, SETTING_RENDERERS } from "./showSetting.js";

/** What `copilot-byok doctor` found. Holds no secret: fingerprints and token claims only. */
export interface DoctorReport {
  healthy: boolean;
  mode?: string;
  reasons: string[];
  /** The modules the mode was chosen from, in order (ties in `auto` go to the earlier), with where each comes from. */
  modules: { mode: string; origin?: string }[];
  problems: string[];
  warnings: string[];
  provider?: {
    baseUrl?: string;
    type: string;
    wireApi: string;
    model?: string;
    wireModel?: string;
    /**
     * The settings given with a value that is not accepted (see `problems`): `type` or `wireApi` then holds that
     * value in its safe rendering (quoted, or only its length when it may be a pasted key), not the default.
     */
    invalid?: ("type" | "wireApi")[];
  };
  source?: SourceDescription;
  /** What the source tells about its credential: its `diagnose()` facts, or its `describe()` without mode and base URL. */
  facts?: Record<string, DescriptionValue>;
  /** What the provider receives: an API key or a bearer token. */
  credentialKind?: "api-key" | "bearer";
  /** The token's claims (from the source's `diagnose()`), with the facts `credential`, `answered by` and `scope`. */
  token?: {
    credential?: string;
    /** Which credential answered, e.g. `ManagedIdentityCredential` of `DefaultAzureCredential`'s chain. */
    answeredBy?: string;
    scope?: string;
    audience?: string;
    tenantId?: string;
    objectId?: string;
    appId?: string;
    expiresOn?: string;
    expiresIn?: string;
    audienceMatchesScope?: boolean;
  };
  /**
   * How the app's sessions will deliver the credential to the provider, as this process finds
   * `@github/copilot-sdk` and the source (with `registerCopilotByok`'s default client): `request-edge` when the
   * SDK carries copilot-byok's request handler and the source has `getCredential()`, else `runtime`; `reason`
   * says why. Absent when no source was created.
   */
  credentialDelivery?: CredentialDelivery;
  probe?: ProbeResult;
}

/** How credentials reach the provider: see {@link DoctorReport.credentialDelivery}. */
export interface CredentialDelivery {
  /**
   * `request-edge`: the runtime gets a placeholder and this process sets the credential on each model request;
   * `runtime`: the runtime gets the credential with the session config.
   */
  delivery: "request-edge" | "runtime";
  /** Why, in a sentence a person can act on. */
  reason: string;
}

export interface DoctorOptions {
  env: Env;
  probe?: boolean;
  /**
   * Bounds the whole run (default 30 000): getting the credential (`diagnose()`, `getProviderConfig()`) and the
   * probe (its token included) share one deadline, each step getting what is left, raced against it (a source
   * or credential that ignores its `AbortSignal` cannot hold the run); then the source is disposed.
   */
  timeoutMs?: number;
  /** When the run started (`Date.now()` time), for a caller that did something first: the deadline is `startedAt + timeoutMs`. Default: now. */
  startedAt?: number;
  /** The modules to choose from, in order: the same list the application registers. Default {@link DEFAULT_MODULES}. */
  modules?: readonly ProviderConfigSourceModule[];
  logger?: Logger;
  now?: () => number;
}

/**
 * Reads the environment as the library does, creates the selected source, gets its credential once, shows
 * what the source's `diagnose()` tells (any mode: the doctor knows none), optionally probes the model endpoint.
 */
export async function runDoctor(options: DoctorOptions): Promise<DoctorReport> {
  const { timeoutMs = 30_000 } = options;
  const elapsed = options.startedAt !== undefined ? Math.max(0, Date.now() - options.startedAt) : 0;
  const deadline = startDeadline(Math.max(0, timeoutMs - elapsed));
  try {
    return await diagnoseWithin(options, deadline, timeoutMs);
  } finally {
    deadline.clear();
  }
}

async function diagnoseWithin(
  options: DoctorOptions,
  deadline: Deadline,
  timeoutMs: number,
): Promise<DoctorReport> {
  const { env, now = Date.now } = options;
  const modules = options.modules ?? DEFAULT_MODULES;
  const report: DoctorReport = {
    healthy: false,
    reasons: [],
    modules: modules.map(({ mode, origin }) => ({ mode, ...(origin !== undefined ? { origin } : {}) })),
    problems: [],
    warnings: [],
  };
  const settings = readProviderEnv(env).settings;
  // The model, the deployment and the scope are shown only in their safe renderings, here and in any text
  // quoting them (a source's reasons and errors): a key pasted there is still a secret.
  const settingValues = [
    { value: env[COPILOT_PROVIDER_MODEL_ID], render: showModelName },
    { value: env[COPILOT_PROVIDER_WIRE_MODEL], render: showModelName },
    { value: settings.modelId, render: showModelName },
    { value: settings.wireModel, render: showModelName },
    { value: env[COPILOT_PROVIDER_TOKEN_SCOPE], render: showScope },
    { value: settings.tokenScope, render: showScope },
  ];
  let scrub = createScrubber(settingValues);
  const done = () => renderReport(report, scrub);
  // A type or wire API that is not accepted falls back to its default in the settings: shown as given instead.
  const givenType = notAccepted(env[COPILOT_PROVIDER_TYPE], PROVIDER_TYPES);
  const givenWireApi = notAccepted(env[COPILOT_PROVIDER_WIRE_API], WIRE_APIS);
  const invalid = [
    ...(givenType !== undefined ? (["type"] as const) : []),
    ...(givenWireApi !== undefined ? (["wireApi"] as const) : []),
  ];
  report.provider = {
    // Shown through redactUrl: a base URL's query may hold a key (`?subscription-key=`, a SAS `sig`).
    ...(settings.baseUrl ? { baseUrl: redactUrl(settings.baseUrl) } : {}),
    type: givenType ?? settings.type,
    // What goes on the wire: an anthropic provider speaks Anthropic's Messages API (the wire API is ignored).
    wireApi: givenWireApi ?? (settings.type === "anthropic" ? "messages" : settings.wireApi),
    ...(settings.modelId ? { model: settings.modelId } : {}),
    ...(settings.wireModel ? { wireModel: settings.wireModel } : {}),
    ...(invalid.length > 0 ? { invalid } : {}),
  };

  let selection: ReturnType<typeof selectProviderConfigSource>;
  try {
    selection = selectProviderConfigSource(env, modules);
  } catch (error) {
    report.problems.push(...problemsOf(error));
    return done();
  }
  report.mode = selection.mode;
  report.reasons.push(...selection.reasons);

  // create() checks the module's own settings (e.g. a key file that does not exist): a ConfigurationError's
  // problems are the doctor's problems, like selection's.
  let source: ProviderConfigSource;
  try {
    source = selection.module.create({ env, selection, logger: options.logger ?? silentLogger });
  } catch (error) {
    report.problems.push(...problemsOf(error));
    return done();
  }
  const timedOut = `no credential from the ${selection.mode} source within ${timeoutMs} ms (--timeout): what it waits for (an identity endpoint, a key vault, a broker) did not answer in time`;
  const problem = (error: unknown) => {
    // At the deadline the source's own error, if any, says only that it was aborted.
    const found = deadline.expired ? [timedOut] : problemsOf(error);
    // The same failure twice (diagnose(), then getProviderConfig()) is listed once, even when a detail differs
    // (a credential's correlation id): the first line of each says what failed.
    const firstLine = (text: string) => text.split("\n", 1)[0];
    for (const p of found)
      if (!report.problems.some((q) => firstLine(q) === firstLine(p))) report.problems.push(p);
    return undefined;
  };
  const { signal } = deadline;
  try {
    // A dynamic import of the SDK (once per process), raced against the deadline: never a failure of the run.
    report.credentialDelivery = await deadline
      .race(credentialDeliveryOf(source, selection.mode))
      .catch(() => ({
        delivery: "runtime" as const,
        reason: `whether ${COPILOT_SDK_PACKAGE} can carry the request edge could not be told within ${timeoutMs} ms (--timeout)`,
      }));
    // diagnose() first: it gets the credential once, so it can tell what answered (e.g. which credential of a
    // chain), which a cached credential no longer shows. A failure is a problem, and the config is still asked
    // for (its failure, most often the same, is listed once). Both are raced against the deadline.
    const diagnosed = source.diagnose
      ? await deadline.race(source.diagnose({ signal })).catch(problem)
      : undefined;
    const config = await deadline.race(source.getProviderConfig({ signal })).catch(problem);
    report.source = source.describe();
    if (!config) return done();

    const diagnostics = diagnosed ?? describedDiagnostics(report.source, config);
    report.facts = definedOnly(diagnostics.facts);
    if (diagnostics.credentialKind) report.credentialKind = diagnostics.credentialKind;
    if (diagnostics.token) report.token = tokenOf(diagnostics.token, diagnostics.facts, now());
    // A scope the source reports (a plug-in's own) is hidden like the environment's.
    const factScope = diagnostics.facts.scope;
    if (typeof factScope === "string")
      scrub = createScrubber([...settingValues, { value: factScope, render: showScope }]);
    report.warnings.push(...(diagnostics.warnings ?? []).map(redactText));
    report.problems.push(...(diagnostics.problems ?? []).map(redactText));

    const model = settings.wireModel ?? settings.modelId ?? env[COPILOT_PROVIDER_MODEL_ID];
    if (!model) {
      report.warnings.push(
        `no model configured: sessions must pass { model } or set ${COPILOT_PROVIDER_MODEL_ID} (and COPILOT_PROVIDER_WIRE_MODEL for an Azure deployment name)`,
      );
    }
    if (options.probe) {
      if (!model) {
        report.problems.push(
          `--probe needs a model: set ${COPILOT_PROVIDER_MODEL_ID} or COPILOT_PROVIDER_WIRE_MODEL`,
        );
      } else {
        // The config the runtime would get: its key (sent, and masked in the result), or its bearer token
        // provider, which the probe asks for a token the way the runtime does. Bounded by what is left of the
        // deadline, through the signal (its own timer, at the full timeout, never comes first).
        const probe = await probeProvider(config, {
          model,
          // A 401 or 403 is explained by the source, for the credential the probe sent (its lines masked).
          ...(typeof source.explainRejection === "function"
            ? {
                explainRejection: (credential: ProviderCredential, status: number) =>
                  source.explainRejection?.(credential, status) ?? [],
              }
            : {}),
          env,
          timeoutMs,
          signal,
          // A setting whose safe rendering hides it may be a pasted key: masked before the message is cut.
          settings: settingValues.flatMap(({ value, render }) => {
            const v = value?.trim() ?? "";
            return v !== "" && render(v) !== v ? [{ value: v, shown: render(v) }] : [];
          }),
          ...(diagnostics.token?.objectId ? { objectId: diagnostics.token.objectId } : {}),
          ...(diagnostics.token?.audience ? { audience: diagnostics.token.audience } : {}),
          ...(diagnostics.credentialKind
            ? { credentialKind: diagnostics.credentialKind === "bearer" ? "token" : "key" }
            : {}),
        });
        report.probe = { ...probe, url: redactUrl(probe.url) };
        // Not probed (a type the probe does not speak) is neither the provider's failure nor its success.
        if (report.probe.notProbed) report.warnings.push(`--probe: not probed: ${report.probe.notProbed}`);
        else if (!report.probe.ok) {
          const { status, message, advice } = report.probe;
          report.problems.push(
            status
              ? `probe HTTP ${status}: ${advice ?? message ?? "unknown"}`
              : message
                ? `probe: no provider answered: ${message}${advice ? ` (${advice})` : ""}`
                : `probe failed: ${advice ?? "unknown"}`,
          );
        }
      }
    }
  } finally {
    // Disposed within what is left (a moment, once the deadline has passed): a dispose() that hangs cannot
    // hold the run either.
    const grace = deadline.expired ? startDeadline(DISPOSE_GRACE_MS) : deadline;
    try {
      await grace.race(Promise.resolve().then(() => source.dispose?.())).catch(() => undefined);
    } finally {
      if (grace !== deadline) grace.clear();
    }
  }
  report.healthy = report.problems.length === 0;
  return done();
}

/**
 * The report with the model, deployment and scope in their safe renderings wherever they show: the fields
 * naming them (`provider.model`, a source's `modelId`, `wireModel`, `scope`, `token.scope`) and every text.
 */
function renderReport(report: DoctorReport, scrub: (text: string) => string): DoctorReport {
  const walk = (value: unknown, key?: string): unknown => {
    if (typeof value === "string") {
      const render =
        key !== undefined && Object.hasOwn(SETTING_RENDERERS, key) ? SETTING_RENDERERS[key] : undefined;
      return scrub(render ? render(value) : value);
    }
    if (Array.isArray(value)) return value.map((item) => walk(item));
    if (value !== null && typeof value === "object") {
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, walk(v, k)]));
    }
    return value;
  };
  const rendered = walk(report) as DoctorReport;
  Object.assign(report, rendered);
  return report;
}

/** How an app turns the request edge off (`registerCopilotByok`'s `requestEdge` option). */
const TURN_OFF = "turn off with registerCopilotByok(…, { requestEdge: false })";

/**
 * How this source's credential will reach the provider, as `registerCopilotByok` decides it for its default
 * client: the request edge when the SDK found here has a usable `CopilotRequestHandler` and the source has
 * `getCredential()`; the runtime otherwise. Never throws.
 */
async function credentialDeliveryOf(source: ProviderConfigSource, mode: string): Promise<CredentialDelivery> {
  if (typeof source.getCredential !== "function")
    return {
      delivery: "runtime",
      reason: `the ${mode} source has no getCredential(), which the request edge needs: the runtime gets the credential with the session config`,
    };
  let problem: string | undefined;
  try {
    problem = requestHandlerProblem(await loadCopilotSdk());
  } catch (error) {
    if (error instanceof Error && hasCode(error, CONFIGURATION_ERROR_CODE))
      return {
        delivery: "runtime",
        reason: `${COPILOT_SDK_PACKAGE} is not installed here: the runtime gets the credential with the session config; the request edge will be used once ${COPILOT_SDK_PACKAGE}@${COPILOT_SDK_RANGE} is installed, if it supports it (the experimental requestHandler option)`,
      };
    return {
      delivery: "runtime",
      reason: `${COPILOT_SDK_PACKAGE} could not be loaded here (${problemsOf(error).join("; ")}): whether it can carry the request edge is not known`,
    };
  }
  if (problem !== undefined) return { delivery: "runtime", reason: redactText(problem) };
  return {
    delivery: "request-edge",
    reason:
      typeof source.renewCredential === "function"
        ? `the runtime gets a placeholder; this process sets the credential on each request and, on a 401, renews it and replays once; ${TURN_OFF}`
        : `the runtime gets a placeholder; this process sets the credential on each request (the ${mode} source has no renewCredential(): a 401 is explained, not replayed); ${TURN_OFF}`,
  };
}

/** How long a source's dispose() may take once the deadline has passed. */
const DISPOSE_GRACE_MS = 100;

type Diagnostics = Omit<SourceDiagnostics, "credentialKind"> & {
  credentialKind?: SourceDiagnostics["credentialKind"];
};

/**
 * For a source without `diagnose()` (or whose `diagnose()` failed): its description without mode and base
 * URL, and the credential kind its config shows.
 */
function describedDiagnostics(description: SourceDescription, config: ProviderConfig): Diagnostics {
  const { mode: _mode, baseUrl: _baseUrl, ...facts } = description;
  const credentialKind = config.apiKey
    ? "api-key"
    : config.bearerTokenProvider || config.bearerToken !== undefined
      ? "bearer"
      : undefined;
  return { facts, ...(credentialKind ? { credentialKind } : {}) };
}

/** The token's claims, the facts naming its credential and scope, and its expiry in human terms. */
function tokenOf(
  token: TokenFacts,
  facts: Readonly<Record<string, DescriptionValue>>,
  now: number,
): NonNullable<DoctorReport["token"]> {
  const text = (value: DescriptionValue) => (typeof value === "string" ? value : undefined);
  const expires = token.expiresOn !== undefined ? Date.parse(token.expiresOn) : Number.NaN;
  return definedOnly({
    credential: text(facts.credential),
    answeredBy: text(facts["answered by"]),
    scope: text(facts.scope),
    audience: token.audience,
    audienceMatchesScope: token.audienceMatchesScope,
    tenantId: token.tenantId,
    objectId: token.objectId,
    appId: token.appId,
    expiresOn: token.expiresOn,
    expiresIn: Number.isNaN(expires) ? undefined : humanDuration(expires - now),
  });
}

function definedOnly<T extends object>(record: T): { [K in keyof T]: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(record).filter(([, value]) => value !== undefined)) as never;
}

function problemsOf(error: unknown): string[] {
  // By code, not instanceof: a plug-in may bring its own copy of core (another version, the CommonJS build).
  const problems = (error as { problems?: unknown } | null)?.problems;
  if (error instanceof Error && hasCode(error, CONFIGURATION_ERROR_CODE) && Array.isArray(problems))
    return problems.map((p) => redactText(String(p)));
  if (error instanceof CopilotByokError)
    return [`${error.name} (${error.code}): ${redactText(error.message)}`];
  if (error instanceof Error) return [`${error.name}: ${redactText(error.message)}`];
  return [redactText(String(error))];
}

/**
 * The safe rendering of a value set for a choice (`""` when set but empty) when it is not one of `accepted`;
 * undefined when it is not set or accepted.
 */
function notAccepted(value: string | undefined, accepted: readonly string[]): string | undefined {
  if (value === undefined) return undefined;
  if (value.trim() === "") return '""';
  return accepted.includes(value.trim()) ? undefined : showValue(value, accepted);
}

function hasCode(error: Error, code: string): boolean {
  return (error as { code?: unknown }).code === code;
}
