/**
 * The titles of the fault-matrix tests, one per row and column. `docs/fault-matrix.md` names each test by
 * exactly this title (faultMatrix.docs.test.ts holds the two in step).
 */

/** Run twice: App Service protocol (faultMatrix.appService.test.ts) and IMDS (faultMatrix.imds.test.ts). */
export const EMULATOR_TESTS = {
  F01: "F01 500 three times then 200: one getProviderConfig gets a verified token through @azure/identity's retries",
  F02: "F02 429 with Retry-After in seconds: the token arrives after the wait, within timeoutMs",
  F03: "F03 429 with Retry-After as an HTTP date: the token arrives after the wait, within timeoutMs",
  F04: "F04 404 from the token endpoint: retried by @azure/identity, the token arrives",
  F05: "F05 410 from the token endpoint: retried after at least 1.5 s, the token arrives",
  F06: "F06 400: not retried, a TokenAcquisitionError with the endpoint's message in its cause; the next call recovers",
  F07: "F07 401: not retried, a TokenAcquisitionError with the endpoint's message in its cause; the next call recovers",
  F08: "F08 hanging endpoint: a timeout TokenAcquisitionError at timeoutMs, no hang; the next call recovers",
  F09: "F09 malformed JSON: not retried, a TokenAcquisitionError with its cause; the next call recovers",
  F10: "F10 connection reset: retried by @azure/identity, the token arrives",
  F11: "F11 token already expired on arrival: implausible-expiry, handed to the waiting caller once, never cached",
  F12: "F12 expires_on in milliseconds: implausible-expiry, the token's exp claim is used and cached",
  F13: "F13 local clock 10 minutes ahead: a 60-minute token is cached and refreshed 10 minutes early; a 5-minute token looks expired and is not cached",
  F14: "F14 local clock 10 minutes behind: the token is cached and served; its refresh starts 5 minutes after its real expiry",
  F15: "F15 endpoint down during a refresh while the token is valid: the cached token is served at once, the refresh retried in the background",
  F16: "F16 endpoint down past expiry: callers get a TokenAcquisitionError within timeoutMs, for 503s and for a hang",
  F17: "F17 recovery afterwards: the next call gets a new verified token and the failure count resets",
  F18: "F18 endpoint hanging during a refresh while the token is valid: the cached token is served, the background attempt abandoned at timeoutMs",
} as const;

/** faultMatrix.injected.test.ts: any `TokenCredential` (a scripted one) in front of the token cache, on a manual clock. */
export const INJECTED_TESTS = {
  F01: "F01 failing 3 times then answering, in a background refresh: the valid token is served, retries after 1 s, 2 s, 4 s, the 4th answer adopted",
  F01b: "F01 failing 3 times then answering, with no valid token: each caller gets a typed error at once, the 4th call gets the token",
  F02: "F02 a credential waiting out a Retry-After longer than timeoutMs: a timeout error at exactly timeoutMs, the next call starts a new attempt",
  F06: "F06 a 400 from the credential: one call, a TokenAcquisitionError with the error as cause, nothing retried until the next caller",
  F07: "F07 a 401 from the credential: one call, a TokenAcquisitionError with the error as cause, nothing retried until the next caller",
  F08: "F08 hanging credential: callers share one attempt, a timeout error at exactly timeoutMs, the attempt's abort signal fires, the next call starts anew",
  F09: "F09 a parse error from the credential: a TokenAcquisitionError naming it, the SyntaxError as cause",
  F10: "F10 a connection reset from the credential: a TokenAcquisitionError with the ECONNRESET error as cause; the next call recovers",
  F11: "F11 token already expired on arrival: handed once and not cached; in a background refresh it counts as a failure and the valid token stays",
  F12: "F12 expiry in milliseconds counted as seconds: the JWT exp claim is used, else a 1-hour lifetime is assumed",
  F13: "F13 local clock 10 minutes ahead: refresh 10 minutes early; a token shorter-lived than the skew is reported and not cached",
  F14: "F14 local clock 10 minutes behind: the token is served until its local expiry, 10 minutes after its real one",
  F15: "F15 down during a refresh while the token is valid: served from memory, retries back off and stop at the token's expiry",
  F16: "F16 down past expiry: callers get a TokenAcquisitionError at once from a failing credential, at timeoutMs from a hanging one",
  F17: "F17 recovery afterwards: the next call gets the new token, failures reset, no timer left",
  F18: "F18 hanging during a refresh while the token is valid: the cached token is served, the attempt abandoned at timeoutMs and retried",
} as const;
