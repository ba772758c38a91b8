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

/**
 * Shows a value from the environment (quoted) only when it cannot be a pasted key: a near miss of one of
 * the `accepted` values (a case, whitespace or separator difference, an edit distance of at most 2, or the
 * start of an accepted value), or a plain word of at most 24 letters in one case, without digits (e.g.
 * `"gemini"`, `"managed"`). Anything else, e.g. `sk-test-51d0c9a4`, is reported by its length only:
 * `a value of N characters (not shown)`. Callers list the accepted values next to it.
 */
export function showValue(value: string, accepted: readonly string[] = []): string {
  const v = value.trim();
  const shown =
    /^[A-Za-z][A-Za-z0-9._-]{0,23}$/.test(v) && (isPlainWord(v) || accepted.some((a) => isNearMiss(v, a)));
  return shown ? `"${v}"` : `a value of ${value.length} characters (not shown)`;
}

/** Lowercase or uppercase letters, words joined by `-`, `_` or `.`; no digits. */
function isPlainWord(v: string): boolean {
  return /^[a-z]+(?:[._-][a-z]+)*$/.test(v) || /^[A-Z]+(?:[._-][A-Z]+)*$/.test(v);
}

function isNearMiss(value: string, accepted: string): boolean {
  const norm = (s: string) =>
    s
      .trim()
      .toLowerCase()
      .replace(/[\s._]+/g, "-");
  const v = norm(value);
  const a = norm(accepted);
  if (v === a || v.replace(/-/g, "") === a.replace(/-/g, "")) return true;
  if (v.length >= 3 && a.startsWith(v)) return true;
  const allowed = Math.min(2, Math.floor(a.length / 3));
  return Math.abs(v.length - a.length) <= allowed && editDistance(v, a) <= allowed;
}

/** Levenshtein distance (both strings are short: at most 24 characters here). */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current[j] = Math.min(
        (previous[j] as number) + 1,
        (current[j - 1] as number) + 1,
        (previous[j - 1] as number) + cost,
      );
    }
    previous = current;
  }
  return previous[b.length] as number;
}

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

  const type = readChoice(env, COPILOT_PROVIDER_TYPE, PROVIDER_TYPES, DEFAULT_PROVIDER_TYPE, problems);
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

  const wireApi = readChoice(env, COPILOT_PROVIDER_WIRE_API, WIRE_APIS, DEFAULT_WIRE_API, problems);
  if (type === "anthropic" && isSet(env, COPILOT_PROVIDER_WIRE_API)) {
    notes.push(
      `${COPILOT_PROVIDER_WIRE_API} applies to openai and azure providers only; ignored for anthropic`,
    );
  }

  const modelId = readName(env, COPILOT_PROVIDER_MODEL_ID, problems);
  const wireModel = readName(env, COPILOT_PROVIDER_WIRE_MODEL, problems);
  const scope = readName(env, COPILOT_PROVIDER_TOKEN_SCOPE, problems);
  if (scope !== undefined && !/^[a-z][a-z0-9+.-]*:\/\/?\S+$/i.test(scope)) {
    problems.push(
      `${COPILOT_PROVIDER_TOKEN_SCOPE} must be a scope URI such as ${DEFAULT_TOKEN_SCOPE} (got ${showValue(scope)})`,
    );
  }

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

function readChoice<T extends string>(
  env: Env,
  name: string,
  accepted: readonly T[],
  fallback: T,
  problems: string[],
): T {
  const raw = env[name];
  if (raw === undefined || raw.trim() === "") return fallback;
  const value = raw.trim();
  if ((accepted as readonly string[]).includes(value)) return value as T;
  problems.push(
    `${name} has ${showValue(raw, accepted)}, which is not accepted: use one of ${accepted.join(", ")}`,
  );
  return fallback;
}

function readName(env: Env, name: string, problems: string[]): string | undefined {
  const raw = env[name];
  if (raw === undefined || raw.trim() === "") return undefined;
  const value = raw.trim();
  // biome-ignore lint/suspicious/noControlCharactersInRegex: rejecting control characters is the point
  if (/[\u0000-\u001f\u007f]/.test(value)) {
    problems.push(`${name} contains control characters: remove them`);
    return undefined;
  }
  return value;
}
