import { symlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { createTempDir } from "@copilot-byok/test-utils/tempDir";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { describeReadError, MAX_KEY_FILE_BYTES, readKeyFile, readKeyFileSync } from "./readKeyFile.js";
import { CANARY_KEY } from "./test-support/canary.js";

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
