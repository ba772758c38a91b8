import { CopilotByokError } from "./CopilotByokError.js";

/** Code of the error thrown when a disposed source, watcher or cache is used. */
export const DISPOSED_ERROR_CODE = "COPILOT_BYOK_DISPOSED";

/** The error thrown when `what` is used after `dispose()`. */
export function disposedError(what: string): CopilotByokError {
  return new CopilotByokError(
    DISPOSED_ERROR_CODE,
    `${what} is disposed: create a new one (or resolve it from a container that is not disposed)`,
  );
}
