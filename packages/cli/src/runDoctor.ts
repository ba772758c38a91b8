import { audienceMatchesScope, azureEntraModule, readJwtClaims } from "@copilot-byok/azure-entra";
import {
  COPILOT_PROVIDER_MODEL_ID,
  COPILOT_PROVIDER_TOKEN_SCOPE,
  ConfigurationError,
  CopilotByokError,
  DEFAULT_TOKEN_SCOPE,
  type Env,
  type Logger,
  type ProviderConfigSource,
  type ProviderConfigSourceModule,
  readProviderEnv,
  redactText,
  redactUrl,
  type SourceDescription,
  selectProviderConfigSource,
  silentLogger,
} from "@copilot-byok/core";
import { staticKeyModule } from "@copilot-byok/static-key";
import { humanDuration } from "./humanDuration.js";
import { type ProbeResult, probeProvider } from "./probeProvider.js";
import { watchAnsweringCredential } from "./watchAnsweringCredential.js";

/** What `copilot-byok doctor` found. Holds no secret: fingerprints and token claims only. */
export interface DoctorReport {
  healthy: boolean;
  mode?: string;
  reasons: string[];
  problems: string[];
  warnings: string[];
  provider?: { baseUrl?: string; type: string; wireApi: string; model?: string; wireModel?: string };
  source?: SourceDescription;
  token?: {
    credential?: string;
    /** The credential of `DefaultAzureCredential`'s chain that answered, e.g. `ManagedIdentityCredential`. */
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
  probe?: ProbeResult;
}

export interface DoctorOptions {
  env: Env;
  probe?: boolean;
  timeoutMs?: number;
  modules?: readonly ProviderConfigSourceModule[];
  logger?: Logger;
  now?: () => number;
}

export const DEFAULT_MODULES: readonly ProviderConfigSourceModule[] = [staticKeyModule, azureEntraModule];

/** Reads the environment as the library does, gets a credential, optionally probes the model endpoint. */
export async function runDoctor(options: DoctorOptions): Promise<DoctorReport> {
  const { env, timeoutMs = 30_000, now = Date.now } = options;
  const report: DoctorReport = { healthy: false, reasons: [], problems: [], warnings: [] };
  const settings = readProviderEnv(env).settings;
  report.provider = {
    // Shown through redactUrl: a base URL's query may hold a key (`?subscription-key=`, a SAS `sig`).
    ...(settings.baseUrl ? { baseUrl: redactUrl(settings.baseUrl) } : {}),
    type: settings.type,
    wireApi: settings.wireApi,
    ...(settings.modelId ? { model: settings.modelId } : {}),
    ...(settings.wireModel ? { wireModel: settings.wireModel } : {}),
  };

  let selection: ReturnType<typeof selectProviderConfigSource>;
  try {
    selection = selectProviderConfigSource(env, options.modules ?? DEFAULT_MODULES);
  } catch (error) {
    report.problems.push(...problemsOf(error));
    return report;
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
    return report;
  }
  let answeredBy: string | undefined;
  try {
    const signal = AbortSignal.timeout(timeoutMs);
    const watch = selection.mode === "azure-entra" ? await watchAnsweringCredential() : undefined;
    const config = await source
      .getProviderConfig({ signal })
      .catch((error: unknown) => {
        report.problems.push(...problemsOf(error));
        return undefined;
      })
      .finally(() => {
        answeredBy = watch?.stop();
      });
    report.source = source.describe();
    if (!config) return report;

    const token = config.bearerToken;
    if (!config.apiKey && (token !== undefined || config.bearerTokenProvider)) {
      const scope = typeof report.source.scope === "string" ? report.source.scope : settings.tokenScope;
      const claims = token ? readJwtClaims(token) : undefined;
      const credential = report.source.credential;
      report.token = {
        ...(typeof credential === "string" ? { credential } : {}),
        ...(answeredBy ? { answeredBy } : {}),
        scope,
      };
      if (claims) {
        const exp = typeof claims.exp === "number" ? claims.exp * 1000 : undefined;
        const aud = typeof claims.aud === "string" ? claims.aud : undefined;
        Object.assign(report.token, {
          ...(aud ? { audience: aud, audienceMatchesScope: audienceMatchesScope(aud, scope) } : {}),
          ...(typeof claims.tid === "string" ? { tenantId: claims.tid } : {}),
          ...(typeof claims.oid === "string" ? { objectId: claims.oid } : {}),
          ...(typeof claims.appid === "string" ? { appId: claims.appid } : {}),
          ...(exp ? { expiresOn: new Date(exp).toISOString(), expiresIn: humanDuration(exp - now()) } : {}),
        });
        if (aud && !audienceMatchesScope(aud, scope)) {
          report.problems.push(
            `the token's audience ${aud} does not match the scope ${scope}: the provider will answer 401; set COPILOT_PROVIDER_TOKEN_SCOPE to the resource's scope (https://cognitiveservices.azure.com/.default for Azure AI Foundry / Azure OpenAI)`,
          );
        }
        if (exp && exp <= now())
          report.problems.push("the token has already expired: check the machine's clock");
        if (scope !== DEFAULT_TOKEN_SCOPE) {
          report.warnings.push(
            `${COPILOT_PROVIDER_TOKEN_SCOPE} is ${scope}: Azure AI Foundry and Azure OpenAI accept only tokens for ${DEFAULT_TOKEN_SCOPE} (aud https://cognitiveservices.azure.com); keep it only for a gateway that expects this audience`,
          );
        }
      } else if (token) {
        report.warnings.push("the bearer token is not a JWT: its claims cannot be shown");
      }
    }

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
        const probe = await probeProvider(config, {
          model,
          timeoutMs,
          ...(report.token?.objectId ? { objectId: report.token.objectId } : {}),
          ...(report.token?.audience ? { audience: report.token.audience } : {}),
          credentialKind: report.token ? "token" : "key",
        });
        report.probe = { ...probe, url: redactUrl(probe.url) };
        if (!report.probe.ok) {
          report.problems.push(
            `probe ${report.probe.status ? `HTTP ${report.probe.status}` : "failed"}: ${report.probe.advice ?? report.probe.message ?? "unknown"}`,
          );
        }
      }
    }
  } finally {
    await source.dispose?.();
  }
  report.healthy = report.problems.length === 0;
  return report;
}

function problemsOf(error: unknown): string[] {
  if (error instanceof ConfigurationError) return [...error.problems];
  if (error instanceof CopilotByokError)
    return [`${error.name} (${error.code}): ${redactText(error.message)}`];
  if (error instanceof Error) return [`${error.name}: ${redactText(error.message)}`];
  return [redactText(String(error))];
}
