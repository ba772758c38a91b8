import { type LogDetails, type Logger, markRedacting, REDACTING_LOGGER } from "./Logger.js";
import { redact, redactText } from "./redact.js";

/**
 * How a logging library takes a message with structured details:
 * - `message-first`: `logger.info(message, details)`: winston, `console`, a copilot-byok {@link Logger};
 * - `details-first`: `logger.info(details, message)`: pino, bunyan.
 */
export type LogCallStyle = "message-first" | "details-first";

/** Options of {@link adaptLogger}. */
export interface AdaptLoggerOptions {
  /** How `target` takes details. Default: `details-first` for a pino logger, else `message-first`. */
  style?: LogCallStyle;
}

/**
 * A logger of any library with the four level methods: pino, winston, bunyan, `console`, or a
 * copilot-byok {@link Logger}. Only `debug`, `info`, `warn` and `error` are called.
 */
export interface LogTarget {
  debug(...args: never[]): unknown;
  info(...args: never[]): unknown;
  warn(...args: never[]): unknown;
  error(...args: never[]): unknown;
}

type LogMethod = (...args: unknown[]) => unknown;
const LEVELS = ["debug", "info", "warn", "error"] as const;
const adapted = new WeakMap<object, Logger>();

/**
 * The copilot-byok {@link Logger} that writes to `target`: every message and every detail redacted (keys,
 * tokens, `Authorization` values, JWTs, URL queries; see `redact`), the details handed over as the library
 * expects them, so that they land as fields of the record and none is lost: pino's `(details, message)`,
 * winston's `(message, details)`. What `target` throws is ignored: a log line must not change the outcome of
 * the operation it reports. A logger that already redacts (this function's, `createConsoleLogger()`'s,
 * `silentLogger`) is returned as it is; the adapter of a target is made once.
 */
export function adaptLogger(target: LogTarget, options: AdaptLoggerOptions = {}): Logger {
  if (REDACTING_LOGGER in target && options.style === undefined) return target as unknown as Logger;
  const cached = options.style === undefined ? adapted.get(target) : undefined;
  if (cached) return cached;
  const style = options.style ?? (looksLikePino(target) ? "details-first" : "message-first");
  const method = (level: (typeof LEVELS)[number]) => {
    return (message: string, details?: LogDetails): void => {
      const write = target[level] as unknown as LogMethod;
      try {
        const text = redactText(String(message));
        if (details === undefined) write.call(target, text);
        else if (style === "details-first") write.call(target, redact(details), text);
        else write.call(target, text, redact(details));
      } catch {
        // ignored: see above
      }
    };
  };
  const logger = markRedacting({
    debug: method("debug"),
    info: method("info"),
    warn: method("warn"),
    error: method("error"),
  });
  if (options.style === undefined) adapted.set(target, logger);
  return logger;
}

/**
 * A pino logger: `bindings()` and `levels.values`/`levels.labels` (winston's `levels` is a flat map, bunyan's
 * a function). Called `(message, details)`, pino would take the details for printf-style arguments and drop them.
 */
function looksLikePino(target: object): boolean {
  const candidate = target as { bindings?: unknown; levels?: { values?: unknown; labels?: unknown } };
  return (
    typeof candidate.bindings === "function" &&
    typeof candidate.levels === "object" &&
    candidate.levels !== null &&
    typeof candidate.levels.values === "object" &&
    typeof candidate.levels.labels === "object"
  );
}
