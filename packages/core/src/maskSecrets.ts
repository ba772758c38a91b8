import { REDACTED } from "./redact.js";

/**
 * `text` with every occurrence of each of `secrets` replaced by `[REDACTED]`: for messages that may quote a
 * credential a cache has handed out or received, whatever its shape (an opaque token, a key), which the
 * shape-based `redactText` cannot know. Linear in the text per secret; secrets shorter than 8 characters are
 * left alone (they would mask ordinary words).
 */
export function maskSecrets(text: string, secrets: Iterable<string>): string {
  let masked = text;
  for (const secret of secrets) if (secret.length >= 8) masked = masked.split(secret).join(REDACTED);
  return masked;
}

/**
 * `error` as a cause that may be kept and logged: the error itself when it quotes none of `secrets`, otherwise
 * a copy of the same class whose message, stack and string fields have them masked (and its own `cause`, in
 * turn). Nested errors (`errors` of an aggregate) are masked likewise.
 */
export function maskErrorSecrets(error: unknown, secrets: readonly string[], depth = 0): unknown {
  if (!(error instanceof Error) || depth > 4 || !secrets.some((s) => s.length >= 8 && quotes(error, s, 0)))
    return error;
  const copy = Object.create(Object.getPrototypeOf(error)) as Error & Record<string, unknown>;
  for (const name of Object.getOwnPropertyNames(error)) {
    const value = (error as unknown as Record<string, unknown>)[name];
    const masked =
      typeof value === "string"
        ? maskSecrets(value, secrets)
        : name === "cause"
          ? maskErrorSecrets(value, secrets, depth + 1)
          : Array.isArray(value)
            ? value.map((item) => maskErrorSecrets(item, secrets, depth + 1))
            : value;
    const descriptor = Object.getOwnPropertyDescriptor(error, name);
    if (descriptor && !descriptor.get && !descriptor.set)
      Object.defineProperty(copy, name, { ...descriptor, value: masked });
  }
  return copy;
}

function quotes(error: Error, secret: string, depth: number): boolean {
  if (depth > 4) return false;
  for (const name of Object.getOwnPropertyNames(error)) {
    const value = (error as unknown as Record<string, unknown>)[name];
    if (typeof value === "string" && value.includes(secret)) return true;
    if (value instanceof Error && quotes(value, secret, depth + 1)) return true;
    if (Array.isArray(value) && value.some((v) => v instanceof Error && quotes(v, secret, depth + 1)))
      return true;
  }
  return false;
}
