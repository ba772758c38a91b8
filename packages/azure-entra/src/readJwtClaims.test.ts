import { makeJwt } from "@copilot-byok/test-utils/makeJwt";
import { describe, expect, it } from "vitest";
import { readJwtClaims } from "./readJwtClaims.js";

describe("readJwtClaims", () => {
  it("reads the diagnostic claims of an access token", () => {
    const token = makeJwt({
      aud: "https://cognitiveservices.azure.com",
      iss: "https://sts.windows.net/tenant-1/",
      tid: "tenant-1",
      oid: "object-1",
      appid: "app-1",
      exp: 2_000_000_000,
      iat: 1_999_996_400,
      nbf: 1_999_996_400,
      roles: ["a", "b"],
      xms_mirid:
        "/subscriptions/s/resourcegroups/g/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id",
    });
    expect(readJwtClaims(token)).toEqual({
      aud: "https://cognitiveservices.azure.com",
      iss: "https://sts.windows.net/tenant-1/",
      tid: "tenant-1",
      oid: "object-1",
      appid: "app-1",
      exp: 2_000_000_000,
      iat: 1_999_996_400,
      nbf: 1_999_996_400,
      roles: ["a", "b"],
      xms_mirid:
        "/subscriptions/s/resourcegroups/g/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id",
    });
  });

  it("keeps only known claims, with the right types", () => {
    const claims = readJwtClaims(
      makeJwt({ aud: ["a", "b"], exp: "soon", tid: 42, secret: "x", unique_name: "u" }),
    );
    expect(claims).toEqual({ aud: ["a", "b"] });
    expect(Object.isFrozen(claims)).toBe(true);
  });

  it("returns undefined for anything that is not a readable JWT, and never throws", () => {
    const inputs: unknown[] = [
      "",
      "opaque-token",
      "a.b",
      "a.b.c.d.e",
      "eyJ.eyJ.",
      `${Buffer.from("{}").toString("base64url")}.${Buffer.from("[1,2]").toString("base64url")}.x`,
      `${Buffer.from("not json").toString("base64url")}.${Buffer.from("{}").toString("base64url")}.x`,
      `${Buffer.from("{}").toString("base64url")}.***.x`,
      "x".repeat(70_000),
      undefined,
      null,
      42,
    ];
    for (const input of inputs) expect(readJwtClaims(input as string)).toBeUndefined();
  });

  it("survives random input (bounded fuzz)", () => {
    const alphabet = "abcXYZ019-_.=+/{}\"': ";
    let seed = 7;
    const next = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed;
    };
    const thrown: string[] = [];
    for (let i = 0; i < 2_000; i++) {
      const length = next() % 80;
      let text = "";
      for (let j = 0; j < length; j++) text += alphabet[next() % alphabet.length];
      try {
        readJwtClaims(text);
      } catch {
        thrown.push(text);
      }
    }
    expect(thrown).toEqual([]);
  });
});
