import { closeSync, openSync, readSync } from "node:fs";
import { type FileHandle, open } from "node:fs/promises";

/** Largest key file read: anything bigger is not a key file. */
export const MAX_KEY_FILE_BYTES = 64 * 1024;

/** The content of a key file, or why it could not be read (safe to log: no content). */
export type KeyFileReading = { readonly content: string } | { readonly problem: string };

/**
 * Reads a whole key file (following symlinks, as Kubernetes' `..data` layout needs) into memory in one
 * go, so a caller never sees part of it. `label` names the file in the problem.
 */
export async function readKeyFile(path: string, label: string): Promise<KeyFileReading> {
  let handle: FileHandle | undefined;
  try {
    handle = await open(path, "r");
    const buffer = Buffer.alloc(MAX_KEY_FILE_BYTES + 1);
    let length = 0;
    while (length < buffer.length) {
      const { bytesRead } = await handle.read(buffer, length, buffer.length - length, length);
      if (bytesRead === 0) break;
      length += bytesRead;
    }
    return decode(buffer, length, label);
  } catch (error) {
    return { problem: describeReadError(error, label) };
  } finally {
    await handle?.close().catch(() => undefined);
  }
}

/** {@link readKeyFile}, synchronously: for the first read, so that a source fails at creation. */
export function readKeyFileSync(path: string, label: string): KeyFileReading {
  let fd: number | undefined;
  try {
    fd = openSync(path, "r");
    const buffer = Buffer.alloc(MAX_KEY_FILE_BYTES + 1);
    let length = 0;
    while (length < buffer.length) {
      const bytesRead = readSync(fd, buffer, length, buffer.length - length, length);
      if (bytesRead === 0) break;
      length += bytesRead;
    }
    return decode(buffer, length, label);
  } catch (error) {
    return { problem: describeReadError(error, label) };
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

function decode(buffer: Buffer, length: number, label: string): KeyFileReading {
  if (length > MAX_KEY_FILE_BYTES) {
    return {
      problem: `${label} is larger than ${MAX_KEY_FILE_BYTES / 1024} KiB: it must hold the API key alone; is it the right file?`,
    };
  }
  const content = buffer.toString("utf8", 0, length);
  buffer.fill(0);
  return { content };
}

/** Why a key file could not be read, in words a person can act on. */
export function describeReadError(error: unknown, label: string): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case "ENOENT":
      return `${label} does not exist`;
    case "ENOTDIR":
      return `${label} does not exist (a parent is not a directory)`;
    case "EISDIR":
      return `${label} is a directory, not a file`;
    case "EACCES":
    case "EPERM":
      return `${label} cannot be read: permission denied (check the file mode and the user the process runs as)`;
    case "ELOOP":
      return `${label} is a symlink loop`;
    default:
      return `${label} cannot be read (${code ?? (error instanceof Error ? error.name : "unknown error")})`;
  }
}
