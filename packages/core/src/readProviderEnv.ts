import {
  API_KEY_VARIABLES,
  BASE_URL_VARIABLES,
  COPILOT_PROVIDER_AUTH,
  COPILOT_PROVIDER_MODEL_ID,
  COPILOT_PROVIDER_TOKEN_SCOPE,
  COPILOT_PROVIDER_TYPE,
  COPILOT_PROVIDER_WIRE_API,
  COPILOT_PROVIDER_WIRE_MODEL,
  DEFAULT_PROVIDER_TYPE,
  DEFAULT_TOKEN_SCOPE,
  DEFAULT_WIRE_API,
  PROVIDER_TYPES,
  type ProviderType,
  WIRE_APIS,
  type WireApi,
} from "./envNames.js";
import { checkChoice, checkName, checkScope } from "./optionChecks.js";
import { type ProviderOptionsParse, parseProviderOptions } from "./parseProviderOptions.js";
import { resolveBaseUrl } from "./resolveBaseUrl.js";
import type { Env } from "./types.js";

/** The provider settings every mode shares, read from the environment contract. */
export interface ProviderEnvSettings {
  /** Resolved provider base URL, when an endpoint variable is set and valid. */
  readonly baseUrl?: string;
  /** The variable the base URL came from. */
  readonly baseUrlVariable?: string;
  readonly type: ProviderType;
  readonly wireApi: WireApi;
  readonly modelId?: string;
  readonly wireModel?: string;
  readonly tokenScope: string;
}

/** The outcome of {@link readProviderEnv}. */
export interface ProviderEnvReading {
  readonly settings: ProviderEnvSettings;
  /** Every problem with the shared variables, each naming the variable and the accepted values. */
  readonly problems: readonly string[];
  /** Facts worth telling (which variable won, which were ignored). */
  readonly notes: readonly string[];
}

/** The variables whose values may be shown in messages (they are names and URLs, not secrets). */
const SHARED_TEXT_VARIABLES = [
  COPILOT_PROVIDER_AUTH,
  COPILOT_PROVIDER_TYPE,
  COPILOT_PROVIDER_WIRE_API,
  COPILOT_PROVIDER_MODEL_ID,
  COPILOT_PROVIDER_WIRE_MODEL,
  COPILOT_PROVIDER_TOKEN_SCOPE,
] as const;

/** Whether a variable is set to something other than whitespace. */
export function isSet(env: Env, name: string): boolean {
  const v = env[name];
  return v !== undefined && v.trim() !== "";
}

/** The problem reported when no endpoint variable is set. */
export const NO_ENDPOINT_PROBLEM = `no provider endpoint: set ${BASE_URL_VARIABLES.join(", ")} (in that precedence)`;

/**
 * Reads and validates the variables every mode shares: base URL (with precedence), provider type,
 * wire API, model fields and token scope. Pure. Does not require an endpoint (a plug-in may not need one):
 * modules that do report {@link NO_ENDPOINT_PROBLEM} when `settings.baseUrl` is missing.
 */
export function readProviderEnv(env: Env): ProviderEnvReading {
  const problems: string[] = [];
  const notes: string[] = [];

  for (const name of [...SHARED_TEXT_VARIABLES, ...BASE_URL_VARIABLES, ...API_KEY_VARIABLES]) {
    const v = env[name];
    if (v !== undefined && v.trim() === "")
      problems.push(`${name} is set but empty: unset it or give it a value`);
  }

  const value = (name: string) => (isSet(env, name) ? env[name] : undefined);
  const type = checkChoice(
    COPILOT_PROVIDER_TYPE,
    value(COPILOT_PROVIDER_TYPE),
    PROVIDER_TYPES,
    DEFAULT_PROVIDER_TYPE,
    problems,
  );
  let baseUrl: string | undefined;
  let baseUrlVariable: string | undefined;
  const setUrlVars = BASE_URL_VARIABLES.filter((name) => isSet(env, name));
  for (const name of setUrlVars) {
    const resolution = resolveBaseUrl(name, env[name] as string, { type });
    problems.push(...resolution.problems);
    if (baseUrlVariable === undefined) {
      baseUrlVariable = name;
      baseUrl = resolution.baseUrl;
    }
  }
  if (baseUrlVariable && setUrlVars.length > 1) {
    const ignored = setUrlVars.filter((n) => n !== baseUrlVariable);
    notes.push(
      `base URL from ${baseUrlVariable}; ${ignored.join(" and ")} also set and ignored (lower precedence)`,
    );
  } else if (baseUrlVariable) {
    notes.push(`base URL from ${baseUrlVariable}`);
  }

  const wireApi = checkChoice(
    COPILOT_PROVIDER_WIRE_API,
    value(COPILOT_PROVIDER_WIRE_API),
    WIRE_APIS,
    DEFAULT_WIRE_API,
    problems,
  );
  if (type === "anthropic" && isSet(env, COPILOT_PROVIDER_WIRE_API)) {
    notes.push(
      `${COPILOT_PROVIDER_WIRE_API} applies to openai and azure providers only; ignored for anthropic`,
    );
  }

  const modelId = checkName(COPILOT_PROVIDER_MODEL_ID, value(COPILOT_PROVIDER_MODEL_ID), problems);
  const wireModel = checkName(COPILOT_PROVIDER_WIRE_MODEL, value(COPILOT_PROVIDER_WIRE_MODEL), problems);
  const scope = checkScope(
    COPILOT_PROVIDER_TOKEN_SCOPE,
    value(COPILOT_PROVIDER_TOKEN_SCOPE),
    DEFAULT_TOKEN_SCOPE,
    problems,
  );
  return {
    settings: {
      ...(baseUrl !== undefined ? { baseUrl } : {}),
      ...(baseUrlVariable !== undefined ? { baseUrlVariable } : {}),
      type,
      wireApi,
      ...(modelId !== undefined ? { modelId } : {}),
      ...(wireModel !== undefined ? { wireModel } : {}),
      tokenScope: scope ?? DEFAULT_TOKEN_SCOPE,
    },
    problems,
    notes,
  };
}

/**
 * The provider settings of the environment contract, ready for {@link toProviderConfig}: every problem of
 * {@link readProviderEnv}, plus {@link NO_ENDPOINT_PROBLEM} when no endpoint variable is set.
 */
export function providerSettingsFromEnv(env: Env): ProviderOptionsParse {
  const { settings, problems } = readProviderEnv(env);
  const all = [...problems];
  if (settings.baseUrlVariable === undefined) all.push(NO_ENDPOINT_PROBLEM);
  if (all.length > 0 || settings.baseUrl === undefined) return { problems: all };
  const { baseUrl, type, wireApi, modelId, wireModel } = settings;
  // The resolved URL and the checked values parse as options do: one shape of settings for every source.
  return parseProviderOptions({
    baseUrl,
    type,
    wireApi,
    ...(modelId !== undefined ? { modelId } : {}),
    ...(wireModel !== undefined ? { wireModel } : {}),
  });
}
