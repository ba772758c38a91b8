import { resolve } from "node:path";
import { checkApiKey } from "./checkApiKey.js";
import { readKeyFileSync } from "./readKeyFile.js";
import { showKeyFilePath } from "./showKeyFilePath.js";

/** How a key file is named in messages: its path as shown (never a key pasted as one) and the variable. */
export function keyFileLabel(file: string, variable: string): string {
  return `the key file ${showKeyFilePath(file, resolve(file))} (${variable})`;
}

/**
 * The problems of a key file's first read, as the source's creation would report them (the file is missing, not a
 * regular file, unreadable, or holds no valid key), without creating a source (no watcher, no timer). Reads the
 * file once, synchronously.
 */
export function keyFileProblems(
  file: string,
  variable: string,
  { localProvider = false }: { localProvider?: boolean } = {},
): string[] {
  const label = keyFileLabel(file, variable);
  const reading = readKeyFileSync(resolve(file), label);
  if ("problem" in reading) return [reading.problem];
  return [...checkApiKey(reading.content, label, { localProvider }).problems];
}
