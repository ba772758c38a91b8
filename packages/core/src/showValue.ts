import { editDistance } from "./editDistance.js";
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
