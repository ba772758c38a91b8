export { createFakeAzureCli, type FakeAzureCli, type FakeAzureCliOptions } from "./createFakeAzureCli.js";
export type {
  IssuedToken,
  IssueTokenOptions,
  TokenClaims,
  TokenVerifier,
  VerifyTokenOptions,
  VerifyTokenResult,
} from "./createTokenAuthority.js";
export type { Fault } from "./FaultQueue.js";
export { AZURE_IDENTITY_VARIABLES, setIdentityEnv, setProcessEnv, withIdentityEnv } from "./setProcessEnv.js";
export {
  type AzureEmulators,
  type AzureEmulatorsOptions,
  startAzureEmulators,
} from "./startAzureEmulators.js";
export {
  type FoundryAuthKind,
  type FoundryEmulator,
  type FoundryEmulatorOptions,
  type FoundryReplyRequest,
  type FoundryRequestRecord,
  startFoundryEmulator,
} from "./startFoundryEmulator.js";
export {
  AZURE_CLI_APP_ID,
  type ManagedIdentityEmulator,
  type ManagedIdentityEmulatorOptions,
  type ManagedIdentityProtocol,
  type ManagedIdentityRequestRecord,
  startManagedIdentityEmulator,
} from "./startManagedIdentityEmulator.js";
export type { WireApi } from "./writeModelReply.js";
