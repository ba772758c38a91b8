import { createHash } from "node:crypto";

/**
 * A short, stable, non-reversible fingerprint of a secret (`sha256:` and 8 hex digits), to tell
 * two keys apart in logs and diagnostics without showing either.
 */
export function fingerprint(secret: string): string {
  return `sha256:${createHash("sha256").update(secret, "utf8").digest("hex").slice(0, 8)}`;
}
