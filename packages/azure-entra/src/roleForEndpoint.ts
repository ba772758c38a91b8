import { scopeForEndpoint } from "./scopeForEndpoint.js";

/** The Azure role an identity needs to call a provider endpoint, and where to assign it. */
export interface EndpointRole {
  /** The built-in role's name, e.g. `Cognitive Services OpenAI User`. */
  readonly role: string;
  /** Where to assign it, in words: `the resource`, `the Foundry resource or project`. */
  readonly on: string;
}

/**
 * The data-plane role that lets an identity call `baseUrl` with provider type `type`, as this repository names
 * them (the README's seed scenario, the doctor's probe): a Foundry project endpoint
 * (`*.services.ai.azure.com/api/projects/…`) → `Azure AI User` (Microsoft's Foundry RBAC guide); Claude on Foundry
 * (`type: "anthropic"`) → `Cognitive Services User` (a partner model, which `Cognitive Services OpenAI User` does
 * not cover); any other endpoint → `Cognitive Services OpenAI User`. Pure.
 */
export function roleForEndpoint(baseUrl: string, type?: string): EndpointRole {
  const endpoint = scopeForEndpoint(baseUrl);
  const foundry = endpoint.cloud?.foundryAudience;
  // scopeForEndpoint gives the Foundry audience's scope to project endpoints only.
  if (foundry !== undefined && endpoint.scope === `${foundry}/.default`)
    return { role: "Azure AI User", on: "the Foundry resource or project" };
  const on = endpoint.guessed ? "the Azure resource behind the endpoint" : "the resource";
  if (type === "anthropic") return { role: "Cognitive Services User", on };
  return { role: "Cognitive Services OpenAI User", on };
}
