import { mkdir, open as openFile, rename, rm, symlink, writeFile } from "node:fs/promises";
import { join, relative } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { inspect } from "node:util";
import { fingerprint } from "@copilot-byok/core";
import { createCaptureLogger } from "@copilot-byok/test-utils/captureLogger";
import { problemsOf } from "@copilot-byok/test-utils/configurationErrorOf";
import { KubernetesSecretVolume } from "@copilot-byok/test-utils/KubernetesSecretVolume";
import { flush, ManualClock } from "@copilot-byok/test-utils/ManualClock";
import { createTempDir } from "@copilot-byok/test-utils/tempDir";
import { trackAsyncResources } from "@copilot-byok/test-utils/trackAsyncResources";
import { waitFor } from "@copilot-byok/test-utils/waitFor";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { KeyFileWatcher } from "./KeyFileWatcher.js";
import { DEFAULT_KEY_SETTLE_MS, MIN_KEY_READ_STUCK_MS } from "./KeyFileWatcherOptions.js";
import type { KeyFileReading } from "./readKeyFile.js";
import { KEY_FILE_PATH_NOT_SHOWN } from "./showKeyFilePath.js";
import { CANARY_JWT, CANARY_KEY } from "./test-support/canary.js";
import { makeFifo, releaseFifoReaders, startFifoWriter } from "./test-support/fifo.js";
import { KEY_FILE_WAIT } from "./test-support/keyFileWait.js";

const POLL_MS = 50;
const NEXT_KEY = "next-static-key-9c8b7a6d5e4f3a2b1c0d9e8f";
const NOT_REGULAR = "not a regular file: the key must be in a regular file (a symlink to one is fine)";

// Every read of the key file the watcher starts goes through here: tests count them, wait for them (a manual
// clock moves timers, not the file system) or replace them (a read that never completes).
const reads = vi.hoisted(() => ({
  started: [] as Promise<unknown>[],
  replace: undefined as undefined | ((path: string, label: string) => Promise<unknown>),
}));
vi.mock("./readKeyFile.js", async (importOriginal) => {
  const actual = await importOriginal<typeof import("./readKeyFile.js")>();
  return {
    ...actual,
    readKeyFile: (path: string, label: string) => {
      const read = reads.replace ? reads.replace(path, label) : actual.readKeyFile(path, label);
      reads.started.push(read);
      return read;
    },
  };
});

/** Lets every read started so far complete, and whatever follows run (until no more reads start). */
async function settleReads(): Promise<void> {
  for (let count = -1; count !== reads.started.length; ) {
    count = reads.started.length;
    await Promise.all(reads.started);
    await flush();
  }
}

/** Moves `clock` by `ms` (its due timers run), then lets the reads they started complete. */
async function step(clock: ManualClock, ms: number): Promise<void> {
  await clock.advance(ms);
  await settleReads();
}

let temp: { path: string; remove(): Promise<void> };
const watchers: KeyFileWatcher[] = [];
const open = (options: ConstructorParameters<typeof KeyFileWatcher>[0]) => {
  const watcher = new KeyFileWatcher(options);
  watchers.push(watcher);
  return watcher;
};

beforeEach(async () => {
  temp = await createTempDir("static-key-");
});
afterEach(async () => {
  for (const w of watchers.splice(0)) w.dispose();
  reads.replace = undefined;
  reads.started.length = 0;
  await temp.remove();
});

