import { type LogDetails, type Logger, markRedacting } from "./Logger.js";
import { isLogged, type LogLevel, resolveLogLevel } from "./LogLevel.js";
import { formatForLog, redactText } from "./redact.js";
import type { Env } from "./types.js";

/** Options of {@link createConsoleLogger}. */
export interface ConsoleLoggerOptions {
  /** Opens each line, in brackets. Default `copilot-byok`. */
  prefix?: string;
  /** The least severe level printed. Default: `COPILOT_BYOK_LOG_LEVEL` from `env`, else `info`. */
  level?: LogLevel;
  /** Where `COPILOT_BYOK_LOG_LEVEL` is read. Default: `process.env`. */
  env?: Env;
}

/**
 * A logger that writes one redacted line per event to the console (stderr for warnings and errors), details
 * as JSON: `[copilot-byok] info static key rotated: … {"keyFile":"…","fingerprint":"sha256:…"}`. Events below
 * the level are dropped: `info` by default, so debug lines (a source created, a refresh started) only with
 * `level: "debug"` or `COPILOT_BYOK_LOG_LEVEL=debug`. A string argument is the prefix (the older signature).
 *
 * @throws ConfigurationError when the level, or `COPILOT_BYOK_LOG_LEVEL`, is not one of `debug`, `info`,
 *   `warn`, `error`, `silent`.
 */
export function createConsoleLogger(options: string | ConsoleLoggerOptions = {}): Logger {
  const {
    prefix = "copilot-byok",
    level,
    env = process.env,
  } = typeof options === "string" ? { prefix: options } : options;
  const threshold = resolveLogLevel(level, env, "createConsoleLogger's level");
  const line = (name: string, message: string, details?: LogDetails) =>
    `[${prefix}] ${name} ${redactText(message)}${details ? ` ${formatForLog(details)}` : ""}`;
  const ignore = () => {};
  return markRedacting({
    debug: isLogged("debug", threshold) ? (m, d) => console.debug(line("debug", m, d)) : ignore,
    info: isLogged("info", threshold) ? (m, d) => console.info(line("info", m, d)) : ignore,
    warn: isLogged("warn", threshold) ? (m, d) => console.warn(line("warn", m, d)) : ignore,
    error: isLogged("error", threshold) ? (m, d) => console.error(line("error", m, d)) : ignore,
  });
}
