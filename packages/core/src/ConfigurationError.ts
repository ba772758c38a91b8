import { CopilotByokError, type CopilotByokErrorOptions } from "./CopilotByokError.js";

/** Stable code of {@link ConfigurationError}. */
export const CONFIGURATION_ERROR_CODE = "COPILOT_BYOK_CONFIGURATION";

/**
 * The configuration is unusable. `problems` lists every problem found, each with the accepted values,
 * so that one run tells everything to fix. Never carries a secret's value.
 */
export class ConfigurationError extends CopilotByokError {
  /** Every problem found, one sentence each. */
  readonly problems: readonly string[];

  constructor(problems: readonly string[], options: CopilotByokErrorOptions = {}) {
    const list = problems.length > 0 ? problems : ["unknown configuration problem"];
    const heading =
      list.length === 1
        ? "Invalid copilot-byok configuration: 1 problem"
        : `Invalid copilot-byok configuration: ${list.length} problems`;
    super(CONFIGURATION_ERROR_CODE, `${heading}\n${list.map((p) => `  - ${p}`).join("\n")}`, options);
    this.problems = Object.freeze([...list]);
  }
}
