import { showValue } from "./showValue.js";

// The checks every source applies to its options and every reader of the environment to its variables:
// written once here so that all of them accept and refuse the same values with the same words.

// biome-ignore lint/suspicious/noControlCharactersInRegex: rejecting control characters is the point
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f]/;
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const SCOPE_URI = /^[a-z][a-z0-9+.-]*:\/\/?\S+$/i;

/** Whether `text` holds a control character (a line break included). */
export function hasControlCharacters(text: string): boolean {
  return CONTROL_CHARACTERS.test(text);
}

/** Whether `text` (trimmed) is a GUID, e.g. a client id: not a secret, shown as it is. */
export function isGuid(text: string): boolean {
  return GUID.test(text.trim());
}

/** Whether `scope` (trimmed) has the shape of a scope URI; anything else may be a pasted secret, never shown. */
export function isScopeUri(scope: string): boolean {
  return SCOPE_URI.test(scope.trim());
}

/**
 * One of `accepted`, or `fallback` when `value` is undefined; anything else adds a problem naming `label` and
 * every accepted value (the value shown only when it cannot be a secret, see `showValue`).
 */
export function checkChoice<T extends string>(
  label: string,
  value: unknown,
  accepted: readonly T[],
  fallback: T,
  problems: string[],
): T {
  if (value === undefined) return fallback;
  const text = typeof value === "string" ? value.trim() : "";
  if ((accepted as readonly string[]).includes(text)) return text as T;
  problems.push(
    `${label} has ${showValue(String(value), accepted)}, which is not accepted: use one of ${accepted.join(", ")}`,
  );
  return fallback;
}

/** A name (model, deployment, API version): trimmed; empty, non-string or with control characters is a problem. */
export function checkName(label: string, value: unknown, problems: string[]): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "string" || value.trim() === "") {
    problems.push(`${label} must be a non-empty string`);
    return undefined;
  }
  if (hasControlCharacters(value)) {
    problems.push(`${label} contains control characters: remove them`);
    return undefined;
  }
  return value.trim();
}

/**
 * A scope URI such as `example`: checked like a name, then for the shape of a scope URI (a value of another
 * shape is never echoed: it may be a pasted key). Returns the trimmed value even when it has a problem.
 */
export function checkScope(
  label: string,
  value: unknown,
  example: string,
  problems: string[],
): string | undefined {
  const scope = checkName(label, value, problems);
  if (scope !== undefined && !isScopeUri(scope))
    problems.push(`${label} must be a scope URI such as ${example} (got ${showValue(scope)})`);
  return scope;
}

/** A problem per option name not in `accepted` (a typo such as `apikey`), listing the accepted names. */
export function unknownOptionProblems(options: object, accepted: readonly string[]): string[] {
  return Object.keys(options)
    .filter((name) => !accepted.includes(name))
    .map((name) => `unknown option ${showValue(name, accepted)}: accepted are ${accepted.join(", ")}`);
}
