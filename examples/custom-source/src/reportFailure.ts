import { CONFIGURATION_ERROR_CODE, redactText } from "@copilot-byok/core";

/**
 * What a run that failed prints (to stderr) instead of a stack trace: every problem of a configuration that is
 * bad (a `ConfigurationError`), or any other error in one line with its details indented under it; then how to
 * get variables that work. Returns the exit code, 1.
 */
export function reportFailure(error: unknown, print: (line: string) => void = console.error): number {
  // By code, not instanceof: the same check holds for a ConfigurationError of another copy of core.
  const problems = (error as { problems?: unknown } | null)?.problems;
  if ((error as { code?: unknown } | null)?.code === CONFIGURATION_ERROR_CODE && Array.isArray(problems)) {
    print(`configuration problems (${problems.length}):`);
    for (const problem of problems) print(indented(`  - ${redactText(String(problem))}`, "    "));
  } else {
    const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    print(indented(`error: ${redactText(text)}`, "  "));
  }
  print(
    "To try it on this machine: at the repository root, run `npx @copilot-byok/cli emulators` in another terminal and export the variables it prints (see the example's README.md); `npx @copilot-byok/cli doctor` explains a configuration.",
  );
  return 1;
}

/** `text`'s first line, then each further line (trimmed, empty ones dropped) after `indent`. */
function indented(text: string, indent: string): string {
  const [first = "", ...rest] = text.split(/\r?\n/);
  return [
    first,
    ...rest
      .map((line) => line.trim())
      .filter((line) => line !== "")
      .map((line) => indent + line),
  ].join("\n");
}
