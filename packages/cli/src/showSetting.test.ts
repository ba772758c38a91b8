import { showModelName, showScope } from "@copilot-byok/core/plugin";
import { describe, expect, it } from "vitest";
import { createScrubber } from "./showSetting.js";

const HEX = "0f3c9a7e5b1d4c2a8e6f0b9d1a2b3c4d";

describe("createScrubber", () => {
  it("replaces a hidden value, and the runs of it its rendering hides, in any text; leaves shown ones", () => {
    const scrub = createScrubber([
      { value: `api://app/.default?code=${HEX}`, render: showScope },
      { value: `sk-${HEX}`, render: showModelName },
      { value: "gpt-4.1", render: showModelName },
      { value: undefined, render: showModelName },
    ]);
    expect(scrub(`waiting for a token for api://app/.default?code=${HEX} was aborted`)).toBe(
      "waiting for a token for api://app/.default?code=[REDACTED] was aborted",
    );
    expect(scrub(`model sk-${HEX}, audience of ${HEX}`)).toBe(
      "model a value of 35 characters (not shown), audience of [REDACTED]",
    );
    expect(scrub("model gpt-4.1")).toBe("model gpt-4.1");
  });

  it("never replaces a value shorter than 8 characters (no key is; prose would be mangled)", () => {
    const scrub = createScrubber([{ value: "a b", render: showModelName }]);
    expect(scrub("a b c")).toBe("a b c");
  });
});
