import { CopilotByokError, DISPOSED_ERROR_CODE } from "@copilot-byok/core";

export { DISPOSED_ERROR_CODE } from "@copilot-byok/core";

/** The error thrown when `what` is used after `dispose()`: core's `COPILOT_BYOK_DISPOSED`, worded for keys. */
export function disposedError(what: string): CopilotByokError {
  return new CopilotByokError(
    DISPOSED_ERROR_CODE,
    `${what} is disposed: it no longer serves keys; create a new one (or resolve it from a container that is not disposed)`,
  );
}
