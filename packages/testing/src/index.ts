export { type ApiKeySource, keyFingerprint } from "./ApiKeys.js";
export type { TokenRevocationFilter } from "./CredentialRevocations.js";
export type { EntraCredentialForm } from "./checkClientCredentials.js";
export type { EntraEndpoint, EntraRequestRecord } from "./createEntraRequestHandler.js";
export { createFakeAzureCli, type FakeAzureCli, type FakeAzureCliOptions } from "./createFakeAzureCli.js";
export {
  createServerCertificate,
  type ServerCertificate,
  type ServerCertificateOptions,
} from "./createServerCertificate.js";
export type {
  IssuedToken,
  IssueTokenOptions,
  TokenAuthority,
  TokenClaims,
  TokenVerifier,
  VerifyTokenOptions,
  VerifyTokenResult,
} from "./createTokenAuthority.js";
export {
  type EntraCredentialEnvOptions,
  type EntraCredentialKind,
  LOOPBACK_NO_PROXY,
} from "./entraCredentialEnv.js";
export type { Fault } from "./FaultQueue.js";
export {
  type FederatedAssertionClaims,
  type FederatedToken,
  FederatedTokenFile,
  type FederatedTokenFileOptions,
  type RotateFederatedTokenOptions,
  TOKEN_EXCHANGE_AUDIENCE,
} from "./FederatedTokenFile.js";
export type { DenyRoleOptions } from "./RoleDenials.js";
export { AZURE_IDENTITY_VARIABLES, setIdentityEnv, setProcessEnv, withIdentityEnv } from "./setProcessEnv.js";
export {
  type AzureEmulators,
  type AzureEmulatorsAuthorityOptions,
  type AzureEmulatorsOptions,
  type AzureEmulatorsWithAuthority,
  startAzureEmulators,
} from "./startAzureEmulators.js";
export {
  type ConnectProxy,
  type ConnectProxyOptions,
  type ProxyRequestRecord,
  type ProxyRoute,
  startConnectProxy,
} from "./startConnectProxy.js";
export {
  type EntraAuthorityEmulator,
  type EntraAuthorityEmulatorOptions,
  type EntraServicePrincipalOptions,
  type EntraWorkloadIdentityOptions,
  startEntraAuthorityEmulator,
  type TokenIssuer,
} from "./startEntraAuthorityEmulator.js";
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
