// When a cached value is served and when it is refreshed, from its expiry.

/** Default of how long before expiry a background refresh starts. */
export const DEFAULT_REFRESH_WINDOW_MS = 300_000;
/** A value is served only while it has at least this much time left, for the request to reach the provider. */
export const EXPIRY_MARGIN_MS = 5_000;

/**
 * When to start a background refresh: the earlier of `refreshAfter` (when the source of the value says) and
 * `windowMs` before expiry. A value that arrives already past both (short-lived, or a source handing back
 * its own cached value) is refreshed at half its remaining life, not on every call.
 */
export function refreshTimeOf(
  expiresOn: number,
  refreshAfter: number | undefined,
  windowMs: number,
  now: number,
): number {
  let refreshAt = expiresOn - windowMs;
  if (typeof refreshAfter === "number" && Number.isFinite(refreshAfter) && refreshAfter < refreshAt)
    refreshAt = refreshAfter;
  if (refreshAt <= now) refreshAt = now + (expiresOn - EXPIRY_MARGIN_MS - now) / 2;
  return refreshAt;
}
