import { editDistance } from "@copilot-byok/core/plugin";

/**
 * The one of `names` that `typed` most likely misspells, for a "did you mean" hint: the same but for case, an
 * edit distance of at most 2 (at most 1 for names of up to 5 characters), or the start of exactly one name (3
 * characters at least). Undefined when nothing is that close, or when two names are equally close.
 */
export function closestName(typed: string, names: readonly string[]): string | undefined {
  const value = typed.trim().toLowerCase();
  if (value === "") return undefined;
  const exact = names.filter((name) => name.toLowerCase() === value);
  if (exact.length === 1) return exact[0];
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  let tie = false;
  for (const name of names) {
    const allowed = name.length <= 5 ? 1 : 2;
    const distance = editDistance(value, name.toLowerCase());
    if (distance > allowed || distance > bestDistance) continue;
    tie = distance === bestDistance;
    if (distance < bestDistance) {
      best = name;
      bestDistance = distance;
    }
  }
  if (best !== undefined && !tie) return best;
  if (best !== undefined) return undefined;
  const prefixed = names.filter((name) => value.length >= 3 && name.toLowerCase().startsWith(value));
  return prefixed.length === 1 ? prefixed[0] : undefined;
}
