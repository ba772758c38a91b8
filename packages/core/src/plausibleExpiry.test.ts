import { describe, expect, it } from "vitest";
import { describeExpiry, FALLBACK_LIFETIME_MS, isoTime, plausibleExpiry } from "./plausibleExpiry.js";

const NOW = Date.UTC(2030, 0, 1);
const HOUR = 3_600_000;

describe("plausibleExpiry", () => {
  it("uses a future expiry up to 10 years ahead as it is", () => {
    expect(plausibleExpiry(NOW + HOUR, NOW)).toEqual({ expiresOn: NOW + HOUR });
  });

  it("takes the value's own expiry for a past one, else makes the value not cacheable", () => {
    const seconds = Math.floor(NOW / 1000);
    expect(plausibleExpiry(seconds, NOW, () => NOW + HOUR)).toEqual({
      expiresOn: NOW + HOUR,
      implausible: { hint: "already past: seconds where milliseconds belong?", use: "value's own expiry" },
    });
    expect(plausibleExpiry(NOW - HOUR, NOW)).toEqual({
      expiresOn: undefined,
      implausible: { hint: "already past: is the clock of this machine right?", use: "none" },
    });
    expect(plausibleExpiry("soon", NOW).implausible?.hint).toBe("not a number");
  });

  it("assumes a lifetime of 1 hour for more than 10 years ahead, unless the value has a plausible expiry", () => {
    const far = (NOW + HOUR) * 1000;
    expect(plausibleExpiry(far, NOW)).toEqual({
      expiresOn: NOW + FALLBACK_LIFETIME_MS,
      implausible: {
        hint: "more than 10 years ahead: milliseconds counted as seconds?",
        use: "assumed lifetime",
      },
    });
    expect(plausibleExpiry(Number.POSITIVE_INFINITY, NOW).implausible?.use).toBe("assumed lifetime");
    expect(plausibleExpiry(far, NOW, () => NOW + 2 * HOUR).expiresOn).toBe(NOW + 2 * HOUR);
    // An implausible own expiry, or one that cannot be read, counts as none.
    expect(plausibleExpiry(far, NOW, () => far).implausible?.use).toBe("assumed lifetime");
    const throwing = () => {
      throw new Error("unreadable");
    };
    expect(plausibleExpiry(NOW - 1, NOW, throwing).implausible?.use).toBe("none");
  });

  it("describes times for messages", () => {
    expect(isoTime(NOW)).toBe("2030-01-01T00:00:00.000Z");
    expect(isoTime(Number.NaN)).toBe("NaN");
    expect(describeExpiry(NOW)).toBe(`${NOW} (2030-01-01T00:00:00.000Z)`);
    expect(describeExpiry(undefined)).toBe("undefined");
  });
});
