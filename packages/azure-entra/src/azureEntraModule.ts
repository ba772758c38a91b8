import type { TokenCredential } from "@azure/core-auth";
import {
  API_KEY_VARIABLES,
  COPILOT_PROVIDER_TOKEN_SCOPE,
  ConfigurationError,
  type Detection,
  type Env,
  isGuid,
  isScopeUri,
  isSet,
  MANAGED_IDENTITY_SIGNAL_VARIABLES,
  type ModuleContext,
  NO_ENDPOINT_PROBLEM,
  type ProviderConfigSourceModule,
  providerSettingsFromEnv,
  readProviderEnv,
  showScope,
  showValue,
} from "@copilot-byok/core/plugin";
import { authorityHostWarning } from "./authorityHostWarning.js";
import {
  AZURE_TOKEN_CREDENTIALS,
  AZURE_TOKEN_CREDENTIALS_VALUES,
  checkAzureTokenCredentials,
} from "./checkAzureTokenCredentials.js";
import { AZURE_PUBLIC_CLOUD, type AzureCloud } from "./clouds.js";
import { defaultCredentialEnvProblem } from "./defaultCredentialEnvProblem.js";
import {
  AZURE_ENTRA_MODE,
  EntraIdProviderConfigSource,
  type EntraIdProviderConfigSourceOptions,
} from "./EntraIdProviderConfigSource.js";
import { scopeAudienceProblem } from "./expectedAudienceFor.js";
import { scopeForEndpoint } from "./scopeForEndpoint.js";

/**
 * Module-level defaults of {@link createAzureEntraModule}: they apply to every source the module creates (see
 * {@link EntraIdProviderConfigSourceOptions}; `logger` defaults to the one given to `registerCopilotByok`).
 * The endpoint, type, model and scope come from the environment.
 */
export type AzureEntraModuleOptions = Pick<
  EntraIdProviderConfigSourceOptions,
  | "credential"
  | "credentialName"
  | "defaultCredentialOptions"
  | "refreshWindowMs"
  | "timeoutMs"
  | "retry"
  | "logger"
  | "onEvent"
  | "clock"
  | "expectedAudience"
>;

const DEVELOPER_CREDENTIALS_SENTENCE =
  "DefaultAzureCredential will try developer credentials (Azure CLI, azd, VS Code)";

/**
 * The `azure-entra` plug-in, with module-level defaults. `detect` reads the env record: always applicable,
 * `signals` when managed or workload identity variables are set, else `fallback`; its reasons name each signal and
 * what it means. `create` builds an {@link EntraIdProviderConfigSource} from the environment, with `options.credential`,
 * else a `DefaultAzureCredential` created on first use. That credential reads `process.env`: an `env` given to
 * `registerCopilotByok` that sets its variables (`IDENTITY_ENDPOINT`, `AZURE_CLIENT_ID`, …) where `process.env`
 * does not, or differently, is a problem of the selection (a `ConfigurationError` naming them).
 */
export function createAzureEntraModule(
  options: AzureEntraModuleOptions = {},
): ProviderConfigSourceModule<typeof AZURE_ENTRA_MODE> {
  const givenCredential = options.credential;
  return Object.freeze({
    mode: AZURE_ENTRA_MODE,
    origin: "azureEntraModule from @copilot-byok/azure-entra",
    detect: (env: Env) => detectAzureEntra(env, givenCredential, options.expectedAudience),
    create(context: ModuleContext): EntraIdProviderConfigSource {
      const { settings, problems } = providerSettingsFromEnv(context.env);
      const all = [...problems];
      if (givenCredential === undefined) {
        const { problem } = checkAzureTokenCredentials(context.env[AZURE_TOKEN_CREDENTIALS]);
        if (problem) all.push(problem);
      }
      if (all.length > 0 || !settings) throw new ConfigurationError(all);

      const logger = options.logger ?? context.logger;
      // The scope only when set: unset, the source derives it from the endpoint's cloud.
      const source = new EntraIdProviderConfigSource({
        ...options,
        ...settings,
        ...(isSet(context.env, COPILOT_PROVIDER_TOKEN_SCOPE)
          ? { scope: readProviderEnv(context.env).settings.tokenScope }
          : {}),
        env: context.env,
        ...(logger ? { logger } : {}),
      });
      logger?.debug("copilot-byok: azure-entra source created", source.describe());
      return source;
    },
  });
}

