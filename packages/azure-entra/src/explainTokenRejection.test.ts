import { makeJwt } from "@copilot-byok/test-utils/makeJwt";
import { describe, expect, it } from "vitest";
import { explainTokenRejection, type TokenRejectionContext } from "./explainTokenRejection.js";
import { renewalPlanFor } from "./renewalPlanFor.js";
import { roleForEndpoint } from "./roleForEndpoint.js";
import { scopeForEndpoint } from "./scopeForEndpoint.js";

const NOW = Date.UTC(2030, 0, 1, 12);
const MINUTE = 60_000;
const TENANT = "72f988bf-0000-4000-8000-00000000a11c";
const OID = "22222222-0000-4000-8000-00000000001d";
const APP = "11111111-0000-4000-8000-00000000c11e";
const PUBLIC = "https://r.openai.azure.com/openai/v1/";

function contextFor(baseUrl: string, extra: Partial<TokenRejectionContext> = {}): TokenRejectionContext {
  const endpoint = scopeForEndpoint(baseUrl);
  return {
    scope: endpoint.scope,
    endpoint,
    expectedAudiences: endpoint.audiences,
    role: roleForEndpoint(baseUrl),
    now: NOW,
    ...extra,
  };
}

const token = (claims: Record<string, unknown> = {}) =>
  makeJwt({
    aud: "https://cognitiveservices.azure.com",
    iss: `https://sts.windows.net/${TENANT}/`,
    tid: TENANT,
    oid: OID,
    appid: APP,
    nbf: (NOW - 5 * MINUTE) / 1000,
    exp: (NOW + 41 * MINUTE) / 1000,
    ...claims,
  });

