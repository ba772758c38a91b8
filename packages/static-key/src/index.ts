export { type ApiKeyCheck, checkApiKey, MAX_API_KEY_LENGTH, MIN_API_KEY_LENGTH } from "./checkApiKey.js";
export { type DetectStaticKeyOptions, detectStaticKey, KEY_PRECEDENCE } from "./detectStaticKey.js";
export { KeyFileWatcher, type KeyFileWatcherDescription } from "./KeyFileWatcher.js";
export {
  DEFAULT_KEY_POLL_INTERVAL_MS,
  DEFAULT_KEY_SETTLE_MS,
  type KeyFileWatcherOptions,
  MAX_KEY_POLL_INTERVAL_MS,
  MAX_KEY_SETTLE_MS,
  MIN_KEY_POLL_INTERVAL_MS,
  MIN_KEY_READ_STUCK_MS,
} from "./KeyFileWatcherOptions.js";
export type { KeyRotation, KeyRotationTrigger } from "./KeyRotation.js";
export { credentialHeader, defaultKeyPerRequest } from "./keyDelivery.js";
export {
  STATIC_KEY_MODE,
  type StaticKeyEnvOptions,
  StaticKeyProviderConfigSource,
  type StaticKeyProviderConfigSourceOptions,
} from "./StaticKeyProviderConfigSource.js";
export { createStaticKeyModule, type StaticKeyModuleOptions, staticKeyModule } from "./staticKeyModule.js";
