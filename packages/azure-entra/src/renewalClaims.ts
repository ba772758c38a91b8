/**
 * The claims challenge a renewal sends (`GetTokenOptions.claims`): the one Continuous Access Evaluation sends back
 * with a 401, asking for a token issued no earlier than `now` (ms since the epoch, sent in seconds). MSAL's
 * confidential client passes its token cache by whenever claims are given, so the answer is a new token.
 */
export function renewalClaims(now: number): string {
  const value = String(Math.floor(now / 1000));
  return JSON.stringify({ access_token: { nbf: { essential: true, value } } });
}
