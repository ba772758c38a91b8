/** Placeholder that replaces a secret. */
export const REDACTED = "[REDACTED]";

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

/**
 * Replaces JWTs and `Bearer …` / `Basic …` credentials inside free text. Linear in the length of the text: a
 * scanner, not backtracking regexes (each character is looked at a bounded number of times).
 */
export function redactText(text: string): string {
  return maskCredentials(maskJwts(text));
}

// JWTs: `eyJ` at a word boundary, 5+ more characters of [A-Za-z0-9_-], a dot, 5+ of them, a dot, any number of
// them (what the regex /\beyJ[\w-]{5,}\.[\w-]{5,}\.[\w-]*/g matched, found without backtracking).

function isJwtChar(code: number): boolean {
  return (
    (code >= 97 && code <= 122) || // a-z
    (code >= 65 && code <= 90) || // A-Z
    (code >= 48 && code <= 57) || // 0-9
    code === 95 || // _
    code === 45 // -
  );
}

const DOT = 46;

/** The end of the run of JWT characters starting at `from`. */
function runEnd(text: string, from: number): number {
  let i = from;
  while (i < text.length && isJwtChar(text.charCodeAt(i))) i++;
  return i;
}

/**
 * Where a JWT starts in the run `[start, end)`, or -1: the first `eyJ` at a word boundary (the run's start, or
 * after a `-`) with 5+ run characters after it. A later `eyJ` has fewer, so the first decides.
 */
function jwtStart(text: string, start: number, end: number): number {
  for (let p = start; p + 3 <= end; p++) {
    if (text.charCodeAt(p) !== 101 || text.charCodeAt(p + 1) !== 121 || text.charCodeAt(p + 2) !== 74)
      continue; // "eyJ"
    if (p === start || text.charCodeAt(p - 1) === 45) return end - (p + 3) >= 5 ? p : -1;
  }
  return -1;
}

function maskJwts(text: string): string {
  let out = "";
  let copied = 0;
  let i = 0;
  while (i < text.length) {
    if (!isJwtChar(text.charCodeAt(i))) {
      i++;
      continue;
    }
    const end = runEnd(text, i);
    if (text.charCodeAt(end) === DOT) {
      const start = jwtStart(text, i, end);
      if (start >= 0) {
        const end2 = runEnd(text, end + 1);
        if (end2 - (end + 1) >= 5 && text.charCodeAt(end2) === DOT) {
          const end3 = runEnd(text, end2 + 1);
          out += `${text.slice(copied, start)}${REDACTED}:jwt`;
          copied = end3;
          i = end3;
          continue;
        }
      }
    }
    i = end;
  }
  return copied === 0 ? text : out + text.slice(copied);
}

// A credential after "Bearer" or "Basic" (as `\b([Bb]earer|BEARER|[Bb]asic|BASIC)\s+` matched: the scheme at a
// word boundary, then whitespace), a run of credential characters [A-Za-z0-9._~+/=-]: 6+ with a digit, an
// inner symbol or an inner capital, or 20+ of any; plain prose ("a bearer token.", "Basic authentication")
// is left alone. Scanned: the whitespace and the run are looked at once for each scheme word, and a run that
// is not a credential (shorter than 20 characters) once more for the next scheme word.
const SCHEMES = ["Bearer", "bearer", "BEARER", "Basic", "basic", "BASIC"];

function maskCredentials(text: string): string {
  let out = "";
  let copied = 0;
  for (let i = 0; i < text.length; i++) {
    const first = text.charCodeAt(i);
    if (first !== 66 && first !== 98) continue; // "B", "b"
    if (i > 0 && isWordChar(text.charCodeAt(i - 1))) continue;
    const scheme = SCHEMES.find((s) => text.startsWith(s, i));
    if (scheme === undefined) continue;
    let j = i + scheme.length;
    while (j < text.length && isSpace(text.charCodeAt(j))) j++;
    if (j === i + scheme.length) continue;
    const runStart = j;
    while (j < text.length && isCredentialChar(text.charCodeAt(j))) j++;
    if (j === runStart || !isCredential(text.slice(runStart, j))) continue;
    out += `${text.slice(copied, i)}${scheme} ${REDACTED}`;
    copied = j;
    i = j - 1;
  }
  return copied === 0 ? text : out + text.slice(copied);
}

function isWordChar(code: number): boolean {
  return isAlphanumeric(code) || code === 95;
}

function isCredentialChar(code: number): boolean {
  // [A-Za-z0-9._~+/=-]
  return (
    isAlphanumeric(code) ||
    code === 46 ||
    code === 95 ||
    code === 126 ||
    code === 43 ||
    code === 47 ||
    code === 61 ||
    code === 45
  );
}

/** What `\s` matches: white space and line terminators. */
function isSpace(code: number): boolean {
  return (
    (code >= 9 && code <= 13) ||
    code === 32 ||
    code === 0xa0 ||
    code === 0x1680 ||
    (code >= 0x2000 && code <= 0x200a) ||
    code === 0x2028 ||
    code === 0x2029 ||
    code === 0x202f ||
    code === 0x205f ||
    code === 0x3000 ||
    code === 0xfeff
  );
}

function isCredential(run: string): boolean {
  if (run.length >= 20) return true;
  if (run.length < 6) return false;
  for (let i = 0; i < run.length; i++) {
    const code = run.charCodeAt(i);
    if (code >= 48 && code <= 57) return true; // a digit
    if (i > 0 && code >= 65 && code <= 90) return true; // an inner capital
    if (i < run.length - 1 && !isAlphanumeric(code)) return true; // a symbol with a character after it
  }
  return false;
}

function isAlphanumeric(code: number): boolean {
  return (code >= 97 && code <= 122) || (code >= 65 && code <= 90) || (code >= 48 && code <= 57);
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

const ABSOLUTE_URL = /^[a-z][a-z0-9+.-]*:\/\/[^\s]*$/i;

function redactValue(value: unknown, seen: WeakSet<object>, depth: number): unknown {
  // A URL string (a base URL) keeps scheme, host and path only: a query value may be a key.
  if (typeof value === "string") return redactText(ABSOLUTE_URL.test(value) ? redactUrl(value) : value);
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
    // A provider's extra headers may carry a credential under any name (`X-Auth`): every value is masked.
    if (key === "headers" && typeof v === "object" && v !== null && !Array.isArray(v)) {
      const names = v instanceof Map || isHeadersLike(v) ? [...v.keys()].map(String) : Object.keys(v);
      out[key] = Object.fromEntries(names.map((name) => [name, REDACTED]));
      continue;
    }
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

function isHeadersLike(
  value: object,
): value is { entries(): IterableIterator<[string, string]>; keys(): IterableIterator<string> } {
  return typeof Headers !== "undefined" && value instanceof Headers;
}
