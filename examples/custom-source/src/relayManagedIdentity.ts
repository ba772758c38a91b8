import { ConfigurationError, type Env } from "@copilot-byok/core/plugin";
import type { BrokerToken } from "./startTokenBroker.js";

/** The resource the relayed tokens are for: Azure AI Foundry and Azure OpenAI (public cloud). */
export const RELAYED_RESOURCE = "https://cognitiveservices.azure.com";

/**
 * Where a stand-in broker's tokens come from on a machine without a broker: the managed identity endpoint of
 * App Service (`IDENTITY_ENDPOINT`, `IDENTITY_HEADER`), e.g. the emulator `copilot-byok emulators` starts, as
 * a broker in front of an identity would hand them out. Each call asks for one token, bounded by `timeoutMs`.
 *
 * @throws ConfigurationError naming each variable that is missing.
 */
export function relayManagedIdentity(env: Env, timeoutMs = 10_000): () => Promise<BrokerToken> {
  const endpoint = env.IDENTITY_ENDPOINT?.trim();
  const header = env.IDENTITY_HEADER?.trim();
  const problems = [
    ...(endpoint
      ? []
      : ["IDENTITY_ENDPOINT is not set: the managed identity endpoint the broker asks for tokens"]),
    ...(header ? [] : ["IDENTITY_HEADER is not set: the secret header of that endpoint"]),
  ];
  if (!endpoint || !header) throw new ConfigurationError(problems);
  return async () => {
    const url = new URL(endpoint);
    url.searchParams.set("resource", RELAYED_RESOURCE);
    url.searchParams.set("api-version", "2019-08-01");
    const response = await fetch(url, {
      headers: { "X-IDENTITY-HEADER": header },
      signal: AbortSignal.timeout(timeoutMs),
    });
    if (!response.ok) throw new Error(`the managed identity endpoint answered HTTP ${response.status}`);
    const body = (await response.json()) as { access_token?: unknown; expires_on?: unknown };
    const expiresOn = Number(body.expires_on);
    if (typeof body.access_token !== "string" || !Number.isFinite(expiresOn))
      throw new Error("the managed identity endpoint's answer has no access_token and expires_on");
    return { token: body.access_token, expiresOn };
  };
}
