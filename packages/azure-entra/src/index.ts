export { audienceMatchesScope, resourceOfScope } from "./audienceMatchesScope.js";
export { AZURE_AUTHORITY_HOST, authorityHostWarning } from "./authorityHostWarning.js";
export {
  type AzureEntraModuleOptions,
  azureEntraModule,
  createAzureEntraModule,
} from "./azureEntraModule.js";
export {
  AZURE_TOKEN_CREDENTIALS,
  AZURE_TOKEN_CREDENTIALS_VALUES,
  checkAzureTokenCredentials,
} from "./checkAzureTokenCredentials.js";
export {
  AZURE_CHINA_CLOUD,
  AZURE_CLOUDS,
  AZURE_PUBLIC_CLOUD,
  AZURE_US_GOVERNMENT,
  type AzureCloud,
  azureCloudOfAuthorityHost,
} from "./clouds.js";
export type { AnyDefaultAzureCredentialOptions } from "./createLazyDefaultAzureCredential.js";
export { describeCredentialError } from "./describeCredentialError.js";
export { diagnoseToken } from "./diagnoseToken.js";
export {
  AZURE_ENTRA_MODE,
  EntraIdProviderConfigSource,
  type EntraIdProviderConfigSourceOptions,
} from "./EntraIdProviderConfigSource.js";
export {
  AI_AZURE_AUDIENCE,
  COGNITIVE_SERVICES_AUDIENCE,
  expectedAudienceFor,
  scopeAudienceProblem,
} from "./expectedAudienceFor.js";
export { explainTokenRejection, type TokenRejectionContext } from "./explainTokenRejection.js";
export { type JwtClaims, readJwtClaims } from "./readJwtClaims.js";
export { renewalClaims } from "./renewalClaims.js";
export { type RenewalMethod, type RenewalPlan, renewalPlanFor } from "./renewalPlanFor.js";
export { type EndpointRole, roleForEndpoint } from "./roleForEndpoint.js";
export { type EndpointScope, scopeForEndpoint } from "./scopeForEndpoint.js";
export {
  DEFAULT_REFRESH_WINDOW_MS,
  DEFAULT_RETRY,
  DEFAULT_TOKEN_TIMEOUT_MS,
  TokenCache,
  type TokenCacheEvent,
  type TokenCacheEventType,
  type TokenCacheGetTokenOptions,
  type TokenCacheOptions,
  type TokenCacheRetryOptions,
  type TokenCacheStatus,
  type TokenClaims,
} from "./TokenCache.js";
