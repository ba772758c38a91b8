import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { setTimeout as sleep, setImmediate as yieldToEventLoop } from "node:timers/promises";
import {
  KeyFileWatcher,
  MAX_KEY_POLL_INTERVAL_MS,
  StaticKeyProviderConfigSource,
} from "@copilot-byok/static-key";
import { createCaptureLogger } from "@copilot-byok/test-utils/captureLogger";
import { KubernetesSecretVolume } from "@copilot-byok/test-utils/KubernetesSecretVolume";
import { ManualClock } from "@copilot-byok/test-utils/ManualClock";
import { createTempDir } from "@copilot-byok/test-utils/tempDir";
import type { ProviderConfig } from "@github/copilot-sdk";
import { afterEach, beforeEach, describe, expect, it } from "vitest";

// Rotation soak: 100 Kubernetes-style rotations (a new timestamped directory, the `..data` symlink swapped by
// rename, the old directory removed, as the kubelet's AtomicWriter does) while 10,000 getProviderConfig calls
// run from concurrent readers. Every key seen must be one of the keys written, whole (keys have different
// lengths, so a partial read would not match any), never empty, never older than one seen before; each new key
// is adopted: through the directory watch alone (the poll set to an hour, so that it never runs), and, in a
// polling-only run on a manual clock, within one poll interval plus the settle time of clock time, never sooner
// than the settle time. No bound on elapsed real time: that depends on the machine's load, not on the code.

const ROTATIONS = 100;
const CALLS = 10_000;
const READERS = 4;
/** The polling-only run: a short interval, as each adoption there takes up to a whole one. */
const POLLING_ONLY_MS = 40;
/** How long the rotator waits for one adoption before it reports it missing: a guard against a hang, no target. */
const GIVE_UP_MS = 15_000;
const CONTEXT = { providerName: "default", sessionId: "soak" };

/** Key `i`: a distinct length for each i (a partial key cannot pass for another). */
const keyFor = (i: number, salt: string) =>
  `k${i}-${salt}-${"x".repeat(i % 17)}${randomBytes(8).toString("hex")}`;

let temp: Awaited<ReturnType<typeof createTempDir>>;
beforeEach(async () => {
  temp = await createTempDir("reliability-soak-");
});
afterEach(async () => {
  await temp.remove();
});

interface Soak {
  /** For each rotation, the time from the start of the swap to the rotation event, on `now`. */
  readonly adoptionMs: number[];
  readonly calls: number;
  readonly written: Map<string, number>;
}

/**
 * Runs the rotations, with `READERS` concurrent readers calling `read()` (the keys a new session and a running
 * one would get) until `CALLS` calls were made in all; checks every key read. After each swap, `adopt(key)`
 * brings the source to adopt the key (waits for it, or drives its clock); it resolves `false` if it gave up.
 */
async function soak(
  volume: KubernetesSecretVolume,
  first: string,
  read: () => Promise<string[]>,
  onRotation: (listener: () => void) => void,
  adopt: (key: string) => Promise<boolean>,
  now: () => number,
): Promise<Soak> {
  const salt = randomBytes(3).toString("hex");
  const written = new Map<string, number>([[first, 0]]);
  const adoptionMs: number[] = [];
  /** When the source adopted each key (its rotation event), to time the adoption itself. */
  const adoptedAt: number[] = [];
  onRotation(() => adoptedAt.push(now()));
  let calls = 0;
  /** Calls the readers may have made so far: raised by the rotator at each swap. */
  let quota = 0;
  let latest = 0;
  let done = false;
  const problems: string[] = [];

  const check = (key: string, seenIndex: number): number => {
    const index = written.get(key);
    if (index === undefined) {
      problems.push(`a key that was never written whole (length ${key.length})`);
      return seenIndex;
    }
    if (index < seenIndex) problems.push(`key ${index} after key ${seenIndex}: a rotation went backwards`);
    return Math.max(seenIndex, index);
  };

  const reader = async () => {
    let seen = 0;
    while (!done) {
      if (calls >= quota) {
        await sleep(1);
        continue;
      }
      calls++;
      for (const key of await read()) seen = check(key, seen);
      if (calls % 10 === 0) await yieldToEventLoop();
    }
  };

  const rotator = async () => {
    for (let i = 1; i <= ROTATIONS; i++) {
      const key = keyFor(i, salt);
      written.set(key, i);
      const swapped = now(); // from the start of the swap: an upper bound of the adoption time
      await volume.update({ "api-key": `${key}\n` });
      quota = (CALLS * i) / ROTATIONS; // the readers' calls of this round run while the new key is adopted
      if (!(await adopt(key))) problems.push(`key ${i} was not adopted`);
      const [current] = await read();
      if (current !== key) problems.push(`key ${i} adopted, but not served`);
      adoptionMs.push((adoptedAt[i - 1] ?? Number.POSITIVE_INFINITY) - swapped);
      latest = i;
      while (calls < quota) await sleep(1);
    }
    done = true;
  };

  await Promise.all([rotator(), ...Array.from({ length: READERS }, reader)]);
  expect(problems).toEqual([]);
  expect(latest).toBe(ROTATIONS);
  return { adoptionMs, calls, written };
}