describe("KeyFileWatcher: first read", () => {
  it("reads a key written as Docker and Kubernetes do (trailing newline trimmed)", async () => {
    const path = join(temp.path, "key");
    await writeFile(path, `${CANARY_KEY}\n`);
    const watcher = open({ path, pollIntervalMs: POLL_MS });
    expect(watcher.key).toBe(CANARY_KEY);
    expect(watcher.fingerprint).toBe(fingerprint(CANARY_KEY));
    expect(watcher.rotations).toBe(0);
  });

  it("fails at once, with every problem, when the file is missing", () => {
    const path = join(temp.path, "missing");
    const problems = problemsOf(() => open({ path, pollIntervalMs: 1 }));
    expect(problems).toEqual([
      "pollIntervalMs must be a number of milliseconds from 10 to 3600000 (got 1)",
      `the key file ${path} does not exist`,
    ]);
  });

  it.each<[string, string, RegExp]>([
    ["empty", "", /is empty/],
    ["a newline only", "\n", /is empty/],
    ["a JWT", `${CANARY_JWT}\n`, /looks like a bearer token \(JWT\)/],
    ["two lines", `${CANARY_KEY}\nsecond line\n`, /spans several lines/],
  ])("rejects a file holding %s, never showing the content", async (_, content, expected) => {
    const path = join(temp.path, "key");
    await writeFile(path, content);
    const problems = problemsOf(() => open({ path, label: "the key file (TEST)" }));
    expect(problems.join("\n")).toMatch(expected);
    expect(problems.join("\n")).toMatch(/^the key file \(TEST\)/);
    expect(problems.join("\n")).not.toContain(CANARY_KEY);
    expect(problems.join("\n")).not.toContain(CANARY_JWT.slice(0, 20));
  });

  it("rejects a directory", () => {
    expect(problemsOf(() => open({ path: temp.path })).join()).toMatch(/is a directory, not a file/);
  });

  // Was a bug: the first read opened a FIFO without O_NONBLOCK and blocked the main thread until a writer came,
  // forever without one (the writer below releases such a regression, which then fails instead of hanging).
  it("fails at once, without blocking, on a FIFO, a FIFO behind a symlink, a socket or a device", async () => {
    const fifo = join(temp.path, "fifo");
    makeFifo(fifo);
    await symlink("fifo", join(temp.path, "link"));
    await symlink("/dev/null", join(temp.path, "device"));
    const writer = startFifoWriter(fifo, CANARY_KEY);
    try {
      for (const name of ["fifo", "link"]) {
        const path = join(temp.path, name);
        expect(problemsOf(() => open({ path }))).toEqual([
          `the key file ${path} is a named pipe (FIFO), ${NOT_REGULAR}`,
        ]);
      }
      expect(problemsOf(() => open({ path: join(temp.path, "device") }))).toEqual([
        `the key file ${join(temp.path, "device")} is a character device, ${NOT_REGULAR}`,
      ]);
    } finally {
      releaseFifoReaders(fifo);
      await writer.stop();
    }
  });

  // Was a bug: the key file path was judged after it was resolved against the working directory, so a key given
  // as a bare name (no separator) was judged as a path segment and shown.
  it("does not show a key given as a bare name, resolved against the working directory", () => {
    const key = "sk-CANARY-9f8e7d6c5b4a";
    expect(relative(process.cwd(), key)).toBe(key);
    const problems = problemsOf(() => open({ path: key }));
    expect(problems).toEqual([`the key file ${KEY_FILE_PATH_NOT_SHOWN} does not exist`]);
  });

  it("rejects a key shorter than any provider issues", async () => {
    const path = join(temp.path, "key");
    await writeFile(path, "k\n");
    expect(problemsOf(() => open({ path }))).toEqual([
      `the key file ${path} (fingerprint ${fingerprint("k")}) is 1 character long: no provider issues keys shorter than 20 characters; is it the right value?`,
    ]);
  });

  it("rejects an empty path", () => {
    expect(problemsOf(() => open({ path: " " }))).toEqual([
      "the key file path is empty: give the path of the file",
    ]);
  });
});

