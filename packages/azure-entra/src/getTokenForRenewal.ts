import type { AccessToken, GetTokenOptions, TokenCredential } from "@azure/core-auth";
import { renewalClaims } from "./renewalClaims.js";
import type { RenewalMethod } from "./renewalPlanFor.js";

/**
 * Asks `credential` for a token to replace one the provider refused, the way `method` says (see
 * `renewalPlanFor`): `claims` with the claims challenge of `renewalClaims(now)`; `claims-then-plain` the same,
 * then once more without claims if that throws (unless `options.abortSignal` ended the attempt); `plain` as
 * usual.
 */
export async function getTokenForRenewal(
  credential: TokenCredential,
  scope: string,
  options: GetTokenOptions,
  method: RenewalMethod,
  now: number,
): Promise<AccessToken | null> {
  if (method === "plain") return credential.getToken(scope, options);
  const withClaims: GetTokenOptions = { ...options, claims: renewalClaims(now) };
  if (method === "claims") return credential.getToken(scope, withClaims);
  try {
    return await credential.getToken(scope, withClaims);
  } catch (error) {
    if (options.abortSignal?.aborted) throw error;
    return credential.getToken(scope, options);
  }
}
