import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { setTimeout as sleep, setImmediate as yieldToEventLoop } from "node:timers/promises";
import {
  DEFAULT_KEY_POLL_INTERVAL_MS,
  KeyFileWatcher,
  StaticKeyProviderConfigSource,
} from "@copilot-byok/static-key";
import { createCaptureLogger } from "@copilot-byok/test-utils/captureLogger";
import { KubernetesSecretVolume } from "@copilot-byok/test-utils/KubernetesSecretVolume";
import { createTempDir } from "@copilot-byok/test-utils/tempDir";
import type { ProviderConfig } from "@github/copilot-sdk";
import { afterEach, beforeEach, describe, expect, it } from "vitest";

// Rotation soak: 100 Kubernetes-style rotations (a new timestamped directory, the `..data` symlink swapped by
// rename, the old directory removed, as the kubelet's AtomicWriter does) while 10,000 getProviderConfig calls
// run from concurrent readers. Every key seen must be one of the keys written, whole (keys have different
// lengths, so a partial read would not match any), never empty, never older than one seen before; each new key
// must be adopted within the poll interval of its swap.

const ROTATIONS = 100;
const CALLS = 10_000;
const READERS = 4;
/** The source's poll interval: the default (the directory watch adopts a new key within milliseconds). */
const POLL_MS = DEFAULT_KEY_POLL_INTERVAL_MS;
/** The polling-only run: a short interval, as each adoption there takes up to a whole one. */
const POLLING_ONLY_MS = 40;
/**
 * Polling only: the next poll comes one interval after the previous read completed, so an adoption takes up to
 * interval + two reads; on a loaded 2-core machine (other test files, runtimes) the event loop adds its delays.
 */
const SLACK_MS = 250;
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
  readonly adoptionMs: number[];
  readonly calls: number;
  readonly written: Map<string, number>;
}

/**
 * Runs the rotations against `current()` (the key a new session would get), with `READERS` concurrent readers
 * calling `read()` until `CALLS` calls were made in all; checks every key read.
 */
async function soak(
  volume: KubernetesSecretVolume,
  first: string,
  pollMs: number,
  read: () => Promise<string[]>,
  onRotation: (listener: () => void) => void,
): Promise<Soak> {
  const salt = randomBytes(3).toString("hex");
  const written = new Map<string, number>([[first, 0]]);
  const adoptionMs: number[] = [];
  /** When the source adopted each key (its rotation event), to time the adoption itself. */
  const adoptedAt: number[] = [];
  onRotation(() => adoptedAt.push(performance.now()));
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
      const swapped = performance.now(); // from the start of the swap: an upper bound of the adoption time
      await volume.update({ "api-key": `${key}\n` });
      quota = (CALLS * i) / ROTATIONS; // the readers' calls of this round run while the new key is adopted
      for (;;) {
        const [current] = await read();
        if (current === key) break;
        if (performance.now() - swapped > pollMs + 2_000) {
          problems.push(`key ${i} not adopted within ${pollMs + 2_000} ms`);
          break;
        }
        await sleep(1);
      }
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

describe("rotation soak", () => {
  it(`${ROTATIONS} symlink-swap rotations during ${CALLS} getProviderConfig calls: whole keys only, each adopted within the poll interval`, async () => {
    const first = keyFor(0, "first");
    const volume = await KubernetesSecretVolume.create(join(temp.path, "secret"), {
      "api-key": `${first}\n`,
    });
    const logger = createCaptureLogger();
    const source = new StaticKeyProviderConfigSource({
      baseUrl: "http://127.0.0.1:9/openai/v1/",
      apiKeyFile: volume.path("api-key"),
      pollIntervalMs: POLL_MS,
      logger,
    });
    try {
      expect(source.describe().watching).toBe(true);
      const { adoptionMs, calls } = await soak(
        volume,
        first,
        POLL_MS,
        async () => {
          const config: ProviderConfig = await source.getProviderConfig();
          const perRequest = await (
            config.bearerTokenProvider as NonNullable<ProviderConfig["bearerTokenProvider"]>
          )(CONTEXT);
          return [config.apiKey as string, perRequest];
        },
        (listener) => source.onKeyRotated(listener),
      );
      expect(calls).toBeGreaterThanOrEqual(CALLS);
      expect(Math.max(...adoptionMs)).toBeLessThan(POLL_MS);
      expect(source.describe().rotations).toBe(ROTATIONS);
      // Never a torn read: the watcher never found the file missing, empty or invalid.
      expect(logger.events.filter((e) => e.level !== "info" && e.level !== "debug")).toEqual([]);
      expect(logger.events.filter((e) => /static key rotated/.test(e.message))).toHaveLength(ROTATIONS);
    } finally {
      source.dispose();
    }
  }, 60_000);

  it(`${ROTATIONS} rotations with polling only (no directory watch): each adopted within the poll interval plus scheduling slack`, async () => {
    const first = keyFor(0, "first");
    const volume = await KubernetesSecretVolume.create(join(temp.path, "secret"), {
      "api-key": `${first}\n`,
    });
    const logger = createCaptureLogger();
    const watcher = new KeyFileWatcher({
      path: volume.path("api-key"),
      pollIntervalMs: POLLING_ONLY_MS,
      watch: false,
      logger,
    });
    try {
      expect(watcher.describe().watching).toBe(false);
      const { adoptionMs, calls } = await soak(
        volume,
        first,
        POLLING_ONLY_MS,
        async () => [watcher.key],
        (listener) => watcher.onRotation(listener),
      );
      expect(calls).toBeGreaterThanOrEqual(CALLS);
      expect(Math.max(...adoptionMs)).toBeLessThan(POLLING_ONLY_MS + SLACK_MS);
      expect(watcher.rotations).toBe(ROTATIONS);
      expect(logger.events.filter((e) => e.level === "warn" || e.level === "error")).toEqual([]);
    } finally {
      watcher.dispose();
    }
  }, 60_000);
});
