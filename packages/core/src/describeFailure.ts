import { CONFIGURATION_ERROR_CODE } from "./ConfigurationError.js";
import { redactText } from "./redact.js";

/**
 * What an app prints (to stderr) instead of a stack trace when it fails to start, as lines, redacted: every
 * problem of a bad configuration (a `ConfigurationError`: `configuration problems (N):`, a bullet each), or any
 * other error in one line; the further lines of a message (e.g. each credential of a chain that failed)
 * indented under it, so that one problem never reads as several.
 */
export function describeFailure(error: unknown): string[] {
  // By code, not instanceof: the same check holds for a ConfigurationError of another copy of core.
  const problems = (error as { problems?: unknown } | null)?.problems;
  if ((error as { code?: unknown } | null)?.code === CONFIGURATION_ERROR_CODE && Array.isArray(problems)) {
    return [
      `configuration problems (${problems.length}):`,
      ...problems.flatMap((problem) => indented(`  - ${redactText(String(problem))}`, "    ")),
    ];
  }
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return indented(`error: ${redactText(text)}`, "  ");
}

/** `text`'s first line, then each further line (trimmed, empty ones dropped) after `indent`. */
function indented(text: string, indent: string): string[] {
  const [first = "", ...rest] = text.split(/\r?\n/);
  return [
    first,
    ...rest
      .map((line) => line.trim())
      .filter((line) => line !== "")
      .map((line) => indent + line),
  ];
}
