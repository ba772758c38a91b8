import { describe, expect, it } from "vitest";
import { ConfigurationError } from "./ConfigurationError.js";
import { describeFailure } from "./describeFailure.js";

describe("describeFailure", () => {
  it("lists every problem of a ConfigurationError, a multi-line one indented under its bullet", () => {
    const error = new ConfigurationError([
      "no provider endpoint",
      "token failed\n  - ManagedIdentityCredential: down\n\n",
    ]);
    expect(describeFailure(error)).toEqual([
      "configuration problems (2):",
      "  - no provider endpoint",
      "  - token failed",
      "    - ManagedIdentityCredential: down",
    ]);
  });

  it("any other error in one line, its details indented; a thrown value as it is", () => {
    expect(describeFailure(new TypeError("bad\nmore detail"))).toEqual([
      "error: TypeError: bad",
      "  more detail",
    ]);
    expect(describeFailure("plain")).toEqual(["error: plain"]);
  });

  it("redacts what it prints: a bearer token in a message", () => {
    const token = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJjYW5hcnkifQ.c2lnbmF0dXJlLWNhbmFyeQ";
    const lines = describeFailure(new Error(`rejected Authorization: Bearer ${token}`));
    expect(lines.join("\n")).not.toContain(token);
  });
});