describe("explainTokenRejection", () => {
  it("401 of a token valid by this machine's clock: revoked or no access, or the clock; and the tenant", () => {
    const value = token();
    const lines = explainTokenRejection(value, 401, contextFor(PUBLIC));
    expect(lines).toEqual([
      `the provider rejected a token that expires in 41 min by this machine's clock: if the clock is right, the token was revoked or the principal lost access (the role "Cognitive Services OpenAI User" on the resource); check the clock`,
      `the token is from tenant ${TENANT}: the resource must belong to that tenant`,
    ]);
    expect(lines.join("\n")).not.toContain(value);
  });

  it("401 of a token expired by this machine's clock", () => {
    const lines = explainTokenRejection(token({ exp: (NOW - 3 * MINUTE) / 1000 }), 401, contextFor(PUBLIC));
    expect(lines[0]).toBe(
      "the token expired 3 min ago by this machine's clock (exp 2030-01-01T11:57:00.000Z): a new one is asked for at the next request; if new tokens are refused too, check this machine's clock",
    );
  });

  it("says the clock is behind when the token is valid only from well ahead of it", () => {
    const lines = explainTokenRejection(
      token({ nbf: (NOW + 2 * 60 * MINUTE) / 1000, exp: (NOW + 3 * 60 * MINUTE) / 1000 }),
      401,
      contextFor(PUBLIC),
    );
    expect(lines).toContain(
      "the token is valid only from 2030-01-01T14:00:00.000Z, 2 h ahead of this machine's clock: this machine's clock is behind; set it right",
    );
  });

  it("401 with an audience the endpoint does not expect: names both and the scope to set", () => {
    const context = contextFor(PUBLIC, { scope: "https://management.azure.com/.default" });
    const lines = explainTokenRejection(token({ aud: "https://management.azure.com" }), 401, context);
    expect(lines[0]).toBe(
      "the token's audience https://management.azure.com is not the one the endpoint expects (https://cognitiveservices.azure.com): the scope https://management.azure.com/.default asks for it; set COPILOT_PROVIDER_TOKEN_SCOPE=https://cognitiveservices.azure.com/.default",
    );
    // A credential that ignored the right scope.
    const [ignored] = explainTokenRejection(
      token({ aud: "https://management.azure.com" }),
      401,
      contextFor(PUBLIC),
    );
    expect(ignored).toBe(
      "the token's audience https://management.azure.com is neither the one the endpoint expects (https://cognitiveservices.azure.com) nor the one the scope https://cognitiveservices.azure.com/.default asks for: the credential gave a token for another resource; check the credential",
    );
  });

  it("names the cloud of an audience and of an issuer that are not the endpoint's", () => {
    const lines = explainTokenRejection(
      token({
        aud: "https://cognitiveservices.azure.com",
        iss: `https://login.microsoftonline.com/${TENANT}/v2.0`,
      }),
      401,
      contextFor("https://r.openai.azure.us/openai/v1/", {
        scope: "https://cognitiveservices.azure.com/.default",
      }),
    );
    expect(lines[0]).toBe(
      "the token's audience https://cognitiveservices.azure.com, an audience of the Azure public cloud, is not the one the endpoint expects (https://cognitiveservices.azure.us): the scope https://cognitiveservices.azure.com/.default asks for it; set COPILOT_PROVIDER_TOKEN_SCOPE=https://cognitiveservices.azure.us/.default",
    );
    expect(lines[1]).toBe(
      "the token was issued by the Azure public cloud's authority (login.microsoftonline.com), but the endpoint is in Azure Government: sign in at https://login.microsoftonline.us (AZURE_AUTHORITY_HOST for a service principal or workload identity; az cloud set --name AzureUSGovernment for the Azure CLI)",
    );
  });

  it("an endpoint of unknown audiences: a token that does not fit the scope came from a credential ignoring it", () => {
    const lines = explainTokenRejection(
      token({ aud: "api://gateway" }),
      401,
      contextFor("http://127.0.0.1:9/v1/"),
    );
    expect(lines[0]).toBe(
      "the token's audience api://gateway does not fit the scope https://cognitiveservices.azure.com/.default: the credential gave a token for another resource; check the credential",
    );
  });

  it("a managed identity: says that MSAL hands back the same token, so the request is not replayed", () => {
    const renewal = renewalPlanFor("DefaultAzureCredential", "ManagedIdentityCredential");
    const lines = explainTokenRejection(token(), 401, contextFor(PUBLIC, { renewal }));
    expect(lines.at(-1)).toBe(
      "ManagedIdentityCredential cannot be asked past MSAL's cache: @azure/identity hands MSAL no claims for it, and MSAL's process-wide managed-identity cache hands back the same token until MSAL refreshes it (it answered for DefaultAzureCredential): no other token can be had before then, so the request is not replayed",
    );
    // A credential whose renewal passes its cache by: nothing to say about renewal.
    const claims = explainTokenRejection(
      token(),
      401,
      contextFor(PUBLIC, { renewal: renewalPlanFor("ClientSecretCredential") }),
    );
    expect(claims.join("\n")).not.toContain("ClientSecretCredential");
  });

  it("403: names the role to assign and the principal's object id and app id", () => {
    expect(explainTokenRejection(token(), 403, contextFor(PUBLIC))).toEqual([
      `the provider accepted the token but refused the request: assign the role "Cognitive Services OpenAI User" on the resource to the principal with object id ${OID} (app id ${APP}): az role assignment create --assignee-object-id ${OID} --assignee-principal-type ServicePrincipal --role "Cognitive Services OpenAI User" --scope <resource id>; new role assignments take a few minutes to apply (if it is assigned, check the resource's network rules)`,
    ]);
    const project = "https://r.services.ai.azure.com/api/projects/p";
    const [line] = explainTokenRejection(
      token({ aud: "https://ai.azure.com", scp: "user_impersonation" }),
      403,
      contextFor(project),
    );
    expect(line).toContain(`assign the role "Azure AI User" on the Foundry resource or project`);
    expect(line).toContain("--assignee-principal-type User");
  });

  it("a token that is not a JWT; another status", () => {
    expect(explainTokenRejection("opaque-token-value", 401, contextFor(PUBLIC))).toEqual([
      "the token is not a JWT: its audience, tenant and expiry cannot be checked here",
    ]);
    expect(explainTokenRejection("opaque-token-value", 403, contextFor(PUBLIC))[0]).toContain(
      "to the identity the token is for (the token names no object id);",
    );
    expect(explainTokenRejection(token(), 500, contextFor(PUBLIC))).toEqual([]);
  });
});
