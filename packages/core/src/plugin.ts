// @copilot-byok/core/plugin: the face of core for plug-in authors (a source, a module). Application authors
// use the root export, @copilot-byok/core.

export {
  type AdaptLoggerOptions,
  adaptLogger,
  type LogCallStyle,
  type LogTarget,
} from "./adaptLogger.js";
// The refreshing cache of one expiring credential value (a token, a key with a TTL), and its settings.
export { DEFAULT_TIMEOUT_MS } from "./attemptWithTimeout.js";
export { DEFAULT_RETRY, type RetryOptions } from "./backoff.js";
export { type Clock, systemClock } from "./Clock.js";
export { CONFIGURATION_ERROR_CODE, ConfigurationError } from "./ConfigurationError.js";
export { CopilotByokError, type CopilotByokErrorOptions } from "./CopilotByokError.js";
export { checkCredentialUrl } from "./checkCredentialUrl.js";
export {
  checkRefreshOptions,
  type RefreshTimingOptions,
  type RefreshWindowLimit,
} from "./checkRefreshOptions.js";
export { type ConsoleLoggerOptions, createConsoleLogger } from "./createConsoleLogger.js";
// Whether an installed SDK can carry the request edge (for the doctor and other tools).
export { requestHandlerProblem } from "./createCopilotByokRequestHandler.js";
export {
  type CredentialSupplier,
  createProviderConfigSource,
  type ProviderConfigSourceDefinition,
} from "./createProviderConfigSource.js";
export { DISPOSED_ERROR_CODE, DisposedError } from "./DisposedError.js";
export { describeProvider } from "./describeProvider.js";
// For "did you mean" hints of a plug-in's own options.
export { editDistance } from "./editDistance.js";
export * from "./envNames.js";
export { fingerprint } from "./fingerprint.js";
export { isLoopbackHost } from "./isLoopbackHost.js";
export { type LogDetails, type Logger, silentLogger } from "./Logger.js";
export { DEFAULT_LOG_LEVEL, LOG_LEVELS, type LogLevel } from "./LogLevel.js";
export { COPILOT_SDK_PACKAGE, COPILOT_SDK_RANGE, type CopilotSdk, loadCopilotSdk } from "./loadCopilotSdk.js";
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
export { RefreshingCache } from "./RefreshingCache.js";
export {
  deliverEvent,
  type RefreshingCacheEvent,
  type RefreshingCacheEventType,
  type RefreshingCacheStatus,
} from "./RefreshingCacheEvent.js";
export type { FetchedValue, RefreshingCacheOptions } from "./RefreshingCacheOptions.js";
export {
  isSet,
  NO_ENDPOINT_PROBLEM,
  type ProviderEnvReading,
  type ProviderEnvSettings,
  providerSettingsFromEnv,
  readProviderEnv,
} from "./readProviderEnv.js";
export { formatForLog, isSecretKey, REDACTED, redact, redactText, redactUrl } from "./redact.js";
export { DEFAULT_REFRESH_WINDOW_MS } from "./refreshTime.js";
export { type BaseUrlResolution, resolveBaseUrl } from "./resolveBaseUrl.js";
export { withSafeRendering } from "./safeRendering.js";
export { showModelName, showScope } from "./showSetting.js";
export { showValue } from "./showValue.js";
export {
  TOKEN_ACQUISITION_ERROR_CODE,
  TokenAcquisitionError,
  type TokenAcquisitionErrorOptions,
  type TokenAcquisitionReason,
} from "./TokenAcquisitionError.js";
export { type ProviderConfigCredential, toProviderConfig } from "./toProviderConfig.js";
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
