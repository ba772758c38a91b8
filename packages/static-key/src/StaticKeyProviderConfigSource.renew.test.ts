import { mkdir, rename, symlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { CopilotByokError, fingerprint } from "@copilot-byok/core";
import { createCaptureLogger } from "@copilot-byok/test-utils/captureLogger";
import { flush, ManualClock } from "@copilot-byok/test-utils/ManualClock";
import { createTempDir } from "@copilot-byok/test-utils/tempDir";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { MIN_KEY_READ_STUCK_MS } from "./KeyFileWatcherOptions.js";
import type { KeyRotation } from "./KeyRotation.js";
import type { KeyFileReading } from "./readKeyFile.js";
import {
  StaticKeyProviderConfigSource,
  type StaticKeyProviderConfigSourceOptions,
} from "./StaticKeyProviderConfigSource.js";
import { CANARY_KEY } from "./test-support/canary.js";

// renewCredential: the provider refused a key (a 401). Time is a manual clock with a poll far away (60 s), and the
// key file is a symlink into another directory, so that neither the poll nor a directory event reads it: every read
// counted below is one the renewal started.

const RESOURCE = "https://r.services.ai.azure.com";
const NEXT_KEY = "next-static-key-9c8b7a6d5e4f3a2b1c0d9e8f";
const POLL_MS = 60_000;

// Every read of the key file after the first (synchronous) one goes through here: counted, or replaced (a hang).
const reads = vi.hoisted(() => ({
  started: [] as Promise<unknown>[],
  replace: undefined as undefined | (() => Promise<unknown>),
}));
vi.mock("./readKeyFile.js", async (importOriginal) => {
  const actual = await importOriginal<typeof import("./readKeyFile.js")>();
  return {
    ...actual,
    readKeyFile: (path: string, label: string) => {
      const read = reads.replace ? reads.replace() : actual.readKeyFile(path, label);
      reads.started.push(read);
      return read;
    },
  };
});

let temp: { path: string; remove(): Promise<void> };
/** The key file the source reads (a symlink) and the file it points to (the one tests rewrite). */
let link: string;
let target: string;
const sources: StaticKeyProviderConfigSource[] = [];
const create = (options: Partial<StaticKeyProviderConfigSourceOptions> = {}) => {
  const source = new StaticKeyProviderConfigSource({
    resourceUrl: RESOURCE,
    apiKeyFile: link,
    pollIntervalMs: POLL_MS,
    ...options,
  });
  sources.push(source);
  return source;
};

/** Replaces the key file's content in one step (written beside it, then renamed over it). */
async function rotate(content: string): Promise<void> {
  await writeFile(`${target}.next`, content);
  await rename(`${target}.next`, target);
  await sleep(20); // real time for a directory event, were there one: there is none
}

beforeEach(async () => {
  temp = await createTempDir("static-key-");
  await mkdir(join(temp.path, "secrets"));
  await mkdir(join(temp.path, "app"));
  target = join(temp.path, "secrets", "key");
  link = join(temp.path, "app", "key");
  await writeFile(target, `${CANARY_KEY}\n`);
  await symlink(target, link);
});
afterEach(async () => {
  for (const s of sources.splice(0)) s.dispose();
  reads.replace = undefined;
  reads.started.length = 0;
  await temp.remove();
});

describe("StaticKeyProviderConfigSource.renewCredential: a key file", () => {
  it("re-reads a rotated file at once and adopts the new key without the poll or the settle time", async () => {
    const clock = new ManualClock();
    const logger = createCaptureLogger();
    const source = create({ clock, logger });
    const rotations: KeyRotation[] = [];
    source.onKeyRotated((rotation) => rotations.push(rotation));
    const created = clock.now();
    const refused = await source.getCredential();
    expect(refused).toEqual({ kind: "api-key", value: CANARY_KEY, obtainedOn: created });

    await rotate(`${NEXT_KEY}\n`);
    await clock.advance(1_000); // far from the poll: the source still serves the old key
    expect(reads.started).toHaveLength(0);
    expect((await source.getCredential()).value).toBe(CANARY_KEY);

    const renewed = await source.renewCredential({ credential: refused, status: 401 });
    expect(renewed).toEqual({ kind: "api-key", value: NEXT_KEY, obtainedOn: created + 1_000 });
    expect(reads.started).toHaveLength(1);
    expect(clock.pendingIn()).toEqual([POLL_MS - 1_000]); // the poll only: no settle-time confirmation
    expect(await source.getCredential()).toEqual(renewed);
    expect((await source.getProviderConfig()).apiKey).toBe(NEXT_KEY);
    expect(rotations).toEqual([
      expect.objectContaining({
        previousFingerprint: fingerprint(CANARY_KEY),
        fingerprint: fingerprint(NEXT_KEY),
        rotations: 1,
        trigger: "refusal",
      }),
    ]);
    expect(logger.messages("info")).toContain(
      "static key rotated: the provider refused the key, and the key file, re-read at once, holds a new key",
    );
    expect(source.describe()).toMatchObject({ rotations: 1, fingerprint: fingerprint(NEXT_KEY) });
    expect(logger.text()).not.toContain(CANARY_KEY);
    expect(logger.text()).not.toContain(NEXT_KEY);
  });

  it("shares one read among 50 concurrent renewals of the same refused key", async () => {
    const source = create({ clock: new ManualClock() });
    const refused = await source.getCredential();
    await rotate(NEXT_KEY);
    const renewed = await Promise.all(
      Array.from({ length: 50 }, () => source.renewCredential({ credential: refused, status: 401 })),
    );
    expect(reads.started).toHaveLength(1);
    expect(new Set(renewed.map((c) => c.value))).toEqual(new Set([NEXT_KEY]));
    expect(source.describe().rotations).toBe(1);
  });

  it("answers the current key without a read for a refused key that is no longer current", async () => {
    const source = create({ clock: new ManualClock() });
    const refused = await source.getCredential();
    await rotate(NEXT_KEY);
    await source.renewCredential({ credential: refused, status: 401 });
    expect(reads.started).toHaveLength(1);

    // The runtime's own retry of the old key, and a key this source never handed out.
    const again = await source.renewCredential({ credential: refused, status: 401 });
    const foreign = await source.renewCredential({
      credential: { kind: "api-key", value: "some-other-key-0123456789abcdef" },
      status: 401,
    });
    expect(again.value).toBe(NEXT_KEY);
    expect(foreign.value).toBe(NEXT_KEY);
    expect(reads.started).toHaveLength(1);
  });

  it("answers the same key when the file still holds it, reading once per refused key", async () => {
    const clock = new ManualClock();
    const source = create({ clock });
    const refused = await source.getCredential();
    const renewed = await Promise.all(
      Array.from({ length: 50 }, () => source.renewCredential({ credential: refused, status: 401 })),
    );
    expect(renewed.every((c) => c.value === CANARY_KEY && c.obtainedOn === refused.obtainedOn)).toBe(true);
    expect(reads.started).toHaveLength(1);
    // A later refusal of that key (the runtime retrying): the file was read for it already.
    await source.renewCredential({ credential: refused, status: 401 });
    expect(reads.started).toHaveLength(1);
    expect(source.describe().rotations).toBe(0);
  });

  it("reads again for a key adopted later and refused in its turn", async () => {
    const source = create({ clock: new ManualClock() });
    const first = await source.getCredential();
    await rotate(NEXT_KEY);
    const second = await source.renewCredential({ credential: first, status: 401 });
    await rotate(CANARY_KEY); // back to the first key, then that one is refused: a renewal of its own
    const third = await source.renewCredential({ credential: second, status: 401 });
    expect(third.value).toBe(CANARY_KEY);
    expect(reads.started).toHaveLength(2);
  });

  it("does not adopt a file that holds no valid key: the same key, the problem reported", async () => {
    const logger = createCaptureLogger();
    const source = create({ clock: new ManualClock(), logger });
    const refused = await source.getCredential();
    await rotate("half-a-key\n");
    const renewed = await source.renewCredential({ credential: refused, status: 401 });
    expect(renewed.value).toBe(CANARY_KEY);
    expect(source.describe().keyFileProblem).toMatch(/is 10 characters long/);
    expect(logger.messages("warn")).toEqual([expect.stringMatching(/keeping the last good key/)]);
  });

  it("waits for a read in flight, then reads anew and adopts at once", async () => {
    const clock = new ManualClock();
    const source = create({ clock });
    const refused = await source.getCredential();
    let release: (reading: KeyFileReading) => void = () => undefined;
    reads.replace = () =>
      new Promise<KeyFileReading>((resolve) => {
        release = resolve;
      });
    await clock.advance(POLL_MS); // the poll starts a read that has not completed yet
    expect(reads.started).toHaveLength(1);
    reads.replace = undefined;
    await rotate(NEXT_KEY);

    const renewal = source.renewCredential({ credential: refused, status: 401 });
    await flush();
    expect(reads.started).toHaveLength(1); // no second read while one is in flight
    release({ content: CANARY_KEY }); // the poll's read, begun before the rotation
    expect((await renewal).value).toBe(NEXT_KEY);
    expect(reads.started).toHaveLength(2);
  });

  it("answers the current key when the read hangs, once it is reported stuck", async () => {
    const clock = new ManualClock();
    const source = create({ clock, pollIntervalMs: 1_000 });
    const refused = await source.getCredential();
    reads.replace = () => new Promise<never>(() => undefined);
    let answered: string | undefined;
    void source.renewCredential({ credential: refused, status: 401 }).then((c) => {
      answered = c.value;
    });
    await clock.advance(MIN_KEY_READ_STUCK_MS - 1);
    expect(answered).toBeUndefined();
    await clock.advance(1);
    expect(answered).toBe(CANARY_KEY);
    expect(source.describe().keyFileProblem).toMatch(/has not completed after 5000 ms/);
  });

  it("abandons one caller's wait on its signal; the shared read goes on for the others", async () => {
    const source = create({ clock: new ManualClock() });
    const refused = await source.getCredential();
    let release: (reading: KeyFileReading) => void = () => undefined;
    reads.replace = () =>
      new Promise<KeyFileReading>((resolve) => {
        release = resolve;
      });
    const controller = new AbortController();
    const abandoned = source.renewCredential({ credential: refused, status: 401, signal: controller.signal });
    const waiting = source.renewCredential({ credential: refused, status: 401 });
    controller.abort(new Error("caller gave up"));
    await expect(abandoned).rejects.toThrow("caller gave up");
    release({ content: NEXT_KEY });
    expect((await waiting).value).toBe(NEXT_KEY);
    expect(reads.started).toHaveLength(1);

    await expect(
      source.renewCredential({ credential: refused, status: 401, signal: AbortSignal.abort() }),
    ).rejects.toThrow(/abort/i);
  });

  it("fails clearly once disposed", async () => {
    const source = create();
    const refused = await source.getCredential();
    source.dispose();
    const error = await source.renewCredential({ credential: refused, status: 401 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CopilotByokError);
    expect(String(error)).toMatch(/disposed/);
    expect(reads.started).toHaveLength(0);
  });
});

describe("StaticKeyProviderConfigSource.renewCredential: a key from a variable or an option", () => {
  it("answers the same key, obtained when the source was created: it cannot change", async () => {
    const clock = new ManualClock();
    const created = clock.now();
    const source = StaticKeyProviderConfigSource.fromEnv(
      { AZURE_AI_FOUNDRY_RESOURCE_URL: RESOURCE, COPILOT_PROVIDER_API_KEY: CANARY_KEY },
      { clock },
    );
    sources.push(source);
    await clock.advance(5_000);
    const refused = await source.getCredential();
    expect(refused).toEqual({ kind: "api-key", value: CANARY_KEY, obtainedOn: created });
    expect(await source.renewCredential({ credential: refused, status: 401 })).toEqual(refused);
    expect(reads.started).toHaveLength(0);

    const option = create({ apiKeyFile: undefined, apiKey: CANARY_KEY });
    const fromOption = await option.getCredential();
    expect(await option.renewCredential({ credential: fromOption, status: 401 })).toEqual(fromOption);
  });
});
