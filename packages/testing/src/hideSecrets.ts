import { inspect } from "node:util";

/** What `util.inspect` and `JSON.stringify` show instead of a secret. */
export const HIDDEN = "[REDACTED]";

/**
 * Makes `util.inspect(target)` and `JSON.stringify(target)` show `view()` instead of the object: a copy that
 * holds no secret. The hooks are non-enumerable, so spreading `target` (e.g. into a child's `env`) copies only
 * its own data.
 */
export function hideSecrets<T extends object>(target: T, view: () => unknown): T {
  Object.defineProperty(target, inspect.custom, {
    value: (depth: number, options: object) => inspect(view(), { ...options, depth }),
    enumerable: false,
  });
  Object.defineProperty(target, "toJSON", { value: view, enumerable: false });
  return target;
}

/** `record` with the values of `names` replaced by `HIDDEN`. */
export function maskValues(
  record: Readonly<Record<string, string>>,
  names: readonly string[],
): Record<string, string> {
  return Object.fromEntries(Object.entries(record).map(([k, v]) => [k, names.includes(k) ? HIDDEN : v]));
}
