import type { ProviderConfig } from "@github/copilot-sdk";

/** What the runtime passes to `bearerTokenProvider` (SDK 1.0.14). */
export const PROVIDER_CALLBACK_ARGS = Object.freeze({ providerName: "default", sessionId: "test-session" });

/** The token a config hands the runtime: its `bearerTokenProvider` asked as the runtime asks it. */
export async function tokenOf(config: ProviderConfig): Promise<string> {
  if (!config.bearerTokenProvider) throw new Error("the provider config has no bearerTokenProvider");
  return config.bearerTokenProvider(PROVIDER_CALLBACK_ARGS);
}
