import { ConfigurationError } from "@copilot-byok/core";

/** The `ConfigurationError` that `fn` throws; throws itself when `fn` throws anything else, or nothing. */
export function configurationErrorOf(fn: () => unknown): ConfigurationError {
  try {
    fn();
  } catch (error) {
    if (error instanceof ConfigurationError) return error;
    throw new Error(`expected a ConfigurationError, got ${(error as Error)?.name ?? typeof error}`, {
      cause: error,
    });
  }
  throw new Error("expected a ConfigurationError, nothing was thrown");
}

/** The problems of the `ConfigurationError` that `fn` throws (see {@link configurationErrorOf}). */
export function problemsOf(fn: () => unknown): readonly string[] {
  return configurationErrorOf(fn).problems;
}
