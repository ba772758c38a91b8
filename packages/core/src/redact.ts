/** Placeholder that replaces a secret. */
export const REDACTED = "[REDACTED]";

const JWT_PATTERN = /\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*/g;
// A credential after "Bearer"/"Basic": 6+ credential characters with a digit, an inner symbol or an inner
// capital, or 20+ of any; plain prose ("a bearer token.", "Basic authentication") is left alone.
const C = "[A-Za-z0-9._~+/=-]";
const CREDENTIAL = `(?:(?=${C}*[0-9]|${C}*[._~+/=-]${C}|${C}+[A-Z])${C}{6,}|${C}{20,})`;
const BEARER_PATTERN = new RegExp(String.raw`\b([Bb]earer|BEARER|[Bb]asic|BASIC)\s+${CREDENTIAL}`, "g");
const MAX_DEPTH = 8;

/**
 * Whether a property name holds a secret: keys, tokens, secrets, passwords, `Authorization` and
 * identity headers, signatures, cookies, connection strings. `apiKeyFile`, `tokenScope` or
 * `maxPromptTokens` are not secrets and are kept.
 */
export function isSecretKey(name: string): boolean {
  const n = name.toLowerCase().replace(/[-_\s]/g, "");
  if (n === "key" || n.endsWith("key")) return !n.endsWith("publickey");
  if (n.endsWith("token") || n.endsWith("secret") || n.endsWith("password") || n.endsWith("passwd"))
    return true;
  return (
    n.includes("authorization") ||
    n.includes("cookie") ||
    n.includes("signature") ||
    n.includes("connectionstring") ||
    n === "identityheader" ||
    n === "xidentityheader" ||
    n === "sas" ||
    n === "sig" ||
    n === "bearertokenprovider"
  );
}

/** Replaces JWTs and `Bearer …` / `Basic …` credentials inside free text. */
export function redactText(text: string): string {
  return text.replace(JWT_PATTERN, `${REDACTED}:jwt`).replace(BEARER_PATTERN, `$1 ${REDACTED}`);
}

/**
 * A copy of `value` fit for logs: values under secret-bearing names (see `isSecretKey`) are
 * replaced by `[REDACTED]`, JWTs and `Bearer` credentials in any string are masked, functions become
 * `[Function name]`, `Headers`/`Map` become plain objects, errors keep name, message, code and cause.
 * Handles cycles and deep nesting.
 */
export function redact(value: unknown): unknown {
  return redactValue(value, new WeakSet(), 0);
}

/** `redact` then `JSON.stringify`: one line for a log. */
export function formatForLog(value: unknown): string {
  return JSON.stringify(redact(value)) ?? String(value);
}

function redactValue(value: unknown, seen: WeakSet<object>, depth: number): unknown {
  if (typeof value === "string") return redactText(value);
  if (typeof value === "function") return `[Function ${value.name || "anonymous"}]`;
  if (typeof value === "bigint") return value.toString();
  if (typeof value === "symbol") return value.toString();
  if (value === null || typeof value !== "object") return value;
  if (seen.has(value)) return "[Circular]";
  if (depth >= MAX_DEPTH) return "[Object]";
  seen.add(value);
  try {
    if (value instanceof Date) return value.toISOString();
    if (value instanceof URL) return redactUrl(value);
    if (value instanceof Error) return redactError(value, seen, depth);
    if (Array.isArray(value)) return value.map((item) => redactValue(item, seen, depth + 1));
    if (value instanceof Map) return redactEntries([...value.entries()], seen, depth);
    if (isHeadersLike(value)) return redactEntries([...value.entries()], seen, depth);
    return redactEntries(Object.entries(value), seen, depth);
  } finally {
    seen.delete(value);
  }
}

function redactEntries(entries: [unknown, unknown][], seen: WeakSet<object>, depth: number) {
  const out: Record<string, unknown> = {};
  for (const [k, v] of entries) {
    const key = String(k);
    out[key] =
      isSecretKey(key) && v !== undefined && v !== null && v !== ""
        ? REDACTED
        : redactValue(v, seen, depth + 1);
  }
  return out;
}

function redactError(error: Error, seen: WeakSet<object>, depth: number) {
  const out: Record<string, unknown> = { name: error.name, message: redactText(error.message) };
  const extra = redactEntries(Object.entries(error), seen, depth);
  Object.assign(out, extra);
  if (error.cause !== undefined) out.cause = redactValue(error.cause, seen, depth + 1);
  return out;
}

/** A query parameter name shown by {@link redactUrl}: a plain name, not something that could be a key. */
const QUERY_NAME = /^[A-Za-z][A-Za-z0-9_.-]{0,39}$/;

/**
 * A URL fit for messages and logs: scheme, host and path are kept; user info is dropped; every query value
 * and the fragment become `[REDACTED]` (`?api-version=[REDACTED]&subscription-key=[REDACTED]#[REDACTED]`),
 * since an API Management subscription key, a SAS signature, an Azure Functions `code` or an OAuth
 * fragment may hide under any name. A parameter without a value, or whose name is not a plain name, is
 * masked whole. A string with nothing to hide comes back unchanged. Not a URL: `[REDACTED]`.
 */
export function redactUrl(url: URL | string): string {
  let parsed: URL;
  try {
    parsed = typeof url === "string" ? new URL(url) : new URL(url.href);
  } catch {
    return REDACTED;
  }
  const query = parsed.search.slice(1);
  const hasFragment = parsed.hash.length > 1;
  // Nothing to hide: a string comes back as given (no normalization, e.g. no trailing slash added).
  if (typeof url === "string" && !parsed.username && !parsed.password && !query && !hasFragment) return url;
  parsed.username = "";
  parsed.password = "";
  parsed.search = "";
  parsed.hash = "";
  const params = query
    .split("&")
    .filter((part) => part !== "")
    .map((part) => {
      const eq = part.indexOf("=");
      const name = eq < 0 ? "" : safeDecode(part.slice(0, eq));
      return QUERY_NAME.test(name) ? `${name}=${REDACTED}` : REDACTED;
    });
  return `${parsed.href}${params.length > 0 ? `?${params.join("&")}` : ""}${hasFragment ? `#${REDACTED}` : ""}`;
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, " "));
  } catch {
    return "";
  }
}

function isHeadersLike(value: object): value is { entries(): IterableIterator<[string, string]> } {
  return typeof Headers !== "undefined" && value instanceof Headers;
}
