import { describe, expect, it } from "vitest";
import { ApiKeys, keyFingerprint } from "./ApiKeys.js";

describe("ApiKeys", () => {
  it("fingerprints a key as core's fingerprint does: sha256: and 8 hex digits", () => {
    expect(keyFingerprint("abc")).toBe("sha256:ba7816bf");
    expect(keyFingerprint("key-one")).not.toBe(keyFingerprint("key-two"));
  });

  it("regenerates the first key by default, or the one named, and restores the list", () => {
    const keys = new ApiKeys(["key1", "key2"]);
    const fresh = keys.regenerate();
    expect(fresh).toMatch(/^[0-9a-f]{32}$/);
    expect(keys.current).toEqual([fresh, "key2"]);
    expect([keys.includes("key1"), keys.includes(fresh), keys.includes("key2")]).toEqual([false, true, true]);
    const second = keys.regenerate("key2");
    expect(keys.current).toEqual([fresh, second]);
    keys.restore();
    expect(keys.current).toEqual(["key1", "key2"]);
  });

  it("refuses to regenerate a key it does not hold, none at all, or keys read from a function", () => {
    expect(() => new ApiKeys(["key1"]).regenerate("nope")).toThrow(
      `regenerateKey: ${keyFingerprint("nope")} is not a key of this resource`,
    );
    expect(() => new ApiKeys(undefined).regenerate()).toThrow(/no key to regenerate/);
    let list = ["a"];
    const keys = new ApiKeys(() => list);
    expect(() => keys.regenerate()).toThrow(/apiKeys is a function; rotate by changing what it returns/);
    list = ["b"];
    expect([keys.includes("a"), keys.includes("b")]).toEqual([false, true]);
  });
});
