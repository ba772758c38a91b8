import { describe, expect, it } from "vitest";
import { checkCredentialUrl } from "./checkCredentialUrl.js";
import { CANARY_KEY } from "./test-support/testModules.js";

describe("checkCredentialUrl", () => {
  it("accepts https:// and loopback http://", () => {
    expect(checkCredentialUrl("BROKER", "https://broker.example/token")).toEqual([]);
    expect(checkCredentialUrl("BROKER", " http://127.0.0.1:8080/token ")).toEqual([]);
  });

  it("refuses unset, invalid, plaintext and other schemes, never echoing a secret", () => {
    expect(checkCredentialUrl("BROKER", undefined)).toEqual(["BROKER is not set: give an https:// URL"]);
    expect(checkCredentialUrl("BROKER", CANARY_KEY)).toEqual([
      `BROKER is not a valid absolute URL (value of ${CANARY_KEY.length} characters not shown)`,
    ]);
    const plaintext = checkCredentialUrl("BROKER", `http://broker.example/t?code=${CANARY_KEY}`);
    expect(plaintext).toEqual([
      "BROKER uses http:// with the non-loopback host broker.example: credentials would cross the network in clear; use https:// (http://broker.example/t?code=[REDACTED])",
    ]);
    expect(checkCredentialUrl("BROKER", "ftp://broker.example/")).toEqual([
      "BROKER must use https:// (or http:// for a loopback host), not ftp://",
    ]);
  });
});