describe("KeyFileWatcher: changes", () => {
  it("keeps the last good key with one warning while the file is deleted, then adopts the next key", async () => {
    const path = join(temp.path, "key");
    await writeFile(path, `${CANARY_KEY}\n`);
    const logger = createCaptureLogger();
    const clock = new ManualClock();
    const watcher = open({ path, pollIntervalMs: POLL_MS, logger, clock, watch: false });

    await rm(path);
    await step(clock, POLL_MS);
    expect(watcher.problem).toBeDefined();
    expect(watcher.key).toBe(CANARY_KEY);
    for (let i = 0; i < 4; i++) await step(clock, POLL_MS); // several polls while missing: still one warning
    expect(reads.started).toHaveLength(5);
    const warnings = logger.messages("warn");
    expect(warnings).toEqual([
      `the key file ${path} does not exist: keeping the last good key (fingerprint ${fingerprint(CANARY_KEY)})`,
    ]);
    expect(watcher.describe()).toMatchObject({ keyFileProblem: `the key file ${path} does not exist` });

    await writeFile(path, `${NEXT_KEY}\n`);
    await step(clock, POLL_MS); // seen, not adopted until it stayed the same for the settle time
    expect(watcher.key).toBe(CANARY_KEY);
    await step(clock, DEFAULT_KEY_SETTLE_MS);
    expect(watcher.key).toBe(NEXT_KEY);
    expect(watcher.problem).toBeUndefined();
    expect(watcher.rotations).toBe(1);
    expect(logger.text()).not.toContain(CANARY_KEY);
    expect(logger.text()).not.toContain(NEXT_KEY);
  });

  it.each([
    ["empty", ""],
    ["a JWT", CANARY_JWT],
    ["a key with a space inside", "half of a key inside"],
    // Was a bug: any non-empty value was adopted.
    ["a 1-character key", "k"],
    ["19 characters of a key", NEXT_KEY.slice(0, 19)],
  ])("does not adopt a file that turns %s, and warns", async (_, content) => {
    const path = join(temp.path, "key");
    await writeFile(path, CANARY_KEY);
    const logger = createCaptureLogger();
    const watcher = open({ path, pollIntervalMs: POLL_MS, logger });
    // Replaced in one step (written beside it, then renamed over it): writeFile truncates before it writes, so
    // the watcher could see an empty file first — a second, different problem.
    await writeFile(`${path}.next`, content);
    await rename(`${path}.next`, path);
    await waitFor(() => watcher.problem !== undefined, {
      ...KEY_FILE_WAIT,
      what: "the problem to be noticed",
    });
    expect(watcher.key).toBe(CANARY_KEY);
    expect(watcher.rotations).toBe(0);
    expect(logger.messages("warn")).toHaveLength(1);
    expect(logger.messages("warn")[0]).toMatch(/keeping the last good key/);
    expect(logger.text()).not.toContain(CANARY_JWT.slice(0, 20));

    await writeFile(path, CANARY_KEY); // back to the same key: recovered, no rotation
    await waitFor(() => watcher.problem === undefined, { ...KEY_FILE_WAIT, what: "recovery" });
    expect(watcher.rotations).toBe(0);
    expect(logger.messages("info").join()).toMatch(/readable again/);
  });

  it("adopts a key replaced behind a symlink from another directory by polling alone: at the next poll, once settled", async () => {
    // The watched directory (of the link) sees no event: only the poll can notice.
    const secrets = join(temp.path, "elsewhere");
    await mkdir(secrets);
    const target = join(secrets, "key");
    await writeFile(target, CANARY_KEY);
    const app = join(temp.path, "app");
    await mkdir(app);
    const path = join(app, "key");
    await symlink(target, path);
    const clock = new ManualClock();
    const pollMs = 1000;
    const watcher = open({ path, pollIntervalMs: pollMs, clock });
    expect(watcher.describe().watching).toBe(true);
    const start = clock.now();

    await writeFile(join(secrets, "key.tmp"), `${NEXT_KEY}\n`);
    await rename(join(secrets, "key.tmp"), target);
    await sleep(20); // real time for a directory event, were there one: there is none
    await step(clock, pollMs - 1);
    expect(reads.started).toHaveLength(0);
    expect(watcher.key).toBe(CANARY_KEY);

    await step(clock, 1); // the poll: the new key is seen, and read again after the settle time
    expect(reads.started).toHaveLength(1);
    expect(watcher.key).toBe(CANARY_KEY);
    await step(clock, DEFAULT_KEY_SETTLE_MS - 1);
    expect(watcher.key).toBe(CANARY_KEY);
    await step(clock, 1);
    expect(reads.started).toHaveLength(2);
    expect(watcher.key).toBe(NEXT_KEY);
    expect(watcher.lastRotatedAt?.getTime()).toBe(start + pollMs + DEFAULT_KEY_SETTLE_MS);

    await step(clock, pollMs); // the next poll, one interval after the previous one ended: the same key
    expect(reads.started).toHaveLength(3);
    expect(watcher.rotations).toBe(1);
  });

  it("adopts a Kubernetes ..data swap at once through the directory watch, even with slow polling", async () => {
    const volume = await KubernetesSecretVolume.create(join(temp.path, "secret"), {
      "api-key": `${CANARY_KEY}\n`,
    });
    const watcher = open({ path: volume.path("api-key"), pollIntervalMs: 60_000 });
    expect(watcher.describe().watching).toBe(true);
    await volume.update({ "api-key": `${NEXT_KEY}\n` });
    await waitFor(() => watcher.key === NEXT_KEY, {
      ...KEY_FILE_WAIT,
      timeoutMs: 5000,
      what: "the swapped key",
    });
  });

  it("reports rotations to listeners with fingerprints only; a failing listener is logged", async () => {
    const path = join(temp.path, "key");
    await writeFile(path, CANARY_KEY);
    const logger = createCaptureLogger();
    const watcher = open({ path, pollIntervalMs: POLL_MS, logger });
    const seen: unknown[] = [];
    watcher.onRotation(() => {
      throw new Error("listener failed");
    });
    const stop = watcher.onRotation((rotation) => seen.push(rotation));
    await writeFile(path, NEXT_KEY);
    await waitFor(() => seen.length === 1, { ...KEY_FILE_WAIT, what: "the rotation" });
    expect(seen[0]).toMatchObject({
      path,
      previousFingerprint: fingerprint(CANARY_KEY),
      fingerprint: fingerprint(NEXT_KEY),
      rotations: 1,
      trigger: "change",
    });
    expect(logger.messages("error")).toEqual(["a key rotation listener failed"]);
    stop();
    await writeFile(path, CANARY_KEY);
    await waitFor(() => watcher.key === CANARY_KEY, { ...KEY_FILE_WAIT, what: "the second rotation" });
    expect(seen).toHaveLength(1);
    expect(JSON.stringify(seen)).not.toContain(CANARY_KEY);
  });

  it("renders without the key", async () => {
    const path = join(temp.path, "key");
    await writeFile(path, CANARY_KEY);
    const watcher = open({ path });
    expect(inspect(watcher, { depth: 10, showHidden: true })).not.toContain(CANARY_KEY);
    expect(JSON.stringify(watcher)).not.toContain(CANARY_KEY);
    expect(JSON.stringify(watcher)).toContain(fingerprint(CANARY_KEY));
  });
});

