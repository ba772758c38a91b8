/** A key that must never appear in a log, an error, a description or a rendering. */
export const CANARY_KEY = "canary-static-key-4b7e1d9a2c5f8e30b6a1d4c7";

/** A JWT-shaped canary (a bearer token put where a key belongs). */
export const CANARY_JWT =
  "eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.eyJhdWQiOiJjYW5hcnktc3RhdGljIn0.Y2FuYXJ5LXN0YXRpYy1zaWduYXR1cmU";
