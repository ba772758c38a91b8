import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  type ManagedIdentityEmulator,
  startManagedIdentityEmulator,
} from "./startManagedIdentityEmulator.js";

const AUD = "https://cognitiveservices.azure.com";
let emulator: ManagedIdentityEmulator;
beforeAll(async () => {
  emulator = await startManagedIdentityEmulator({ identityHeader: "secret-header", tenantId: "t-1" });
});
afterEach(() => {
  emulator.reset();
  emulator.tokenLifetimeSeconds = 3600;
  emulator.expiresOnUnit = "seconds";
});
afterAll(async () => {
  await emulator.close();
});

const appService = (
  resource = AUD,
  headers: Record<string, string> = { "x-identity-header": "secret-header" },
) =>
  fetch(`${emulator.identityEndpoint}?api-version=2019-08-01&resource=${encodeURIComponent(resource)}`, {
    headers,
    signal: AbortSignal.timeout(5000),
  });
const imds = (
  query = `api-version=2018-02-01&resource=${encodeURIComponent(AUD)}`,
  headers = { Metadata: "true" },
) =>
  fetch(`${emulator.url}/metadata/identity/oauth2/token/?${query}`, {
    headers,
    signal: AbortSignal.timeout(5000),
  });

describe("startManagedIdentityEmulator: App Service protocol", () => {
  it("answers like App Service 2019-08-01 with a token that verifies", async () => {
    const res = await appService(`${AUD}/.default`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as Record<string, string>;
    expect(Object.keys(body).sort()).toEqual([
      "access_token",
      "client_id",
      "expires_on",
      "resource",
      "token_type",
    ]);
    expect(body).toMatchObject({ resource: AUD, token_type: "Bearer", client_id: emulator.clientId });
    expect(body.expires_on).toMatch(/^\d{10}$/);
    const verified = emulator.verifyToken(body.access_token ?? "", { audience: AUD });
    expect(verified.ok && verified.claims).toMatchObject({
      aud: AUD,
      tid: "t-1",
      iss: "https://sts.windows.net/t-1/",
    });
    expect(Number(body.expires_on) - Date.now() / 1000).toBeGreaterThan(3590);
    expect(emulator.env("app-service")).toEqual({
      IDENTITY_ENDPOINT: `${emulator.url}/msi/token`,
      IDENTITY_HEADER: "secret-header",
    });
  });

  it("refuses a missing (400) or wrong (401) X-IDENTITY-HEADER and a wrong api-version", async () => {
    const missing = await appService(AUD, {});
    expect(missing.status).toBe(400);
    expect(await missing.json()).toMatchObject({
      statusCode: 400,
      message: expect.stringContaining("missing"),
    });
    const wrong = await appService(AUD, { "x-identity-header": "nope" });
    expect(wrong.status).toBe(401);
    expect(JSON.stringify(await wrong.json())).not.toContain("secret-header");
    const version = await fetch(`${emulator.identityEndpoint}?api-version=2017-09-01&resource=x`, {
      headers: { "x-identity-header": "secret-header" },
    });
    expect(version.status).toBe(400);
    expect(emulator.tokensIssued).toBe(0);
  });

  it("names user-assigned identities in the claims and can refuse unknown ones", async () => {
    const res = await fetch(
      `${emulator.identityEndpoint}?api-version=2019-08-01&resource=r&client_id=ua-1&mi_res_id=/sub/x`,
      {
        headers: { "x-identity-header": "secret-header" },
      },
    );
    const { access_token } = (await res.json()) as { access_token: string };
    const claims = JSON.parse(Buffer.from(access_token.split(".")[1] ?? "", "base64url").toString());
    expect(claims).toMatchObject({ appid: "ua-1", xms_mirid: "/sub/x" });
    expect(emulator.requests[0]).toMatchObject({ clientId: "ua-1", resourceId: "/sub/x", status: 200 });

    const strict = await startManagedIdentityEmulator({ userAssignedClientIds: ["ua-1"] });
    try {
      const refused = await fetch(
        `${strict.url}/metadata/identity/oauth2/token?api-version=2018-02-01&resource=r&client_id=ua-2`,
        {
          headers: { Metadata: "true" },
        },
      );
      expect([refused.status, await refused.json()]).toEqual([
        400,
        { error: "invalid_request", error_description: "Identity not found" },
      ]);
    } finally {
      await strict.close();
    }
  });
});

describe("startManagedIdentityEmulator: IMDS protocol", () => {
  it("answers like IMDS, at the path MSAL uses (lower case, trailing slash)", async () => {
    const res = await imds();
    expect(res.status).toBe(200);
    const body = (await res.json()) as Record<string, string>;
    expect(body).toMatchObject({
      resource: AUD,
      token_type: "Bearer",
      expires_in: "3600",
      ext_expires_in: "3600",
    });
    expect(Number(body.expires_on) - Number(body.not_before)).toBe(3600);
    expect(emulator.verifyToken(body.access_token ?? "", { audience: AUD }).ok).toBe(true);
    expect(emulator.env("imds")).toEqual({ AZURE_POD_IDENTITY_AUTHORITY_HOST: emulator.url });
  });

  it("refuses a request without Metadata: true, which is how @azure/identity probes IMDS", async () => {
    const probe = await fetch(`${emulator.url}/metadata/identity/oauth2/token`, {
      headers: { Accept: "application/json" },
    });
    expect(probe.status).toBe(400);
    expect(await probe.json()).toEqual({
      error: "invalid_request",
      error_description: "Required metadata header not specified",
    });
    expect((await imds("resource=x")).status).toBe(400);
    expect((await imds("api-version=2018-02-01")).status).toBe(400);
  });

  it("answers 404 elsewhere", async () => {
    const res = await fetch(`${emulator.url}/nowhere`);
    expect(res.status).toBe(404);
    expect(emulator.requests[0]).toMatchObject({ protocol: "unknown", status: 404 });
  });
});

describe("startManagedIdentityEmulator: faults", () => {
  it.each([400, 404, 410, 500])("answers a scripted %i once, then recovers", async (status) => {
    emulator.enqueueFaults([{ status }]);
    const failed = await appService();
    expect(failed.status).toBe(status);
    expect(await failed.json()).toMatchObject({
      statusCode: status,
      message: `injected fault: HTTP ${status}`,
    });
    expect((await appService()).status).toBe(200);
    expect(emulator.requests.map((r) => [r.status, r.fault])).toEqual([
      [status, `status ${status}`],
      [200, undefined],
    ]);
  });

  it("sends Retry-After in seconds or as an HTTP date", async () => {
    const date = new Date(Date.now() + 60_000);
    emulator.enqueueFaults([
      { status: 429, retryAfter: 2 },
      { status: 429, retryAfterDate: date },
    ]);
    expect((await imds()).headers.get("retry-after")).toBe("2");
    const second = await imds();
    expect(second.headers.get("retry-after")).toBe(date.toUTCString());
    expect(await second.json()).toMatchObject({ error: "too_many_requests" });
  });

  it("delays an answer", async () => {
    emulator.enqueueFaults([{ delayMs: 300 }]);
    const started = Date.now();
    expect((await appService()).status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
  });

  it("hangs until the client gives up, and close() ends a hung request (not the client's timeout)", async () => {
    const own = await startManagedIdentityEmulator();
    own.enqueueFaults([{ hang: true }, { hang: true }]);
    const url = `${own.url}/metadata/identity/oauth2/token?api-version=2018-02-01&resource=r`;
    const get = (ms: number) =>
      fetch(url, { headers: { Metadata: "true" }, signal: AbortSignal.timeout(ms) });
    await expect(get(300)).rejects.toThrow(/aborted/i);
    // The second request would hang for a minute; close() must end it (the client sees the connection go), not
    // the client's own timeout: its rejection says which. No bound on real time (a loaded machine stretches it).
    const pending = get(60_000).then(
      () => "answered",
      (error: unknown) =>
        error instanceof Error && (error.name === "TimeoutError" || error.name === "AbortError")
          ? `gave up (${error.name})`
          : "failed: the connection was closed",
    );
    while (own.requests.length < 2) await new Promise((resolve) => setTimeout(resolve, 5)); // the request is in
    await own.close();
    expect(await pending).toBe("failed: the connection was closed");
    expect(own.requests.map((r) => [r.fault, r.status])).toEqual([
      ["hang", undefined],
      ["hang", undefined],
    ]);
  });

  it("answers 200 with a body that is not JSON", async () => {
    emulator.enqueueFaults([{ malformedBody: true }]);
    const res = await appService();
    expect(res.status).toBe(200);
    await expect(res.json()).rejects.toThrow(SyntaxError);
  });

  it("resets the connection", async () => {
    emulator.enqueueFaults([{ reset: true }]);
    await expect(appService()).rejects.toThrow(/fetch failed/);
    expect(emulator.requests[0]).toMatchObject({ fault: "reset", status: undefined });
  });

  it("can be down (503, or resetting connections) until brought back", async () => {
    emulator.enqueueFaults([{ status: 418 }]);
    emulator.setDown(true);
    expect((await appService()).status).toBe(503);
    expect((await imds()).status).toBe(503);
    emulator.setDown({ reset: true });
    await expect(imds()).rejects.toThrow();
    emulator.setDown(false);
    expect((await appService()).status).toBe(418);
    expect((await appService()).status).toBe(200);
  });

  it("issues tokens already expired, or with expires_on in milliseconds", async () => {
    emulator.enqueueFaults([{ lifetimeSeconds: -120 }, { expiresOnUnit: "milliseconds" }]);
    const expired = (await (await appService()).json()) as { access_token: string; expires_on: string };
    expect(Number(expired.expires_on)).toBeLessThan(Date.now() / 1000 - 100);
    expect(emulator.verifyToken(expired.access_token, { audience: AUD })).toMatchObject({
      ok: false,
      reason: "expired",
    });
    const ms = (await (await appService()).json()) as { expires_on: string };
    expect(Number(ms.expires_on)).toBeGreaterThan(Date.now());

    emulator.tokenLifetimeSeconds = -1;
    emulator.expiresOnUnit = "milliseconds";
    const both = (await (await imds()).json()) as { expires_on: string; expires_in: string };
    expect(both.expires_in).toBe("-1");
    expect(Number(both.expires_on)).toBeGreaterThan(Date.now() - 5000);
    expect(Number(both.expires_on)).toBeLessThan(Date.now());
  });
});

describe("startManagedIdentityEmulator: bookkeeping", () => {
  it("counts requests and tokens, logs without tokens or the header, and resets", async () => {
    await appService();
    await appService(AUD, {});
    await imds();
    expect(emulator.requestCount).toBe(3);
    expect(emulator.tokensIssued).toBe(2);
    expect(emulator.requests.map((r) => [r.protocol, r.resource, r.status])).toEqual([
      ["app-service", AUD, 200],
      ["app-service", AUD, 400],
      ["imds", AUD, 200],
    ]);
    expect(emulator.requests[0]?.tokenId).toMatch(/^[0-9a-f-]{36}$/);
    expect(JSON.stringify(emulator.requests)).not.toMatch(/eyJ|secret-header/);
    emulator.enqueueFaults([{ status: 500 }]);
    emulator.reset();
    expect([emulator.requestCount, emulator.tokensIssued, emulator.requests.length]).toEqual([0, 0, 0]);
    expect((await imds()).status).toBe(200);
  });

  it("mints tokens directly", () => {
    const issued = emulator.issueToken({
      audience: "https://ai.azure.com/.default",
      lifetimeSeconds: 30,
      clientId: "c",
    });
    expect(issued.claims).toMatchObject({ aud: "https://ai.azure.com", appid: "c", oid: emulator.objectId });
    expect(issued.expiresOnTimestamp - Date.now()).toBeLessThanOrEqual(30_000);
    expect(emulator.verifyToken(issued.token, { audience: "https://ai.azure.com" }).ok).toBe(true);
    expect(emulator.tokensIssued).toBe(0);
  });
});
