/** An unsigned, JWT-shaped token with the given payload claims (and header), for tests only. */
export function makeJwt(
  claims: Record<string, unknown>,
  header: Record<string, unknown> = { alg: "RS256", typ: "JWT" },
): string {
  const encode = (value: unknown) => Buffer.from(JSON.stringify(value), "utf8").toString("base64url");
  return `${encode(header)}.${encode(claims)}.${Buffer.from("not-a-real-signature").toString("base64url")}`;
}
