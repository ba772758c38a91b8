import { randomBytes } from "node:crypto";
import { inspect } from "node:util";

/**
 * A canary secret: a value that must never appear in an error, a log line, a description, a rendering or the
 * doctor's output. Random per run (so no fixture can hard-code it), plain ASCII, and not JWT-shaped unless
 * asked: JWTs are masked by redaction, which would hide a leak of the raw value.
 */
export function canary(label: string): string {
  return `canary-${label}-${randomBytes(12).toString("hex")}`;
}

/** An unsigned JWT-shaped canary (for places that must take a JWT). Its signature part is the canary. */
export function canaryJwt(claims: Record<string, unknown> = {}): string {
  const encode = (value: unknown) => Buffer.from(JSON.stringify(value), "utf8").toString("base64url");
  const signature = Buffer.from(canary("jwt-signature")).toString("base64url");
  return `${encode({ alg: "RS256", typ: "JWT" })}.${encode({ aud: "canary", ...claims })}.${signature}`;
}

/**
 * The parts of a secret whose presence in a text counts as a leak: the whole value, and for a JWT each of its
 * payload and signature segments (a JWT cut in two still leaks). Pieces shorter than 12 characters are skipped.
 */
export function leakPatterns(secret: string): string[] {
  const patterns = new Set<string>([secret.trim()]);
  const parts = secret.split(".");
  if (parts.length === 3) for (const part of parts.slice(1)) patterns.add(part);
  return [...patterns].filter((p) => p.length >= 12);
}

/** Renders anything the ways a secret could escape through: `String`, `JSON.stringify`, `util.inspect`. */
export function renderings(value: unknown): string[] {
  const out: string[] = [];
  try {
    out.push(String(value));
  } catch {}
  try {
    out.push(JSON.stringify(value) ?? "");
  } catch (error) {
    out.push(`JSON.stringify threw ${String(error)}`);
  }
  out.push(inspect(value, { depth: 20, showHidden: false, getters: false }));
  if (value instanceof Error) {
    out.push(value.message, value.stack ?? "");
    let cause: unknown = value.cause;
    for (let depth = 0; cause !== undefined && depth < 10; depth++) {
      out.push(inspect(cause, { depth: 20 }));
      if (cause instanceof Error) out.push(cause.message, cause.stack ?? "");
      cause = cause instanceof Error ? cause.cause : undefined;
    }
  }
  return out;
}

/** The secrets (by label) found in any of `texts`; `[]` when none leaked. */
export function leaksIn(texts: readonly string[], secrets: Readonly<Record<string, string>>): string[] {
  const found: string[] = [];
  for (const [label, secret] of Object.entries(secrets)) {
    const patterns = leakPatterns(secret);
    if (texts.some((text) => patterns.some((p) => text.includes(p)))) found.push(label);
  }
  return found;
}
