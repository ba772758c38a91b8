import { ConfigurationError } from "./ConfigurationError.js";
import { COPILOT_BYOK_LOG_LEVEL } from "./envNames.js";
import { checkChoice } from "./optionChecks.js";
import type { Env } from "./types.js";

/** The levels of {@link createConsoleLogger}, from the most to the least verbose; `silent` prints nothing. */
export const LOG_LEVELS = ["debug", "info", "warn", "error", "silent"] as const;

/** A level of {@link LOG_LEVELS}: events below it are not printed. */
export type LogLevel = (typeof LOG_LEVELS)[number];

/** The level when neither the code nor `COPILOT_BYOK_LOG_LEVEL` sets one. */
export const DEFAULT_LOG_LEVEL: LogLevel = "info";

/**
 * The log level to use: `level` when given, else `COPILOT_BYOK_LOG_LEVEL` from `env` (unset or blank: the
 * default, `info`). `label` names the option in the problem.
 *
 * @throws ConfigurationError naming the option or the variable and every accepted level.
 */
export function resolveLogLevel(level: unknown, env: Env, label = "level"): LogLevel {
  const problems: string[] = [];
  const chosen =
    level !== undefined
      ? checkChoice(label, level, LOG_LEVELS, DEFAULT_LOG_LEVEL, problems)
      : checkChoice(
          COPILOT_BYOK_LOG_LEVEL,
          env[COPILOT_BYOK_LOG_LEVEL]?.trim() || undefined,
          LOG_LEVELS,
          DEFAULT_LOG_LEVEL,
          problems,
        );
  if (problems.length > 0) throw new ConfigurationError(problems);
  return chosen;
}

/** Whether an event at `event` passes the threshold `threshold`. */
export function isLogged(event: Exclude<LogLevel, "silent">, threshold: LogLevel): boolean {
  return LOG_LEVELS.indexOf(event) >= LOG_LEVELS.indexOf(threshold);
}
