import { redactText } from "@copilot-byok/core/plugin";

/** Longest part of one error message kept. `@azure/identity` messages run to many lines with links. */
const MAX_LINE = 300;
const MAX_LINES = 3;
const MAX_INNER_ERRORS = 8;

/**
 * A short, redacted, one-paragraph account of why a credential failed, fit for an error message or a log:
 * `<name>: <first lines of the message>`. For a chain's aggregate error (`@azure/identity`'s
 * `AggregateAuthenticationError`, or any error with an `errors` array) it lists each credential's first line,
 * so that "which credential failed and why" survives. JWTs and `Bearer` values are masked.
 */
export function describeCredentialError(error: unknown): string {
  try {
    return redactText(describe(error, MAX_LINES));
  } catch {
    return "an error that could not be described";
  }
}

function describe(error: unknown, maxLines: number): string {
  if (!(error instanceof Error) && (typeof error !== "object" || error === null)) {
    return `a thrown ${typeof error} (${clip(String(error))})`;
  }
  const e = error as { name?: unknown; message?: unknown; errors?: unknown };
  const name = typeof e.name === "string" && e.name ? e.name : "Error";
  const message = typeof e.message === "string" ? e.message : "";
  const inner = Array.isArray(e.errors) ? (e.errors as unknown[]) : undefined;
  if (inner && inner.length > 0) {
    const head = firstLines(message, 1) || "several credentials failed";
    const items = inner.slice(0, MAX_INNER_ERRORS).map((item) => `  - ${describe(item, 1)}`);
    if (inner.length > MAX_INNER_ERRORS) items.push(`  - … and ${inner.length - MAX_INNER_ERRORS} more`);
    return `${name}: ${head}\n${items.join("\n")}`;
  }
  const text = firstLines(message, maxLines);
  return text ? `${name}: ${text}` : name;
}

function firstLines(message: string, count: number): string {
  const lines = message
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== "");
  const kept = lines.slice(0, count).map(clip);
  if (lines.length > count) kept.push("…");
  return kept.join(" ");
}

function clip(line: string): string {
  return line.length > MAX_LINE ? `${line.slice(0, MAX_LINE)}…` : line;
}
