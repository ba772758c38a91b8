import { createPublicKey, type JsonWebKey } from "node:crypto";
import { describe, expect, it } from "vitest";
import { requestAuthority } from "./test-support/requestAuthority.js";
import {
  errorOf,
  SCOPE,
  SECRET,
  SP,
  secretForm,
  useAuthorityEmulator,
} from "./test-support/useAuthorityEmulator.js";

const authority = useAuthorityEmulator();

describe("startEntraAuthorityEmulator: token endpoint", () => {
  it("grants client credentials with the right secret, like Entra, with a token the authority verifies", async () => {
    const res = await requestAuthority(authority.emulator, authority.tokenPath, { form: secretForm() });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ token_type: "Bearer", expires_in: 3600, ext_expires_in: 3600 });
    const verified = authority.emulator.verifyToken(String(res.body.access_token), { audience: SCOPE });
    expect(verified).toMatchObject({
      ok: true,
      claims: { aud: "https://cognitiveservices.azure.com", tid: authority.emulator.tenantId, appid: SP },
    });
    expect(verified.ok && verified.claims.oid).toBe("bbbbbbbb-0000-4000-8000-000000000002");
    expect(authority.emulator.requests).toMatchObject([
      {
        method: "POST",
        host: "login.microsoftonline.com",
        endpoint: "token",
        tenant: authority.emulator.tenantId,
        grantType: "client_credentials",
        clientId: SP,
        scope: SCOPE,
        credential: "client-secret",
        status: 200,
        tokenId: verified.ok ? verified.claims.jti : "",
      },
    ]);
    expect(authority.emulator.tokensIssued).toBe(1);
  });

  it.each([
    ["a wrong secret", secretForm({ client_secret: "nope" }), 401, "invalid_client", 7000215],
    [
      "an unknown client",
      secretForm({ client_id: "cccccccc-0000-4000-8000-000000000003" }),
      400,
      "unauthorized_client",
      700016,
    ],
    [
      "no credential",
      { grant_type: "client_credentials", client_id: SP, scope: SCOPE },
      401,
      "invalid_client",
      7000216,
    ],
    ["another grant", secretForm({ grant_type: "password" }), 400, "unsupported_grant_type", 70003],
    ["no grant", { client_id: SP, client_secret: SECRET, scope: SCOPE }, 400, "invalid_request", 900144],
    [
      "no scope",
      { grant_type: "client_credentials", client_id: SP, client_secret: SECRET },
      400,
      "invalid_request",
      900144,
    ],
    [
      "a scope without /.default",
      secretForm({ scope: "https://cognitiveservices.azure.com" }),
      400,
      "invalid_scope",
      1002012,
    ],
    [
      "two resources",
      secretForm({ scope: `${SCOPE} https://graph.microsoft.com/.default` }),
      400,
      "invalid_scope",
      1002012,
    ],
  ])("refuses %s with Entra's error", async (_name, form, status, error, code) => {
    const res = await requestAuthority(authority.emulator, authority.tokenPath, { form });
    expect([res.status, ...errorOf(res.body)]).toEqual([status, error, [code]]);
    expect(String(res.body.error_description)).toMatch(new RegExp(`^AADSTS${code}: .* Trace ID: `));
    expect(authority.emulator.requests).toMatchObject([{ status, error, errorCode: code }]);
  });

  it("refuses an unknown tenant, a GET and an unknown path", async () => {
    const other = await requestAuthority(authority.emulator, "/other-tenant/oauth2/v2.0/token", {
      form: secretForm(),
    });
    expect(errorOf(other.body)).toEqual(["invalid_request", [90002]]);
    expect((await requestAuthority(authority.emulator, authority.tokenPath)).status).toBe(405);
    expect((await requestAuthority(authority.emulator, "/x/oauth2/token")).status).toBe(404);
    expect(authority.emulator.requests.map((r) => [r.endpoint, r.status])).toEqual([
      ["token", 400],
      ["token", 405],
      ["unknown", 404],
    ]);
  });

  it("grants the workload identity for the current assertion of the token file", async () => {
    const res = await requestAuthority(authority.emulator, authority.tokenPath, {
      form: authority.assertionForm(authority.currentAssertion()),
    });
    expect(res.status).toBe(200);
    const verified = authority.emulator.verifyToken(String(res.body.access_token), { audience: SCOPE });
    expect(verified).toMatchObject({
      ok: true,
      claims: { appid: authority.emulator.workloadIdentity.clientId },
    });
    expect(authority.emulator.requests).toMatchObject([
      { credential: "client-assertion", assertionId: authority.emulator.federatedToken.id, status: 200 },
    ]);
  });

  it("refuses an old assertion after rotation, an expired one, and one of another subject", async () => {
    const old = authority.currentAssertion();
    const oldId = authority.emulator.federatedToken.id;
    await authority.emulator.rotateFederatedToken();
    const stale = await requestAuthority(authority.emulator, authority.tokenPath, {
      form: authority.assertionForm(old),
    });
    expect(errorOf(stale.body)).toEqual(["invalid_request", [70021]]);
    expect(String(stale.body.error_description)).toContain(
      "not the current content of the federated token file",
    );
    expect(authority.emulator.requests.at(-1)).toMatchObject({ assertionId: oldId, errorCode: 70021 });

    await authority.emulator.rotateFederatedToken({ lifetimeSeconds: -60 });
    const expired = await requestAuthority(authority.emulator, authority.tokenPath, {
      form: authority.assertionForm(authority.currentAssertion()),
    });
    expect(errorOf(expired.body)).toEqual(["invalid_client", [700024]]);
    expect(String(expired.body.error_description)).toContain("not within its valid time range");

    await authority.emulator.rotateFederatedToken({ subject: "system:serviceaccount:other:sa" });
    const subject = await requestAuthority(authority.emulator, authority.tokenPath, {
      form: authority.assertionForm(authority.currentAssertion()),
    });
    expect(errorOf(subject.body)).toEqual(["invalid_request", [700213]]);
    await authority.emulator.rotateFederatedToken();
  });

  it("refuses an assertion for a service principal, a malformed one, a forged one and a wrong type", async () => {
    const current = authority.currentAssertion();
    const cases: Array<[Record<string, string>, number]> = [
      [authority.assertionForm(current, { client_id: SP }), 700213],
      [authority.assertionForm("not-a-jwt"), 50027],
      [authority.assertionForm(`${current.slice(0, current.lastIndexOf(".") + 1)}AAAA`), 700027],
      [authority.assertionForm(current, { client_assertion_type: "urn:other" }), 50027],
    ];
    for (const [form, code] of cases) {
      const res = await requestAuthority(authority.emulator, authority.tokenPath, { form });
      expect(res.body.error_codes).toEqual([code]);
    }
  });
});

