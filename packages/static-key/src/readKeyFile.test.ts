import { symlink, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:net";
import { join } from "node:path";
import { createTempDir } from "@copilot-byok/test-utils/tempDir";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { describeReadError, MAX_KEY_FILE_BYTES, readKeyFile, readKeyFileSync } from "./readKeyFile.js";
import { CANARY_KEY } from "./test-support/canary.js";
import { makeFifo, releaseFifoReaders, startFifoWriter } from "./test-support/fifo.js";

let temp: { path: string; remove(): Promise<void> };
beforeEach(async () => {
  temp = await createTempDir("static-key-");
});
afterEach(async () => {
  await temp.remove();
});

describe("readKeyFile", () => {
  it("reads the whole file through a symlink, sync and async alike", async () => {
    await writeFile(join(temp.path, "target"), `${CANARY_KEY}\n`);
    await symlink("target", join(temp.path, "key"));
    const path = join(temp.path, "key");
    expect(await readKeyFile(path, "the key file")).toEqual({ content: `${CANARY_KEY}\n` });
    expect(readKeyFileSync(path, "the key file")).toEqual({ content: `${CANARY_KEY}\n` });
  });

  it("refuses a file larger than 64 KiB without returning any of it", async () => {
    const path = join(temp.path, "big");
    await writeFile(path, "k".repeat(MAX_KEY_FILE_BYTES + 1));
    const expected = {
      problem: "the key file is larger than 64 KiB: it must hold the API key alone; is it the right file?",
    };
    expect(await readKeyFile(path, "the key file")).toEqual(expected);
    expect(readKeyFileSync(path, "the key file")).toEqual(expected);
  });

  it.each([
    ["ENOENT", "the key file does not exist"],
    ["ENOTDIR", "the key file does not exist (a parent is not a directory)"],
    ["EISDIR", "the key file is a directory, not a file"],
    ["EACCES", expect.stringMatching(/^the key file cannot be read: permission denied/)],
    ["ELOOP", "the key file is a symlink loop"],
    ["EIO", "the key file cannot be read (EIO)"],
  ])("explains %s", (code, expected) => {
    expect(describeReadError(Object.assign(new Error("x"), { code }), "the key file")).toEqual(expected);
  });

  it("reports a dangling symlink as missing", async () => {
    await symlink("nowhere", join(temp.path, "key"));
    expect(await readKeyFile(join(temp.path, "key"), "the key file")).toEqual({
      problem: "the key file does not exist",
    });
  });
});

describe("readKeyFile: only a regular file is read", () => {
  const NOT_REGULAR = "not a regular file: the key must be in a regular file (a symlink to one is fine)";

  // Was a bug: a FIFO was opened without O_NONBLOCK, which waits for a writer: readKeyFileSync blocked the main
  // thread forever (in the source's constructor), readKeyFile a libuv thread (the watcher's poll never
  // completed). The writer below releases such a regression with a key, so it fails instead of hanging.
  it("refuses a named pipe (FIFO) without blocking, sync and async alike, also behind a symlink", async () => {
    const fifo = join(temp.path, "fifo");
    makeFifo(fifo);
    await symlink("fifo", join(temp.path, "key"));
    const writer = startFifoWriter(fifo, CANARY_KEY);
    try {
      for (const path of [fifo, join(temp.path, "key")]) {
        const expected = { problem: `the key file is a named pipe (FIFO), ${NOT_REGULAR}` };
        expect(readKeyFileSync(path, "the key file")).toEqual(expected);
        expect(await readKeyFile(path, "the key file")).toEqual(expected);
      }
    } finally {
      releaseFifoReaders(fifo);
      await writer.stop();
    }
  });

  it("refuses a socket and a device (behind a symlink) without opening them", async () => {
    const socketPath = join(temp.path, "sock");
    const server: Server = createServer();
    await new Promise<void>((resolve) => server.listen(socketPath, resolve));
    try {
      const expected = { problem: `the key file is a socket, ${NOT_REGULAR}` };
      expect(readKeyFileSync(socketPath, "the key file")).toEqual(expected);
      expect(await readKeyFile(socketPath, "the key file")).toEqual(expected);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
    await symlink("/dev/zero", join(temp.path, "device"));
    const device = { problem: `the key file is a character device, ${NOT_REGULAR}` };
    expect(readKeyFileSync(join(temp.path, "device"), "the key file")).toEqual(device);
    expect(await readKeyFile(join(temp.path, "device"), "the key file")).toEqual(device);
  });

  it("refuses a directory, sync and async alike", async () => {
    const expected = { problem: "the key file is a directory, not a file" };
    expect(readKeyFileSync(temp.path, "the key file")).toEqual(expected);
    expect(await readKeyFile(temp.path, "the key file")).toEqual(expected);
  });
});
