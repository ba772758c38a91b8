import { afterEach, describe, expect, it, vi } from "vitest";
import { ConfigurationError } from "./ConfigurationError.js";
import { createConsoleLogger } from "./createConsoleLogger.js";
import { CANARY_KEY } from "./test-support/testModules.js";

/** Every console line written while `run` runs, as `<method> <text>`. */
function capture(run: () => void): string[] {
  const lines: string[] = [];
  for (const method of ["debug", "info", "warn", "error"] as const) {
    vi.spyOn(console, method).mockImplementation((text: string) => {
      lines.push(`${method} ${text}`);
    });
  }
  run();
  return lines;
}

const everyLevel = (logger: ReturnType<typeof createConsoleLogger>) => {
  logger.debug("d");
  logger.info("i");
  logger.warn("w");
  logger.error("e");
};

afterEach(() => {
  vi.restoreAllMocks();
});

describe("createConsoleLogger", () => {
  it("prints info and above by default: no debug lines", () => {
    expect(capture(() => everyLevel(createConsoleLogger({ env: {} })))).toEqual([
      "info [copilot-byok] info i",
      "warn [copilot-byok] warn w",
      "error [copilot-byok] error e",
    ]);
  });

  it("takes the level from COPILOT_BYOK_LOG_LEVEL, or from the code, which wins", () => {
    const debug = createConsoleLogger({ env: { COPILOT_BYOK_LOG_LEVEL: " debug " } });
    expect(capture(() => everyLevel(debug))).toHaveLength(4);
    const warn = createConsoleLogger({ env: { COPILOT_BYOK_LOG_LEVEL: "warn" } });
    expect(capture(() => everyLevel(warn))).toEqual([
      "warn [copilot-byok] warn w",
      "error [copilot-byok] error e",
    ]);
    const silent = createConsoleLogger({ env: { COPILOT_BYOK_LOG_LEVEL: "silent" } });
    expect(capture(() => everyLevel(silent))).toEqual([]);
    const code = createConsoleLogger({ level: "error", env: { COPILOT_BYOK_LOG_LEVEL: "debug" } });
    expect(capture(() => everyLevel(code))).toEqual(["error [copilot-byok] error e"]);
    const blank = createConsoleLogger({ env: { COPILOT_BYOK_LOG_LEVEL: "  " } });
    expect(capture(() => everyLevel(blank))).toHaveLength(3); // blank is unset: info
  });

  it("reads process.env by default", () => {
    vi.stubEnv("COPILOT_BYOK_LOG_LEVEL", "error");
    try {
      expect(capture(() => everyLevel(createConsoleLogger()))).toEqual(["error [copilot-byok] error e"]);
    } finally {
      vi.unstubAllEnvs();
    }
  });

  it("refuses a level it does not know, naming every accepted one, never echoing a pasted secret", () => {
    const problems = (make: () => unknown) => {
      try {
        make();
      } catch (error) {
        expect(error).toBeInstanceOf(ConfigurationError);
        expect((error as ConfigurationError).code).toBe("COPILOT_BYOK_CONFIGURATION");
        return (error as ConfigurationError).problems;
      }
      throw new Error("expected a ConfigurationError");
    };
    expect(problems(() => createConsoleLogger({ env: { COPILOT_BYOK_LOG_LEVEL: "verbose" } }))).toEqual([
      'COPILOT_BYOK_LOG_LEVEL has "verbose", which is not accepted: use one of debug, info, warn, error, silent',
    ]);
    expect(problems(() => createConsoleLogger({ env: { COPILOT_BYOK_LOG_LEVEL: CANARY_KEY } }))).toEqual([
      `COPILOT_BYOK_LOG_LEVEL has a value of ${CANARY_KEY.length} characters (not shown), which is not accepted: use one of debug, info, warn, error, silent`,
    ]);
    expect(problems(() => createConsoleLogger({ level: "trace" as never, env: {} }))).toEqual([
      `createConsoleLogger's level has "trace", which is not accepted: use one of debug, info, warn, error, silent`,
    ]);
  });

  it("writes one redacted line per event, details as JSON; a string is the prefix", () => {
    const lines = capture(() =>
      createConsoleLogger("app").warn(`refused Bearer ${CANARY_KEY}`, { apiKey: CANARY_KEY, keyFile: "/k" }),
    );
    expect(lines).toEqual([
      'warn [app] warn refused Bearer [REDACTED] {"apiKey":"[REDACTED]","keyFile":"/k"}',
    ]);
  });
});
