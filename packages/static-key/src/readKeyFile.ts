import { closeSync, constants, fstatSync, openSync, readSync, type Stats, statSync } from "node:fs";
import { type FileHandle, open, stat } from "node:fs/promises";

/** Largest key file read: anything bigger is not a key file. */
export const MAX_KEY_FILE_BYTES = 64 * 1024;

/** The content of a key file, or why it could not be read (safe to log: no content). */
export type KeyFileReading = { readonly content: string } | { readonly problem: string };

/**
 * How a key file is opened: read only, and never waiting. `O_NONBLOCK` makes opening a FIFO return at once
 * instead of waiting for a writer (forever, on the main thread or on a libuv thread), should the file turn into
 * one between the type check and the open; `O_NOCTTY` keeps a terminal device from becoming the controlling
 * terminal. On a regular file both change nothing. (Windows has neither flag, nor FIFOs in the file system.)
 */
const OPEN_FLAGS = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0) | (constants.O_NOCTTY ?? 0);

/**
 * Reads a whole key file (following symlinks, as Kubernetes' `..data` layout needs) into memory in one
 * go, so a caller never sees part of it. `label` names the file in the problem.
 *
 * Only a regular file (or a symlink to one) is read: its type is checked before it is opened (a FIFO, a socket
 * or a device is never opened) and again on the open descriptor, which is opened without blocking; either check
 * failing is a problem ({@link describeFileType}), never a wait.
 */
export async function readKeyFile(path: string, label: string): Promise<KeyFileReading> {
  let handle: FileHandle | undefined;
  try {
    const before = notRegular(await stat(path), label);
    if (before) return { problem: before };
    handle = await open(path, OPEN_FLAGS);
    const after = notRegular(await handle.stat(), label);
    if (after) return { problem: after };
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
    const before = notRegular(statSync(path), label);
    if (before) return { problem: before };
    fd = openSync(path, OPEN_FLAGS);
    const after = notRegular(fstatSync(fd), label);
    if (after) return { problem: after };
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

/** Why `stats` is not a file to read a key from, or `undefined` when it is a regular file. */
function notRegular(stats: Stats, label: string): string | undefined {
  if (stats.isFile()) return undefined;
  if (stats.isDirectory()) return `${label} is a directory, not a file`;
  return `${label} is ${describeFileType(stats)}, not a regular file: the key must be in a regular file (a symlink to one is fine)`;
}

/** What kind of file `stats` describes, in words: `a named pipe (FIFO)`, `a socket`, `a character device`, …. */
function describeFileType(stats: Stats): string {
  if (stats.isFIFO()) return "a named pipe (FIFO)";
  if (stats.isSocket()) return "a socket";
  if (stats.isCharacterDevice()) return "a character device";
  if (stats.isBlockDevice()) return "a block device";
  if (stats.isDirectory()) return "a directory";
  if (stats.isFile()) return "a regular file";
  return "a special file";
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