/** The `azure-entra` plug-in with default settings: pass it to `registerCopilotByok` in `modules`. */
export const azureEntraModule: ProviderConfigSourceModule<typeof AZURE_ENTRA_MODE> = createAzureEntraModule();

/**
 * What the environment says about Entra ID authentication. Reads `env`; `process.env` only to compare the default
 * credential's variables with it.
 */
function detectAzureEntra(
  env: Env,
  givenCredential: TokenCredential | undefined,
  expectedAudience: string | readonly string[] | null | undefined,
): Detection {
  const reasons: string[] = [];
  const problems: string[] = [];
  const signals = MANAGED_IDENTITY_SIGNAL_VARIABLES.filter((name) => isSet(env, name));
  const { settings } = readProviderEnv(env);
  if (settings.baseUrl === undefined && settings.baseUrlVariable === undefined)
    problems.push(NO_ENDPOINT_PROBLEM);
  const endpoint = settings.baseUrl !== undefined ? scopeForEndpoint(settings.baseUrl) : undefined;
  const scopeSet = isSet(env, COPILOT_PROVIDER_TOKEN_SCOPE);
  const tokenScope = scopeSet || !endpoint ? settings.tokenScope : endpoint.scope;
  if (settings.baseUrl !== undefined && endpoint && expectedAudience !== null) {
    const expected = expectedAudience ?? endpoint.audiences;
    const host = new URL(settings.baseUrl).host;
    const problem = scopeAudienceProblem(tokenScope, expected, host, endpoint.scope);
    if (problem) problems.push(problem);
  }

  if (givenCredential !== undefined) {
    reasons.push("credential given to createAzureEntraModule");
  }
  for (const name of signals) reasons.push(describeSignal(name, env));

  const restriction = checkAzureTokenCredentials(env[AZURE_TOKEN_CREDENTIALS]);
  if (restriction.value) {
    reasons.push(
      `${AZURE_TOKEN_CREDENTIALS}=${restriction.value} restricts DefaultAzureCredential's chain to ${AZURE_TOKEN_CREDENTIALS_VALUES[restriction.value]}`,
    );
  }
  if (restriction.problem && givenCredential === undefined) problems.push(restriction.problem);
  // Reasons that DefaultAzureCredential cannot bear out are refused, not shown.
  const unseen = givenCredential === undefined ? defaultCredentialEnvProblem(env) : undefined;
  if (unseen) problems.push(unseen);

  const identitySignals = signals.filter((name) => name !== "AZURE_CLIENT_ID");
  const developerFallback =
    identitySignals.length === 0 && givenCredential === undefined && !restriction.value;
  if (developerFallback) {
    reasons.push(
      `no managed identity signal (${MANAGED_IDENTITY_SIGNAL_VARIABLES.filter((n) => n !== "AZURE_CLIENT_ID").join(", ")}): ${DEVELOPER_CREDENTIALS_SENTENCE}, after probing the Azure VM metadata endpoint (IMDS)`,
    );
  }

  // An invalid scope is a problem of readProviderEnv's, and may be a pasted key: shown by its length only.
  const scopeShown = isScopeUri(tokenScope)
    ? showScope(tokenScope)
    : `${showValue(tokenScope)}, not a scope URI`;
  reasons.push(
    scopeSet
      ? `token scope ${scopeShown} (from ${COPILOT_PROVIDER_TOKEN_SCOPE})`
      : !endpoint
        ? `token scope ${scopeShown} (default; set ${COPILOT_PROVIDER_TOKEN_SCOPE} to change it)`
        : endpoint.guessed
          ? `token scope ${scopeShown} (${endpoint.origin})`
          : `token scope ${scopeShown} (${endpoint.origin}; set ${COPILOT_PROVIDER_TOKEN_SCOPE} to change it)`,
  );

  // Signing in at the endpoint's cloud: only the default credential's chain is known from the environment.
  const cloud = endpoint?.cloud;
  if (cloud && givenCredential === undefined) {
    const warning = authorityHostWarning(cloud, env);
    if (warning) reasons.push(`warning: ${warning}`);
    const developer =
      developerFallback || restriction.value === "dev" || restriction.value === "AzureCliCredential";
    if (developer && cloud !== AZURE_PUBLIC_CLOUD) reasons.push(azureCliCloudReason(cloud));
  }
  const key = API_KEY_VARIABLES.find((name) => isSet(env, name));
  if (key) reasons.push(`${key} is set but not used in ${AZURE_ENTRA_MODE} mode`);

  return {
    applicable: true,
    strength: signals.length > 0 ? "signals" : "fallback",
    reasons,
    ...(signals.length > 0 ? { summary: `managed identity signals (${signals.join(", ")})` } : {}),
    problems,
  };
}

