import { describe, expect, it } from "vitest";
import { showKeyFilePath } from "./showKeyFilePath.js";
import { CANARY_KEY } from "./test-support/canary.js";

describe("showKeyFilePath", () => {
  it.each([
    "/run/secrets/byok-key",
    "/etc/byok/..data/api-key",
    "secrets/key.txt",
    "key",
    "C:\\secrets\\byok.key",
    "/var/lib/kubelet/pods/2b1c3e4f-1a2b-4c3d-8e9f-0a1b2c3d4e5f/volumes/key",
  ])("shows the path %s", (path) => {
    expect(showKeyFilePath(path)).toBe(path);
  });

  it.each([CANARY_KEY, `/tmp/${CANARY_KEY}`, "abc+def/ghi=jkl"])(
    "hides a value that looks like a key (%#)",
    (value) => {
      const shown = showKeyFilePath(value);
      expect(shown).toMatch(/^<a path of \d+ characters, not shown/);
      expect(shown).not.toContain(value);
    },
  );
});
