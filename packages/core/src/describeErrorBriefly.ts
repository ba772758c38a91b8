import { redactText } from "./redact.js";

/**
 * A thrown thing for a message: `name: first line of the message`, clipped to 300 characters and redacted
 * (messages of HTTP clients echo headers and URLs). Never throws.
 */
export function describeErrorBriefly(error: unknown): string {
  try {
    const e = error as { name?: unknown; message?: unknown } | null;
    if (typeof e !== "object" || e === null) return `a thrown ${typeof error}`;
    const name = typeof e.name === "string" && e.name ? e.name : "Error";
    const line = typeof e.message === "string" ? (e.message.split("\n")[0] ?? "").slice(0, 300) : "";
    return redactText(line ? `${name}: ${line}` : name);
  } catch {
    return "an error that could not be described";
  }
}
