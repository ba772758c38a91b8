import { mkdir, rename, rm, symlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { inspect } from "node:util";
import { fingerprint } from "@copilot-byok/core";
import { createCaptureLogger } from "@copilot-byok/test-utils/captureLogger";
import { problemsOf } from "@copilot-byok/test-utils/configurationErrorOf";
import { KubernetesSecretVolume } from "@copilot-byok/test-utils/KubernetesSecretVolume";
import { createTempDir } from "@copilot-byok/test-utils/tempDir";
import { trackAsyncResources } from "@copilot-byok/test-utils/trackAsyncResources";
import { waitFor } from "@copilot-byok/test-utils/waitFor";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { KeyFileWatcher } from "./KeyFileWatcher.js";
import { CANARY_JWT, CANARY_KEY } from "./test-support/canary.js";
import { KEY_FILE_WAIT } from "./test-support/keyFileWait.js";

const POLL_MS = 50;
const NEXT_KEY = "next-static-key-9c8b7a6d5e4f3a2b1c0d9e8f";

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
    const watcher = open({ path, pollIntervalMs: POLL_MS, logger });

    await rm(path);
    await waitFor(() => watcher.problem !== undefined, {
      ...KEY_FILE_WAIT,
      what: "the deletion to be noticed",
    });
    expect(watcher.key).toBe(CANARY_KEY);
    await sleep(POLL_MS * 4); // several polls while missing: still one warning
    const warnings = logger.messages("warn");
    expect(warnings).toEqual([
      `the key file ${path} does not exist: keeping the last good key (fingerprint ${fingerprint(CANARY_KEY)})`,
    ]);
    expect(watcher.describe()).toMatchObject({ keyFileProblem: `the key file ${path} does not exist` });

    await writeFile(path, `${NEXT_KEY}\n`);
    await waitFor(() => watcher.key === NEXT_KEY, { ...KEY_FILE_WAIT, what: "the next key" });
    expect(watcher.problem).toBeUndefined();
    expect(watcher.rotations).toBe(1);
    expect(logger.text()).not.toContain(CANARY_KEY);
    expect(logger.text()).not.toContain(NEXT_KEY);
  });

  it.each([
    ["empty", ""],
    ["a JWT", CANARY_JWT],
    ["a key with a space inside", "half of a key"],
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

  it("adopts a key replaced behind a symlink from another directory by polling alone", async () => {
    // The watched directory (of the link) sees no event: only the poll can notice.
    const secrets = join(temp.path, "elsewhere");
    await mkdir(secrets);
    const target = join(secrets, "key");
    await writeFile(target, CANARY_KEY);
    const app = join(temp.path, "app");
    await mkdir(app);
    const path = join(app, "key");
    await symlink(target, path);
    const watcher = open({ path, pollIntervalMs: POLL_MS });

    await writeFile(join(secrets, "key.tmp"), `${NEXT_KEY}\n`);
    await rename(join(secrets, "key.tmp"), target);
    const waited = await waitFor(() => watcher.key === NEXT_KEY, {
      ...KEY_FILE_WAIT,
      what: "the polled key",
    });
    expect(waited).toBeLessThan(POLL_MS + 1000); // within the poll interval, with generous slack for a busy machine
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
