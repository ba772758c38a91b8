import { redactText } from "@copilot-byok/core";

/** Where the CLI writes. Every line goes through `redactText`, a last guard against a token in output. */
export interface Output {
  line(text?: string): void;
  error(text: string): void;
}

export function createOutput(stdout: NodeJS.WritableStream, stderr: NodeJS.WritableStream): Output {
  return {
    line: (text = "") => stdout.write(`${redactText(text)}\n`),
    error: (text) => stderr.write(`${redactText(text)}\n`),
  };
}

/** An output that keeps lines in memory (tests, --json mode). */
export function createMemoryOutput(): Output & { lines: string[]; errors: string[] } {
  const lines: string[] = [];
  const errors: string[] = [];
  return {
    lines,
    errors,
    line: (text = "") => lines.push(redactText(text)),
    error: (text) => errors.push(redactText(text)),
  };
}
