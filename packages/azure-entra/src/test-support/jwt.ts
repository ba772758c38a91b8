/** An unsigned, JWT-shaped token with the given payload claims (for diagnostics tests only). */
export function makeJwt(
  claims: Record<string, unknown>,
  header: Record<string, unknown> = { alg: "RS256", typ: "JWT" },
): string {
  const encode = (value: unknown) => Buffer.from(JSON.stringify(value), "utf8").toString("base64url");
  return `${encode(header)}.${encode(claims)}.${Buffer.from("not-a-real-signature").toString("base64url")}`;
}

/** A token string that must never appear in errors, events, logs or descriptions. Not JWT-shaped on purpose: redaction of JWTs would hide a leak. */
export const CANARY_TOKEN = "canary-token-4c1d9e7f2a8b6035e1";
