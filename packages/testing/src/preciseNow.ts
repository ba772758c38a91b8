let last = 0;

/**
 * Milliseconds since the Unix epoch, fractional and strictly increasing within the process: orders a token's
 * issue against a revocation made in the same millisecond (`Date.now()` cannot).
 */
export function preciseNow(): number {
  const now = performance.timeOrigin + performance.now();
  last = now > last ? now : last + 0.001;
  return last;
}