describe("KeyFileWatcher: a key written in place", () => {
  // Was a bug: a key file written in place (truncated, then written in parts) was adopted as soon as a read saw
  // a valid-looking part, for as long as the writer paused.
  it("does not adopt a part of a key (truncate, part, pause, rest): only content that stayed the same for the settle time", async () => {
    const path = join(temp.path, "key");
    await writeFile(path, `${CANARY_KEY}\n`);
    const logger = createCaptureLogger();
    const clock = new ManualClock();
    const watcher = open({ path, pollIntervalMs: POLL_MS, watch: false, clock, logger });
    const served: string[] = [];
    watcher.onRotation(() => served.push(watcher.key));

    const part = NEXT_KEY.slice(0, 24); // passes every check on its own
    const file = await openFile(path, "r+");
    try {
      await file.truncate(0);
      await file.write(part, 0);
      await step(clock, POLL_MS); // a poll reads the part
      await sleep(POLL_MS * 4); // the writer pauses (a watcher polling in real time sees the part again here)
      await step(clock, POLL_MS); // another poll, before the part has stayed the same for the settle time
      expect(watcher.key).toBe(CANARY_KEY);
      await file.write(`${NEXT_KEY.slice(part.length)}\n`, part.length);
    } finally {
      await file.close();
    }
    await step(clock, POLL_MS); // the whole key: seen, then read again until it settled
    expect(watcher.key).toBe(CANARY_KEY);
    for (let waited = 0; waited < DEFAULT_KEY_SETTLE_MS; waited += POLL_MS) await step(clock, POLL_MS);
    expect(watcher.key).toBe(NEXT_KEY);
    expect(served).toEqual([NEXT_KEY]);
    expect(watcher.rotations).toBe(1);
    expect(logger.messages("warn")).toEqual([]);
  });

  it("keeps the current key when the file goes back to it before a new one settled", async () => {
    const path = join(temp.path, "key");
    await writeFile(path, CANARY_KEY);
    const clock = new ManualClock();
    const watcher = open({ path, pollIntervalMs: 1000, watch: false, clock });
    await writeFile(path, NEXT_KEY);
    await step(clock, 1000);
    await writeFile(path, CANARY_KEY);
    await step(clock, DEFAULT_KEY_SETTLE_MS);
    await step(clock, 1000);
    expect(watcher.key).toBe(CANARY_KEY);
    expect(watcher.rotations).toBe(0);
    expect(clock.pending).toBe(1); // the poll only: no confirmation left pending
  });

  it("adopts at once with settleMs: 0 (every writer replaces the file atomically)", async () => {
    const path = join(temp.path, "key");
    await writeFile(path, CANARY_KEY);
    const clock = new ManualClock();
    const watcher = open({ path, pollIntervalMs: 1000, watch: false, clock, settleMs: 0 });
    await writeFile(path, NEXT_KEY);
    await step(clock, 1000);
    expect(watcher.key).toBe(NEXT_KEY);
  });

  it("checks settleMs", () => {
    expect(problemsOf(() => open({ path: temp.path, settleMs: -1 }))).toContain(
      "settleMs must be a number of milliseconds from 0 to 60000 (got -1)",
    );
  });
});

