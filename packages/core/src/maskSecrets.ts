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
