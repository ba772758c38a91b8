import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type EntraAuthorityEmulator, startEntraAuthorityEmulator } from "./startEntraAuthorityEmulator.js";
import { runCredentialProcess } from "./test-support/runCredentialProcess.js";

// What MSAL (msal-common 16.13, under @azure/identity 4.13.1) asks for when AZURE_AUTHORITY_HOST names a
// sovereign cloud or an unknown host, found by running it: see the README's "Sovereign clouds".
const SCOPE = "https://cognitiveservices.azure.com/.default";
let emulator: EntraAuthorityEmulator;

beforeAll(async () => {
  emulator = await startEntraAuthorityEmulator({
    hosts: [
      "login.microsoftonline.us",
      "login.partner.microsoftonline.cn",
      "login.microsoftonline.de",
      "login.contoso.test",
    ],
  });
});
afterAll(() => emulator.close());
beforeEach(() => emulator.reset());

const t = () => emulator.tenantId;
const served = () => emulator.requests.map((r) => `${r.method} ${r.host}${r.path} ${r.status}`);
const targets = () => [...new Set(emulator.proxyRequests.map((r) => `${r.target} ${r.tunnelled}`))];
async function tokenVia(authorityHost: string) {
  const result = await runCredentialProcess(emulator.env("service-principal", { authorityHost }));
  if (!result.ok) throw new Error(`getToken failed: ${result.name}: ${result.message}`);
  return emulator.verifyToken(result.token, { audience: SCOPE });
}

describe("sovereign and custom authority hosts through the proxy", { timeout: 60_000 }, () => {
  it("login.microsoftonline.us (US Gov): MSAL's hard-coded metadata, only the token POST", async () => {
    expect((await tokenVia("https://login.microsoftonline.us")).ok).toBe(true);
    expect(served()).toEqual([`POST login.microsoftonline.us/${t()}/oauth2/v2.0/token 200`]);
    expect(targets()).toEqual(["login.microsoftonline.us:443 true"]);
  });

  it("login.chinacloudapi.cn (China): MSAL rewrites it to its preferred network login.partner.microsoftonline.cn", async () => {
    expect((await tokenVia("https://login.chinacloudapi.cn")).ok).toBe(true);
    expect(served()).toEqual([`POST login.partner.microsoftonline.cn/${t()}/oauth2/v2.0/token 200`]);
    expect(targets()).toEqual(["login.partner.microsoftonline.cn:443 true"]);
  });

  it("login.microsoftonline.de: a known alias without hard-coded endpoints, so MSAL fetches OpenID configuration", async () => {
    expect((await tokenVia("https://login.microsoftonline.de")).ok).toBe(true);
    expect(served()).toEqual([
      `GET login.microsoftonline.de/${t()}/v2.0/.well-known/openid-configuration 200`,
      `POST login.microsoftonline.de/${t()}/oauth2/v2.0/token 200`,
    ]);
  });

  it("an unknown host: instance discovery on login.microsoftonline.com, then OpenID configuration, then the token", async () => {
    expect((await tokenVia("https://login.contoso.test/")).ok).toBe(true);
    expect(served()).toEqual([
      "GET login.microsoftonline.com/common/discovery/instance 200",
      `GET login.contoso.test/${t()}/v2.0/.well-known/openid-configuration 200`,
      `POST login.contoso.test/${t()}/oauth2/v2.0/token 200`,
    ]);
    expect(targets()).toEqual(["login.microsoftonline.com:443 true", "login.contoso.test:443 true"]);
  });

  it("a host the emulator does not serve: env() refuses it; set by hand, the proxy refuses the tunnel", async () => {
    expect(() =>
      emulator.env("service-principal", { authorityHost: "https://login.sovcloud-identity.fr" }),
    ).toThrow("is not served; accepted: https://login.microsoftonline.com, https://login.microsoftonline.us");
    const env = {
      ...emulator.env("service-principal"),
      AZURE_AUTHORITY_HOST: "https://login.sovcloud-identity.fr",
    };
    const result = await runCredentialProcess(env);
    expect(result.ok).toBe(false);
    expect(emulator.requests).toEqual([]);
    expect(targets()).toEqual(["login.sovcloud-identity.fr:443 false"]);
  });
});
