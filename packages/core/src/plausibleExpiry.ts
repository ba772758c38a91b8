// Credentials report expiries in the wrong unit more often than one would think: seconds where milliseconds
// belong (an expiry in 1970, already past), or milliseconds counted as seconds (an expiry in the year 50000).
// Caching on such an expiry means refreshing on every call, or never. Rules of the judgement:
// - an expiry in the future and at most 10 years ahead is plausible and used as it is;
// - otherwise the value's own expiry (e.g. a JWT's `exp`) is used when there is a plausible one;
// - otherwise an expiry more than 10 years ahead becomes an assumed lifetime of 1 hour, and one already past
//   (or not a number) makes the value not cacheable: it is handed to the callers waiting for it, once.

/** An expiry further ahead than this is taken for milliseconds counted as seconds. */
export const MAX_PLAUSIBLE_LIFETIME_MS = 10 * 365 * 24 * 60 * 60_000;
/** Lifetime assumed for a value whose expiry is implausibly far ahead and that has no readable one of its own. */
export const FALLBACK_LIFETIME_MS = 60 * 60_000;

/** What to make of a reported expiry. */
export interface ExpiryJudgement {
  /** The expiry to use; `undefined`: not cacheable. */
  readonly expiresOn: number | undefined;
  /** Set when the reported expiry was implausible: why (a hint at the cause) and what was used instead. */
  readonly implausible?: {
    readonly hint: string;
    readonly use: "value's own expiry" | "assumed lifetime" | "none";
  };
}

/**
 * Judges `reported` at `now`. `fromValue` (called only for an implausible expiry; a throw counts as none) is
 * the value's own expiry in ms, e.g. a JWT's `exp` × 1000.
 */
export function plausibleExpiry(
  reported: unknown,
  now: number,
  fromValue: () => number | undefined = () => undefined,
): ExpiryJudgement {
  if (isPlausible(reported, now)) return { expiresOn: reported };
  const tooFar = typeof reported === "number" && reported > now + MAX_PLAUSIBLE_LIFETIME_MS;
  const hint = tooFar
    ? "more than 10 years ahead: milliseconds counted as seconds?"
    : typeof reported === "number" && Number.isFinite(reported)
      ? looksLikeSeconds(reported, now)
        ? "already past: seconds where milliseconds belong?"
        : "already past: is the clock of this machine right?"
      : "not a number";
  let own: number | undefined;
  try {
    own = fromValue();
  } catch {
    own = undefined;
  }
  if (isPlausible(own, now)) return { expiresOn: own, implausible: { hint, use: "value's own expiry" } };
  if (tooFar)
    return { expiresOn: now + FALLBACK_LIFETIME_MS, implausible: { hint, use: "assumed lifetime" } };
  return { expiresOn: undefined, implausible: { hint, use: "none" } };
}

/** A time for messages: ISO 8601, or the number as it is when it is no date. */
export function isoTime(ms: number): string {
  const d = new Date(ms);
  return Number.isNaN(d.getTime()) ? String(ms) : d.toISOString();
}

/** A reported expiry for messages: `1700000000 (2023-11-14T22:13:20.000Z)`, or the value as it is. */
export function describeExpiry(value: unknown): string {
  if (typeof value !== "number" || !Number.isFinite(value)) return String(value);
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? String(value) : `${value} (${d.toISOString()})`;
}

function isPlausible(t: unknown, now: number): t is number {
  return typeof t === "number" && Number.isFinite(t) && t > now && t <= now + MAX_PLAUSIBLE_LIFETIME_MS;
}

/** Whether a past timestamp would be a sensible time if it counted seconds (a day back to 10 years ahead). */
function looksLikeSeconds(value: number, now: number): boolean {
  const asMs = value * 1000;
  return asMs > now - 24 * 60 * 60_000 && asMs <= now + MAX_PLAUSIBLE_LIFETIME_MS;
}
