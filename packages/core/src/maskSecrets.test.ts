import { inspect } from "node:util";
import { describe, expect, it } from "vitest";
import { maskErrorSecrets, maskSecrets } from "./maskSecrets.js";
import { formatForLog } from "./redact.js";

describe("maskSecrets", () => {
  it("masks every occurrence of each secret, whatever its shape, and leaves short ones alone", () => {
    expect(
      maskSecrets("invalid_token: opaque-0123456789 was revoked (opaque-0123456789)", ["opaque-0123456789"]),
    ).toBe("invalid_token: [REDACTED] was revoked ([REDACTED])");
    expect(maskSecrets("a key abc", ["abc"])).toBe("a key abc");
    expect(maskSecrets("nothing here", [])).toBe("nothing here");
  });

  it("masks them in a cause kept for logs, leaving an error that quotes none of them as it is", () => {
    const secret = "opaque-token-5f4e3d2c1b0a";
    const inner = new Error(`token ${secret} unknown`);
    const error = Object.assign(new TypeError(`invalid_token: ${secret} was revoked`, { cause: inner }), {
      code: "E1",
    });
    const masked = maskErrorSecrets(error, [secret]) as TypeError & { code: string; cause: Error };
    expect(masked).toBeInstanceOf(TypeError);
    expect([masked.message, masked.code, masked.cause.message]).toEqual([
      "invalid_token: [REDACTED] was revoked",
      "E1",
      "token [REDACTED] unknown",
    ]);
    expect(`${masked.stack}${inspect(masked)}${formatForLog(masked)}`).not.toContain(secret);
    const clean = new Error("nothing to hide");
    expect(maskErrorSecrets(clean, [secret])).toBe(clean);
  });
});
