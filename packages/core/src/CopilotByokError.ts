/** Options shared by every copilot-byok error. */
export interface CopilotByokErrorOptions {
  /** The underlying error, kept for diagnosis. Its message must not carry a secret either. */
  cause?: unknown;
}

/** Base class of the errors thrown by copilot-byok: a stable `code`, a `name`, and the cause chain. */
export class CopilotByokError extends Error {
  /** Stable, machine-readable error code. */
  readonly code: string;

  constructor(code: string, message: string, options: CopilotByokErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
  }
}
