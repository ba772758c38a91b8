import type { Output } from "./Output.js";

/**
 * Runs a step, saying so before it starts and, while it lasts over a second, every few seconds after;
 * ends with how long it took. Returns the step's value.
 */
export async function withProgress<T>(
  out: Output,
  label: string,
  step: () => Promise<T>,
  intervalMs = 2000,
): Promise<T> {
  const started = Date.now();
  out.line(`› ${label}…`);
  const timer = setInterval(
    () => out.line(`  … ${label} (${Math.round((Date.now() - started) / 1000)} s)`),
    intervalMs,
  );
  timer.unref();
  try {
    const value = await step();
    out.line(`  ✓ ${label} (${Date.now() - started} ms)`);
    return value;
  } catch (error) {
    out.line(`  ✗ ${label} (${Date.now() - started} ms)`);
    throw error;
  } finally {
    clearInterval(timer);
  }
}
