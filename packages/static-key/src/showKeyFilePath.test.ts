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

  it.each(["key.txt", "byok-key", "api-key", "secrets.json", "byok_key.pem", "key2.txt", "My Key.txt"])(
    "shows the plain file name %s",
    (name) => {
      expect(showKeyFilePath(name)).toBe(name);
    },
  );

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

  // Was a bug: a value without a path separator was checked like a path segment, so a short dashed key (no run of
  // 16+ mixed characters, no segment of 24+), a UUID-shaped key (UUIDs are fine inside a path: Kubernetes pod
  // directories) or a short hex or base64 run pasted into COPILOT_PROVIDER_API_KEY_FILE was echoed.
  it.each([
    ["a short dashed key", "sk-CANARY-9f8e7d6c5b4a"],
    ["an sk- key of letters", "sk-proj-abcdefghijkl"],
    ["a UUID alone", "2b1c3e4f-1a2b-4c3d-8e9f-0a1b2c3d4e5f"],
    ["a UUID alone, upper case", "2B1C3E4F-1A2B-4C3D-8E9F-0A1B2C3D4E5F"],
    ["a hex run", "9f8e7d6c5b4a3f2e"],
    ["a base64 run", "dGhpc2lzYWtleQ=="],
    ["a base64 run of letters", "QWxhZGRpbnxvcGVu"],
    ["a key in a dotted name", "key.9f8e7d6c5b4a"],
  ])("hides a value with no path separator that looks like a key: %s", (_, value) => {
    const shown = showKeyFilePath(value);
    expect(shown).toBe(KEY_FILE_PATH_NOT_SHOWN);
    expect(shown).not.toContain(value.slice(-8));
  });

  it("judges a resolved path by the value as given", () => {
    expect(showKeyFilePath("sk-CANARY-9f8e7d6c5b4a", "/srv/app/sk-CANARY-9f8e7d6c5b4a")).toBe(
      KEY_FILE_PATH_NOT_SHOWN,
    );
    expect(showKeyFilePath("key.txt", "/srv/app/key.txt")).toBe("/srv/app/key.txt");
    expect(showKeyFilePath("key.txt", `/srv/${CANARY_KEY}/key.txt`)).toBe(KEY_FILE_PATH_NOT_SHOWN);
  });
});
