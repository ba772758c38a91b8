import { CopilotByokError } from "./CopilotByokError.js";

/** Code of {@link DisposedError}. */
export const DISPOSED_ERROR_CODE = "COPILOT_BYOK_DISPOSED";

/** A disposed source, cache or watcher was used: the one error every part of copilot-byok throws for it. */
export class DisposedError extends CopilotByokError {
  /** What was disposed, e.g. `StaticKeyProviderConfigSource`. */
  readonly what: string;

  constructor(what: string, detail = "") {
    super(DISPOSED_ERROR_CODE, `${what} is disposed${detail ? ` (${detail})` : ""}: create a new one`);
    this.what = what;
  }
}
