// @copilot-byok/core/plugin: the face of core for plug-in authors (a source, a module). Application authors
// use the root export, @copilot-byok/core.
export { type Clock, systemClock } from "./Clock.js";
export { CONFIGURATION_ERROR_CODE, ConfigurationError } from "./ConfigurationError.js";
export { CopilotByokError, type CopilotByokErrorOptions } from "./CopilotByokError.js";
export { DISPOSED_ERROR_CODE, DisposedError } from "./DisposedError.js";
export * from "./envNames.js";
export { fingerprint } from "./fingerprint.js";
export { formatForLog, REDACTED, redact, redactText, redactUrl } from "./redact.js";
export {
  TOKEN_ACQUISITION_ERROR_CODE,
  TokenAcquisitionError,
  type TokenAcquisitionErrorOptions,
  type TokenAcquisitionReason,
} from "./TokenAcquisitionError.js";
export type {
  DescriptionValue,
  Detection,
  DetectionStrength,
  Env,
  GetProviderConfigOptions,
  ModuleContext,
  ProviderConfigSource,
  ProviderConfigSourceModule,
  ProviderCredential,
  Selection,
  SourceDescription,
  SourceDiagnostics,
  TokenFacts,
} from "./types.js";
