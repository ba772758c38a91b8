import { CopilotByokError, type CopilotByokErrorOptions } from "./CopilotByokError.js";

/** Stable code of {@link TokenAcquisitionError}. */
export const TOKEN_ACQUISITION_ERROR_CODE = "COPILOT_BYOK_TOKEN_ACQUISITION";

export interface TokenAcquisitionErrorOptions extends CopilotByokErrorOptions {
  /** Name of the credential that failed, e.g. `DefaultAzureCredential`. */
  credentialName?: string;
  /** Scope that was requested. */
  scope?: string;
  /** Why it failed, in a few words: `timeout`, `aborted`, `credential-error`, `implausible-expiry`, … */
  reason?: string;
}

/** No valid token could be had. Says which credential failed and why; never carries the token. */
export class TokenAcquisitionError extends CopilotByokError {
  readonly credentialName: string | undefined;
  readonly scope: string | undefined;
  readonly reason: string;

  constructor(message: string, options: TokenAcquisitionErrorOptions = {}) {
    super(TOKEN_ACQUISITION_ERROR_CODE, message, options);
    this.credentialName = options.credentialName;
    this.scope = options.scope;
    this.reason = options.reason ?? "credential-error";
  }
}
