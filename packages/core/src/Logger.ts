import { formatForLog, redactText } from "./redact.js";

/** Structured details of a log event. Sources pass only non-secret values here. */
export type LogDetails = Readonly<Record<string, unknown>>;

/** The logger copilot-byok writes to. Console-compatible and pino/winston-compatible in shape. */
export interface Logger {
  debug(message: string, details?: LogDetails): void;
  info(message: string, details?: LogDetails): void;
  warn(message: string, details?: LogDetails): void;
  error(message: string, details?: LogDetails): void;
}

/** Discards everything. The default. */
export const silentLogger: Logger = Object.freeze({
  debug() {},
  info() {},
  warn() {},
  error() {},
});

/** A logger that writes one redacted line per event to the console (stderr for warnings and errors). */
export function createConsoleLogger(prefix = "copilot-byok"): Logger {
  const line = (level: string, message: string, details?: LogDetails) =>
    `[${prefix}] ${level} ${redactText(message)}${details ? ` ${formatForLog(details)}` : ""}`;
  return {
    debug: (m, d) => console.debug(line("debug", m, d)),
    info: (m, d) => console.info(line("info", m, d)),
    warn: (m, d) => console.warn(line("warn", m, d)),
    error: (m, d) => console.error(line("error", m, d)),
  };
}
