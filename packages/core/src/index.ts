// @copilot-byok/core: the face of core for application authors. Plug-in authors: @copilot-byok/core/plugin.

export {
  type AdaptLoggerOptions,
  adaptLogger,
  type LogCallStyle,
  type LogTarget,
} from "./adaptLogger.js";
export { CONFIGURATION_ERROR_CODE, ConfigurationError } from "./ConfigurationError.js";
export { CopilotByokError, type CopilotByokErrorOptions } from "./CopilotByokError.js";
export {
  type CopilotClientSupplier,
  type CopilotResumeSessionConfig,
  type CopilotSessionConfig,
  CopilotSessionFactory,
  type CreateSessionOptions,
  type CredentialDelivery,
  type ReadyReport,
} from "./CopilotSessionFactory.js";
export { type ConsoleLoggerOptions, createConsoleLogger } from "./createConsoleLogger.js";
export {
  type CopilotByokRequestHandlerOptions,
  createCopilotByokRequestHandler,
} from "./createCopilotByokRequestHandler.js";
export { DISPOSED_ERROR_CODE, DisposedError } from "./DisposedError.js";
export { describeFailure } from "./describeFailure.js";
export { EDGE_METRICS } from "./edgeTelemetry.js";
export * from "./envNames.js";
export { fingerprint } from "./fingerprint.js";
export { type LogDetails, type Logger, silentLogger } from "./Logger.js";
export { DEFAULT_LOG_LEVEL, LOG_LEVELS, type LogLevel } from "./LogLevel.js";
export type { CopilotSdk } from "./loadCopilotSdk.js";
export type { RequestEdgeOptions } from "./RequestEdge.js";
export type { RequestEdgeEvent, RequestEdgeEventType } from "./RequestEdgeEvent.js";
export { formatForLog, REDACTED, redact, redactText, redactUrl } from "./redact.js";
export { REFRESHES_METRIC } from "./refreshTelemetry.js";
export {
  CopilotByokResources,
  type RegisterCopilotByokOptions,
  registerCopilotByok,
} from "./registerCopilotByok.js";
export { selectProviderConfigSource } from "./selectProviderConfigSource.js";
export {
  TOKEN_ACQUISITION_ERROR_CODE,
  TokenAcquisitionError,
  type TokenAcquisitionErrorOptions,
  type TokenAcquisitionReason,
} from "./TokenAcquisitionError.js";
export {
  COPILOT_BYOK_ENV,
  COPILOT_BYOK_LOGGER,
  COPILOT_BYOK_REQUEST_HANDLER,
  COPILOT_BYOK_SELECTION,
  COPILOT_CLIENT,
  PROVIDER_CONFIG_SOURCE,
} from "./tokens.js";
export type {
  CredentialRejection,
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
