import { CopilotByokError, type CopilotByokErrorOptions } from "./CopilotByokError.js";

/** Stable code of {@link TokenAcquisitionError}. */
export const TOKEN_ACQUISITION_ERROR_CODE = "COPILOT_BYOK_TOKEN_ACQUISITION";

/**
 * Why no credential could be had:
 * - `credential-error`: the credential failed (its error is the `cause`);
 * - `timeout`: the attempt took longer than its bound and was abandoned;
 * - `aborted`: this caller's signal ended its wait;
 * - `implausible-expiry`: the credential returned something already expired.
 */
export type TokenAcquisitionReason = "credential-error" | "timeout" | "aborted" | "implausible-expiry";

export interface TokenAcquisitionErrorOptions extends CopilotByokErrorOptions {
  /** Name of the credential that failed, e.g. `DefaultAzureCredential`. */
  credentialName?: string;
  /** Scope (or what else was asked for) that was requested. */
  scope?: string;
  /** Why it failed. Default `credential-error`. */
  reason?: TokenAcquisitionReason;
}

/** No valid token (or other expiring credential) could be had. Says which credential failed and why; never carries the token. */
export class TokenAcquisitionError extends CopilotByokError {
  readonly credentialName: string | undefined;
  readonly scope: string | undefined;
  readonly reason: TokenAcquisitionReason;

  constructor(message: string, options: TokenAcquisitionErrorOptions = {}) {
    super(TOKEN_ACQUISITION_ERROR_CODE, message, options);
    this.credentialName = options.credentialName;
    this.scope = options.scope;
    this.reason = options.reason ?? "credential-error";
  }
}
