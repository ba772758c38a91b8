/** Structured details of a log event. Sources pass only non-secret values here; loggers redact them again. */
export type LogDetails = Readonly<Record<string, unknown>>;

/**
 * The logger copilot-byok writes to: `logger.info(message, details)`, console- and winston-style. A pino (or any
 * other) logger goes through `adaptLogger`, which `registerCopilotByok` applies to the `logger` it is given.
 */
export interface Logger {
  debug(message: string, details?: LogDetails): void;
  info(message: string, details?: LogDetails): void;
  warn(message: string, details?: LogDetails): void;
  error(message: string, details?: LogDetails): void;
}

/**
 * Marks a logger that redacts what it writes (`adaptLogger`'s, `createConsoleLogger`'s, `silentLogger`), so that
 * it is not wrapped again. Registered (`Symbol.for`) so that the ESM and CommonJS builds share it.
 */
export const REDACTING_LOGGER: unique symbol = Symbol.for("@copilot-byok/core:redacting-logger") as never;

/** `logger`, frozen and marked with {@link REDACTING_LOGGER}. */
export function markRedacting(logger: Logger): Logger {
  Object.defineProperty(logger, REDACTING_LOGGER, { value: true });
  return Object.freeze(logger);
}

/** Discards everything. The default. */
export const silentLogger: Logger = markRedacting({
  debug() {},
  info() {},
  warn() {},
  error() {},
});
