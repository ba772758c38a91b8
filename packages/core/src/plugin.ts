// @copilot-byok/core/plugin: the face of core for plug-in authors (a source, a module). Application authors
// use the root export, @copilot-byok/core.
export { type Clock, systemClock } from "./Clock.js";
export { CONFIGURATION_ERROR_CODE, ConfigurationError } from "./ConfigurationError.js";
export { CopilotByokError, type CopilotByokErrorOptions } from "./CopilotByokError.js";
export { DISPOSED_ERROR_CODE, DisposedError } from "./DisposedError.js";
export * from "./envNames.js";
export { fingerprint } from "./fingerprint.js";
export { isLoopbackHost } from "./isLoopbackHost.js";
export { createConsoleLogger, type LogDetails, type Logger, silentLogger } from "./Logger.js";
export { formatForLog, REDACTED, redact, redactText, redactUrl } from "./redact.js";
export {
  type CredentialSupplier,
  createProviderConfigSource,
  type ProviderConfigSourceDefinition,
} from "./createProviderConfigSource.js";
export {
  checkChoice,
  checkName,
  checkScope,
  hasControlCharacters,
  isGuid,
  isScopeUri,
  unknownOptionProblems,
} from "./optionChecks.js";
export {
  PROVIDER_OPTION_NAMES,
  type ProviderOptions,
  type ProviderOptionsParse,
  type ProviderSettings,
  parseProviderOptions,
} from "./parseProviderOptions.js";
export { protectSource } from "./protectSource.js";
export {
  isSet,
  NO_ENDPOINT_PROBLEM,
  type ProviderEnvReading,
  type ProviderEnvSettings,
  providerSettingsFromEnv,
  readProviderEnv,
} from "./readProviderEnv.js";
export { resolveBaseUrl, type BaseUrlResolution } from "./resolveBaseUrl.js";
export { withSafeInspect, withSafeRendering } from "./safeRendering.js";
export { showValue } from "./showValue.js";
export { type ProviderConfigCredential, toProviderConfig } from "./toProviderConfig.js";
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
