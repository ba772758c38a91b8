import { describe, expect, it } from "vitest";
import { KEY_FILE_PATH_NOT_SHOWN, showKeyFilePath } from "./showKeyFilePath.js";
import { CANARY_JWT, CANARY_KEY } from "./test-support/canary.js";

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

  it.each([
    "/Users/Jane Doe/My Keys/api key.txt",
    "/etc/byok/..2024_01_15_10_30_00.123456789/api-key",
    "/var/run/secrets/azure/tokens/azure-identity-token",
    "/backups/backupkeyfile2024/key",
    "./secrets/key",
  ])("shows the plausible path %s", (path) => {
    expect(showKeyFilePath(path)).toBe(path);
  });

  it.each([CANARY_KEY, `/tmp/${CANARY_KEY}`, "abc+def/ghi=jkl"])(
    "hides a value that looks like a key (%#)",
    (value) => {
      const shown = showKeyFilePath(value);
      expect(shown).toBe(KEY_FILE_PATH_NOT_SHOWN);
      expect(shown).not.toContain(value);
    },
  );

  const key = "ed8737da362e826b0a5193734c67ef59";
  it.each([
    ["a JWT", CANARY_JWT],
    ["a JWT after the working directory", `/srv/app/${CANARY_JWT}`],
    ["a JWT cut by a slash of its base64", "eyJhbGciOiJSUzI1NiJ9.eyJhdWQiOiJ/x"],
    ["a bearer token", `Bearer ${key}`],
    ["a bearer token after the working directory", `/srv/app/Bearer ${key}`],
    ["a Basic credential", "basic dXNlcjpwYXNz"],
    ["a key cut by a space", `${key.slice(0, 16)} ${key.slice(16)}`],
    ["a key with a stray double space", "my  key"],
    ["a short mixed key", "sk-test-51d0c9a4e27b83f6"],
    ["a key with a dotted prefix", `x.${key}`],
    ["16 digits", "/keys/1234567890123456"],
  ])("hides %s", (_, value) => {
    const shown = showKeyFilePath(value);
    expect(shown).toBe("(value not shown: looks like a key/token, not a path)");
    for (const part of [key.slice(0, 12), key.slice(20), "dXNlcjpwYXNz", CANARY_JWT.slice(0, 20)]) {
      if (value.includes(part)) expect(shown).not.toContain(part);
    }
  });
});
