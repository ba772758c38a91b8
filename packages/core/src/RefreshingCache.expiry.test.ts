import { describe, expect, it } from "vitest";
import { HOUR, MINUTE, START, setup } from "./test-support/refreshingCacheKit.js";

// Implausible expiries on an injected clock: see plausibleExpiry.ts for the rules.

const iso = (ms: number) => new Date(ms).toISOString();

describe("RefreshingCache: implausible expiries", () => {
  it("hands a value whose expiry is already past (seconds, not ms) to its callers once, without caching it", async () => {
    const { cache, fetcher, events } = setup();
    fetcher.script({ answer: (now) => ({ value: "v1", expiresOnTimestamp: Math.floor(now / 1000) }) });
    const callers = [cache.get(), cache.get()];
    expect(await Promise.all(callers)).toEqual(["v1", "v1"]);
    expect(events.find((e) => e.type === "implausible-expiry")).toMatchObject({
      message: `KeyService returned a key for key-1 with an implausible expiry ${Math.floor(START / 1000)} (${iso(Math.floor(START / 1000))}) (already past: seconds where milliseconds belong?); the key is used once and not cached`,
      credentialName: "KeyService",
      subject: "key-1",
    });
    expect(cache.status()).toMatchObject({ state: "empty" });
    expect(cache.status().lastError).toContain("already expired or about to");
    expect(await cache.get()).toBe("v1");
    expect(fetcher.calls).toHaveLength(2);
  });

  it("falls back to the value's own expiry (expiryFromValue), named by its label", async () => {
    const own = START + 2 * HOUR;
    const labelled = setup({ expiryFromValue: () => own, expiryFromValueLabel: "the token's exp claim" });
    labelled.fetcher.script({ answer: () => ({ value: "v1", expiresOnTimestamp: Number.NaN }) });
    expect(await labelled.cache.get()).toBe("v1");
    expect(await labelled.cache.get()).toBe("v1");
    expect(labelled.fetcher.calls).toHaveLength(1);
    expect(labelled.cache.status().expiresOn).toBe(iso(own));
    expect(labelled.events.find((e) => e.type === "implausible-expiry")?.message).toBe(
      `KeyService returned a key for key-1 with an implausible expiry NaN (not a number); using the token's exp claim (${iso(own)})`,
    );

    const unlabelled = setup({ expiryFromValue: () => own });
    unlabelled.fetcher.script({ answer: (now) => ({ value: "v1", expiresOnTimestamp: now - HOUR }) });
    await unlabelled.cache.get();
    expect(unlabelled.events.find((e) => e.type === "implausible-expiry")?.message).toContain(
      "(already past: is the clock of this machine right?); using the key's own expiry",
    );
  });

  it("assumes one hour for an expiry more than 10 years ahead (ms counted as seconds) with no own expiry", async () => {
    const { cache, clock, fetcher, events } = setup({
      expiryFromValue: () => {
        throw new Error("not readable"); // counts as none
      },
    });
    fetcher.script({ answer: (now) => ({ value: "v1", expiresOnTimestamp: (now + HOUR) * 1000 }) });
    await cache.get();
    expect(events.find((e) => e.type === "implausible-expiry")?.message).toContain(
      "(more than 10 years ahead: milliseconds counted as seconds?); assuming a lifetime of 60 minutes",
    );
    expect(cache.status().expiresOn).toBe(iso(START + HOUR));
    await clock.advance(HOUR);
    await cache.get();
    expect(fetcher.calls).toHaveLength(2);
  });

  it("keeps the previous value when a background refresh brings an expired one (a failed refresh)", async () => {
    const { cache, clock, fetcher, events } = setup();
    fetcher.script(
      { value: "v1", lifeMs: HOUR },
      { answer: (now) => ({ value: "stale", expiresOnTimestamp: now - 1 }) },
    );
    await cache.get();
    await clock.advance(56 * MINUTE);
    await cache.get();
    await clock.advance(0);
    expect(await cache.get()).toBe("v1");
    expect(events.at(-1)).toMatchObject({
      type: "refresh-failed",
      background: true,
      error: { reason: "implausible-expiry" },
      retryInMs: 1_000,
    });
    cache.dispose();
  });

  it("treats a value that expires within the 5 s margin as not cacheable", async () => {
    const { cache, fetcher } = setup();
    fetcher.script({ value: "v1", lifeMs: 5_000 });
    expect(await cache.get()).toBe("v1");
    expect(cache.status().state).toBe("empty");
    await cache.get();
    expect(fetcher.calls).toHaveLength(2);
  });
});