/** Waits (real time) until `read()` serves `key`; `false` after {@link GIVE_UP_MS}. */
async function waitUntilServed(read: () => Promise<string[]>, key: string): Promise<boolean> {
  const start = performance.now();
  while ((await read())[0] !== key) {
    if (performance.now() - start > GIVE_UP_MS) return false;
    await sleep(1);
  }
  return true;
}

describe("rotation soak", () => {
  it(`${ROTATIONS} symlink-swap rotations during ${CALLS} getProviderConfig calls: whole keys only, in order, each adopted through the directory watch alone`, async () => {
    const first = keyFor(0, "first");
    const volume = await KubernetesSecretVolume.create(join(temp.path, "secret"), {
      "api-key": `${first}\n`,
    });
    const logger = createCaptureLogger();
    const source = new StaticKeyProviderConfigSource({
      baseUrl: "http://127.0.0.1:9/openai/v1/",
      apiKeyFile: volume.path("api-key"),
      // An hour: no poll runs during the test, so every adoption comes from the directory watch.
      pollIntervalMs: MAX_KEY_POLL_INTERVAL_MS,
      logger,
    });
    try {
      expect(source.describe().watching).toBe(true);
      const read = async () => {
        const config: ProviderConfig = await source.getProviderConfig();
        const perRequest = await (
          config.bearerTokenProvider as NonNullable<ProviderConfig["bearerTokenProvider"]>
        )(CONTEXT);
        return [config.apiKey as string, perRequest];
      };
      const { adoptionMs, calls } = await soak(
        volume,
        first,
        read,
        (listener) => source.onKeyRotated(listener),
        (key) => waitUntilServed(read, key),
        () => performance.now(),
      );
      expect(calls).toBeGreaterThanOrEqual(CALLS);
      expect(adoptionMs.every((ms) => Number.isFinite(ms))).toBe(true); // each one through a rotation event
      expect(source.describe().rotations).toBe(ROTATIONS);
      // Never a torn read: the watcher never found the file missing, empty or invalid.
      expect(logger.events.filter((e) => e.level !== "info" && e.level !== "debug")).toEqual([]);
      expect(logger.events.filter((e) => /static key rotated/.test(e.message))).toHaveLength(ROTATIONS);
    } finally {
      source.dispose();
    }
  }, 60_000);

  it(`${ROTATIONS} rotations with polling only (no directory watch), on a manual clock: each adopted within one poll interval plus the settle time, never sooner than the settle time`, async () => {
    const first = keyFor(0, "first");
    const volume = await KubernetesSecretVolume.create(join(temp.path, "secret"), {
      "api-key": `${first}\n`,
    });
    const logger = createCaptureLogger();
    const clock = new ManualClock();
    const watcher = new KeyFileWatcher({
      path: volume.path("api-key"),
      pollIntervalMs: POLLING_ONLY_MS,
      watch: false,
      logger,
      clock,
    });
    // The clock moves only here: to the next timer of the watcher (a poll, the settle time's second read), once
    // the reads it started are done (check() joins them), so clock times are exact whatever the load.
    const adopt = async (key: string) => {
      for (let step = 0; step < 1_000 && watcher.key !== key; step++) {
        await clock.advance(Math.min(...clock.pendingIn()));
        await watcher.check();
      }
      return watcher.key === key;
    };
    try {
      expect(watcher.describe().watching).toBe(false);
      const { adoptionMs, calls } = await soak(
        volume,
        first,
        async () => [watcher.key],
        (listener) => watcher.onRotation(listener),
        adopt,
        () => clock.now(),
      );
      expect(calls).toBeGreaterThanOrEqual(CALLS);
      expect(Math.max(...adoptionMs)).toBeLessThanOrEqual(POLLING_ONLY_MS + watcher.settleMs);
      expect(Math.min(...adoptionMs)).toBeGreaterThanOrEqual(watcher.settleMs);
      expect(watcher.rotations).toBe(ROTATIONS);
      expect(logger.events.filter((e) => e.level === "warn" || e.level === "error")).toEqual([]);
    } finally {
      watcher.dispose();
    }
  }, 60_000);
});
