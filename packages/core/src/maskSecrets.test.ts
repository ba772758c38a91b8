import { describe, expect, it } from "vitest";
import { maskSecrets } from "./maskSecrets.js";

describe("maskSecrets", () => {
  it("masks every occurrence of each secret, whatever its shape, and leaves short ones alone", () => {
    expect(
      maskSecrets("invalid_token: opaque-0123456789 was revoked (opaque-0123456789)", ["opaque-0123456789"]),
    ).toBe("invalid_token: [REDACTED] was revoked ([REDACTED])");
    expect(maskSecrets("a key abc", ["abc"])).toBe("a key abc");
    expect(maskSecrets("nothing here", [])).toBe("nothing here");
  });
});