/** The Azure CLI keeps a cloud of its own (it does not read AZURE_AUTHORITY_HOST): how to point it at `cloud`. */
function azureCliCloudReason(cloud: AzureCloud): string {
  return `the endpoint is in ${cloud.label}: a developer sign-in must be to that cloud, e.g. \`az cloud set --name ${cloud.name}\` then \`az login\` (the Azure CLI keeps its own cloud setting and does not read AZURE_AUTHORITY_HOST)`;
}

function describeSignal(name: (typeof MANAGED_IDENTITY_SIGNAL_VARIABLES)[number], env: Env): string {
  const missing = (...names: string[]) => {
    const absent = names.filter((n) => !isSet(env, n));
    return absent.length > 0 ? `; it also needs ${absent.join(" and ")}, not set` : "";
  };
  switch (name) {
    case "IDENTITY_ENDPOINT":
      return `IDENTITY_ENDPOINT is set: App Service / Functions (or Container Apps) managed identity, through ManagedIdentityCredential${missing("IDENTITY_HEADER")}`;
    case "MSI_ENDPOINT":
      return "MSI_ENDPOINT is set: managed identity of an older App Service or of Cloud Shell, through ManagedIdentityCredential";
    case "AZURE_FEDERATED_TOKEN_FILE":
      return `AZURE_FEDERATED_TOKEN_FILE is set: AKS workload identity, through WorkloadIdentityCredential${missing("AZURE_CLIENT_ID", "AZURE_TENANT_ID")}`;
    case "AZURE_CLIENT_SECRET":
      return `AZURE_CLIENT_SECRET is set (value not shown): a service principal, through EnvironmentCredential${missing("AZURE_CLIENT_ID", "AZURE_TENANT_ID")}`;
    case "AZURE_CLIENT_CERTIFICATE_PATH":
      return `AZURE_CLIENT_CERTIFICATE_PATH is set: a service principal with a certificate, through EnvironmentCredential${missing("AZURE_CLIENT_ID", "AZURE_TENANT_ID")}`;
    case "AZURE_CLIENT_ID": {
      const raw = (env.AZURE_CLIENT_ID ?? "").trim();
      const shown = isGuid(raw) ? raw : showValue(raw);
      return `AZURE_CLIENT_ID=${shown}: the user-assigned managed identity to use (or the app of the service principal / workload identity)`;
    }
    case "AZURE_POD_IDENTITY_AUTHORITY_HOST":
      return "AZURE_POD_IDENTITY_AUTHORITY_HOST is set: managed identity through an IMDS endpoint override (AKS pod identity), through ManagedIdentityCredential";
  }
}
