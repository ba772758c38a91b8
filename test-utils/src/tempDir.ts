import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

/**
 * A fresh directory under the OS temp dir, named `<prefix>` and 6 random characters; `remove()` deletes it with
 * everything in it. Keep the prefix short: key file messages show such paths, and a path segment of 24+ key
 * characters reads as a pasted key to static-key's `showKeyFilePath` (and is then not shown).
 */
export async function createTempDir(
  prefix = "copilot-byok-",
): Promise<{ path: string; remove(): Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), prefix));
  return { path, remove: () => rm(path, { recursive: true, force: true }) };
}