describe("KeyFileWatcher: a file that is not a regular file, a stuck read", () => {
  // Was a bug: the poll opened a FIFO without O_NONBLOCK: the read never completed (on a libuv thread), no poll
  // followed, the old key was served and describe() showed no problem.
  it("reports a key file that becomes a FIFO, keeps the last good key, and keeps polling", async () => {
    const path = join(temp.path, "key");
    await writeFile(path, CANARY_KEY);
    const logger = createCaptureLogger();
    const watcher = open({ path, pollIntervalMs: POLL_MS, logger });
    makeFifo(`${path}.fifo`);
    await rename(`${path}.fifo`, path);
    try {
      await waitFor(() => watcher.problem !== undefined, {
        ...KEY_FILE_WAIT,
        what: "the FIFO to be reported",
      });
      const problem = `the key file ${path} is a named pipe (FIFO), ${NOT_REGULAR}`;
      expect(watcher.describe().keyFileProblem).toBe(problem);
      expect(watcher.key).toBe(CANARY_KEY);
      const started = reads.started.length;
      await waitFor(() => reads.started.length >= started + 3, { ...KEY_FILE_WAIT, what: "more polls" });
      expect(logger.messages("warn")).toEqual([
        `${problem}: keeping the last good key (fingerprint ${fingerprint(CANARY_KEY)})`,
      ]);

      await writeFile(`${path}.next`, NEXT_KEY);
      await rename(`${path}.next`, path);
      await waitFor(() => watcher.key === NEXT_KEY, { ...KEY_FILE_WAIT, what: "the next key" });
      expect(watcher.problem).toBeUndefined();
    } finally {
      releaseFifoReaders(path);
    }
  });

  it("reports a read that does not complete (a hung file system) once, and resumes polling when it does", async () => {
    const path = join(temp.path, "key");
    await writeFile(path, CANARY_KEY);
    const logger = createCaptureLogger();
    const clock = new ManualClock();
    const pollMs = 1000;
    const watcher = open({ path, pollIntervalMs: pollMs, watch: false, clock, logger });
    const stuckMs = Math.max(3 * pollMs, MIN_KEY_READ_STUCK_MS);
    let release: (reading: KeyFileReading) => void = () => undefined;
    reads.replace = () =>
      new Promise<KeyFileReading>((resolve) => {
        release = resolve;
      });

    await clock.advance(pollMs); // the poll starts a read that hangs
    expect(reads.started).toHaveLength(1);
    await clock.advance(stuckMs - 1);
    expect(watcher.describe().keyFileProblem).toBeUndefined();
    await clock.advance(1);
    const problem = `reading the key file ${path} has not completed after ${stuckMs} ms (a hung network file system or device?); no poll starts until it does`;
    expect(watcher.describe().keyFileProblem).toBe(problem);
    expect(watcher.key).toBe(CANARY_KEY);
    expect(logger.messages("warn")).toEqual([
      `${problem}: keeping the last good key (fingerprint ${fingerprint(CANARY_KEY)})`,
    ]);
    await clock.advance(10 * stuckMs); // no second warning, and no reads piled up behind the stuck one
    void watcher.check(); // joins the stuck read (a directory event would do the same)
    expect(logger.messages("warn")).toHaveLength(1);
    expect(reads.started).toHaveLength(1);

    reads.replace = undefined;
    release({ content: CANARY_KEY });
    await settleReads();
    expect(watcher.problem).toBeUndefined();
    expect(logger.messages("info")).toEqual(["the key file is readable again and holds the same key"]);
    const after = reads.started.length;
    await step(clock, pollMs);
    expect(reads.started).toHaveLength(after + 1);
  });
});

