import { describe, expect, it } from "vitest";
import { HOUR, setup } from "./test-support/refreshingCacheKit.js";

// renew(rejected): the provider refused a value; one renewal per refused value, shared by every caller.

function renewals(fetchOptions: Array<{ renewal?: boolean }>): number {
  return fetchOptions.filter((o) => o.renewal === true).length;
}

function recordingSetup() {
  const seen: Array<{ renewal?: boolean }> = [];
  const kit = setup();
  const fetch = kit.fetcher.fetch;
  const wrapped = setup({
    fetch: (options) => {
      seen.push({ ...(options.renewal ? { renewal: options.renewal } : {}) });
      return fetch(options);
    },
  });
  return { ...wrapped, fetcher: kit.fetcher, seen };
}

describe("RefreshingCache.renew", () => {
  it("fetches anew, told it is a renewal, when the refused value is the cached one", async () => {
    const { cache, fetcher, seen, events } = recordingSetup();
    fetcher.script({ value: "v1", lifeMs: HOUR }, { value: "v2", lifeMs: HOUR });
    expect(await cache.get()).toBe("v1");
    expect(await cache.renew("v1")).toBe("v2");
    expect(await cache.get()).toBe("v2");
    expect(seen).toEqual([{}, { renewal: true }]);
    expect(events.find((e) => e.type === "refresh-started" && e.renewal)?.message).toContain(
      "because the provider refused the current one",
    );
  });

  it("makes one renewal for 100 concurrent refusals of one value", async () => {
    const { cache, fetcher, seen } = recordingSetup();
    fetcher.script({ value: "v1", lifeMs: HOUR }, { value: "v2", lifeMs: HOUR });
    await cache.get();
    const renewed = await Promise.all(Array.from({ length: 100 }, () => cache.renew("v1")));
    expect(new Set(renewed)).toEqual(new Set(["v2"]));
    expect(renewals(seen)).toBe(1);
    // A late refusal of v1 (a request sent before the renewal) answers v2 without fetching.
    expect(await cache.renew("v1")).toBe("v2");
    expect(seen).toHaveLength(2);
  });

  it("answers the current value, without fetching, for a refused value that is no longer current", async () => {
    const { cache, fetcher, seen } = recordingSetup();
    fetcher.script({ value: "v1", lifeMs: HOUR });
    await cache.get();
    expect(await cache.renew("v0")).toBe("v1");
    expect(seen).toHaveLength(1);
  });

  it("renews from a value once: a credential that hands back the same value is not asked again for it", async () => {
    const { cache, fetcher, seen } = recordingSetup();
    fetcher.script({ value: "v1", lifeMs: HOUR });
    await cache.get();
    expect(await cache.renew("v1")).toBe("v1");
    expect(await cache.renew("v1")).toBe("v1");
    expect(renewals(seen)).toBe(1);
  });

  it("rejects as get does when the renewal fails, and a caller's abort ends only its own wait", async () => {
    const { cache, fetcher } = recordingSetup();
    fetcher.script({ value: "v1", lifeMs: HOUR });
    await cache.get();
    const deferred = fetcher.next();
    const aborted = new AbortController();
    const leaving = cache.renew("v1", { signal: aborted.signal });
    const staying = cache.renew("v1");
    aborted.abort();
    await expect(leaving).rejects.toMatchObject({ reason: "aborted" });
    deferred.reject(new Error("token endpoint down"));
    await expect(staying).rejects.toMatchObject({
      name: "TokenAcquisitionError",
      reason: "credential-error",
    });
  });

  it("refuses after dispose", async () => {
    const { cache, fetcher } = recordingSetup();
    fetcher.script({ value: "v1", lifeMs: HOUR });
    await cache.get();
    cache.dispose();
    await expect(cache.renew("v1")).rejects.toMatchObject({ name: "DisposedError" });
  });
});