describe("startEntraAuthorityEmulator: discovery", () => {
  it("serves OpenID configuration for the host asked, instance discovery and the signing keys", async () => {
    const t = authority.emulator.tenantId;
    const config = await requestAuthority(authority.emulator, `/${t}/v2.0/.well-known/openid-configuration`);
    expect(config.body).toMatchObject({
      issuer: `https://login.microsoftonline.com/${t}/v2.0`,
      token_endpoint: `https://login.microsoftonline.com/${t}${"/oauth2/v2.0/token"}`,
      jwks_uri: `https://login.microsoftonline.com/${t}/discovery/v2.0/keys`,
    });
    const endpoint = encodeURIComponent(`https://login.microsoftonline.com/${t}/oauth2/v2.0/authorize`);
    const instance = await requestAuthority(
      authority.emulator,
      `/common/discovery/instance?api-version=1.1&authorization_endpoint=${endpoint}`,
    );
    expect(instance.body).toMatchObject({
      tenant_discovery_endpoint: `https://login.microsoftonline.com/${t}/v2.0/.well-known/openid-configuration`,
      metadata: [{ preferred_network: "login.microsoftonline.com" }],
    });
    const unknown = encodeURIComponent("https://login.example.test/x/oauth2/v2.0/authorize");
    const refused = await requestAuthority(
      authority.emulator,
      `/common/discovery/instance?authorization_endpoint=${unknown}`,
    );
    expect([refused.status, refused.body.error]).toEqual([400, "invalid_instance"]);
    const keys = await requestAuthority(authority.emulator, `/${t}/discovery/v2.0/keys`);
    const [jwk] = keys.body.keys as JsonWebKey[];
    expect(
      createPublicKey({ key: jwk as JsonWebKey, format: "jwk" }).export({ type: "spki", format: "pem" }),
    ).toBe(authority.emulator.publicKey);
    const tenantless = await requestAuthority(
      authority.emulator,
      "/nobody/v2.0/.well-known/openid-configuration",
    );
    expect(errorOf(tenantless.body)).toEqual(["invalid_tenant", [90002]]);
    expect(authority.emulator.requests.map((r) => [r.endpoint, r.status])).toEqual([
      ["openid-configuration", 200],
      ["instance-discovery", 200],
      ["instance-discovery", 400],
      ["keys", 200],
      ["openid-configuration", 400],
    ]);
  });
});
