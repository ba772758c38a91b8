import { describeFailure } from "@copilot-byok/core";

/**
 * What a run that failed prints (to stderr) instead of a stack trace: core's `describeFailure` (every problem
 * of a bad configuration, or the error in one line). Returns the exit code, 1.
 */
export function reportFailure(error: unknown, print: (line: string) => void = console.error): number {
  for (const line of describeFailure(error)) print(line);
  print("This example starts its own Foundry emulator: build first (npm run setup), then run it again.");
  return 1;
}