describe("KeyFileWatcher: dispose", () => {
  it("leaves no timer, watch or file handle behind, and fails clearly afterwards", async () => {
    const path = join(temp.path, "key");
    await writeFile(path, CANARY_KEY);
    const activeBefore = process.getActiveResourcesInfo().length;
    const tracked = trackAsyncResources(() => new KeyFileWatcher({ path, pollIntervalMs: 10 }));
    try {
      const watcher = tracked.value;
      await sleep(60); // a few polls: timers re-armed, reads done
      // Between two polls: one armed timer and the directory watch (a read may be in flight at any instant).
      await waitFor(() => tracked.alive(["Timeout", "FSEVENTWRAP"]).sort().join() === "FSEVENTWRAP,Timeout", {
        ...KEY_FILE_WAIT,
        what: "the watch and an armed poll timer",
      });

      watcher.dispose();
      watcher.dispose(); // idempotent
      await waitFor(
        () => tracked.alive(["Timeout", "FSEVENTWRAP", "FILEHANDLE", "FSREQCALLBACK"]).length === 0,
        { ...KEY_FILE_WAIT, timeoutMs: 2000, what: "the watcher's resources to be released" },
      );
      expect(process.getActiveResourcesInfo().length).toBeLessThanOrEqual(activeBefore);
      expect(watcher.describe()).toMatchObject({ watching: false, disposed: true });
      expect(() => watcher.key).toThrow(/KeyFileWatcher is disposed/);

      await writeFile(path, NEXT_KEY);
      await sleep(50);
      expect(watcher.rotations).toBe(0);
      expect(tracked.alive(["Timeout", "FSEVENTWRAP"])).toEqual([]);
    } finally {
      tracked.stop();
    }
  });
});
