import { describeFailure } from "@copilot-byok/core";

/**
 * What a run that failed prints (to stderr) instead of a stack trace: core's `describeFailure` (every problem
 * of a bad configuration, or the error in one line), then how to get variables that work. Returns the exit
 * code, 1.
 */
export function reportFailure(error: unknown, print: (line: string) => void = console.error): number {
  for (const line of describeFailure(error)) print(line);
  print(
    "To try it on this machine: at the repository root, run `npx @copilot-byok/cli emulators` in another terminal and export the variables it prints (see the example's README.md); `npx @copilot-byok/cli doctor` explains a configuration.",
  );
  return 1;
}
