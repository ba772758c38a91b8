export { CONFIGURATION_ERROR_CODE, ConfigurationError } from "./ConfigurationError.js";
export { CopilotByokError, type CopilotByokErrorOptions } from "./CopilotByokError.js";
export {
  type CopilotResumeSessionConfig,
  type CopilotSessionConfig,
  CopilotSessionFactory,
  type CreateSessionOptions,
} from "./CopilotSessionFactory.js";
export { DISPOSED_ERROR_CODE, disposedError } from "./disposedError.js";
export * from "./envNames.js";
export { fingerprint } from "./fingerprint.js";
export { isLoopbackHost } from "./isLoopbackHost.js";
export { createConsoleLogger, type LogDetails, type Logger, silentLogger } from "./Logger.js";
export {
  isSet,
  NO_ENDPOINT_PROBLEM,
  type ProviderEnvReading,
  type ProviderEnvSettings,
  readProviderEnv,
  showValue,
} from "./readProviderEnv.js";
export { formatForLog, isSecretKey, REDACTED, redact, redactText, redactUrl } from "./redact.js";
export {
  CopilotByokResources,
  type RegisterCopilotByokOptions,
  registerCopilotByok,
} from "./registerCopilotByok.js";
export { type BaseUrlResolution, resolveBaseUrl } from "./resolveBaseUrl.js";
export { INSPECT_CUSTOM, withSafeInspect, withSafeRendering } from "./safeRendering.js";
export { selectProviderConfigSource } from "./selectProviderConfigSource.js";
export {
  TOKEN_ACQUISITION_ERROR_CODE,
  TokenAcquisitionError,
  type TokenAcquisitionErrorOptions,
} from "./TokenAcquisitionError.js";
export {
  COPILOT_BYOK_ENV,
  COPILOT_BYOK_LOGGER,
  COPILOT_BYOK_SELECTION,
  COPILOT_CLIENT,
  PROVIDER_CONFIG_SOURCE,
} from "./tokens.js";
export type {
  Detection,
  DetectionStrength,
  Env,
  GetProviderConfigOptions,
  ModuleContext,
  ProviderConfigSource,
  ProviderConfigSourceModule,
  Selection,
  SourceDescription,
} from "./types.js";
