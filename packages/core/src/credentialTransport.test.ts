import { describe, expect, it } from "vitest";
import { credentialTransport } from "./credentialTransport.js";

describe("credentialTransport", () => {
  it.each([
    ["https://r.services.ai.azure.com/openai/v1/", "ok"],
    ["https://10.0.0.5/v1", "ok"],
    ["http://127.0.0.1:8080/v1", "ok"],
    ["http://localhost:11434/v1", "ok"],
    ["http://[::1]:8080/v1", "ok"],
    ["http://gateway.internal/openai/v1/", "plaintext"],
    ["http://10.0.0.5:8080/v1", "plaintext"],
    ["http://127.0.0.1.nip.io/v1", "plaintext"],
    ["http://0.0.0.0/v1", "plaintext"],
    ["ftp://r.example/", "unsupported"],
    ["ws://127.0.0.1/", "unsupported"],
  ])("%s → %s", (url, expected) => {
    expect(credentialTransport(new URL(url))).toBe(expected);
  });
});
