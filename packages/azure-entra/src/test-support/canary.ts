/** A token string that must never appear in errors, events, logs or descriptions. Not JWT-shaped on purpose: redaction of JWTs would hide a leak. */
export const CANARY_TOKEN = "canary-token-4c1d9e7f2a8b6035e1";
