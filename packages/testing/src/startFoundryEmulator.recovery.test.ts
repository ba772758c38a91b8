import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { keyFingerprint } from "./ApiKeys.js";
import { type FoundryEmulator, startFoundryEmulator } from "./startFoundryEmulator.js";
import {
  type ManagedIdentityEmulator,
  startManagedIdentityEmulator,
} from "./startManagedIdentityEmulator.js";

// What end-to-end tests of credential recovery script: a token revoked mid-conversation, a key regenerated,
// a provider that always answers 401, a principal without the role (403).
const KEY1 = "key-one-0123456789";
const KEY2 = "key-two-0123456789";
const AUD = "https://cognitiveservices.azure.com";
/** Azure OpenAI's message for a wrong key, as a test would script it with `setDown`. */
const AZURE_INVALID_KEY =
  "Access denied due to invalid subscription key or wrong API endpoint. Make sure to provide a valid key for an active subscription and use a correct regional API endpoint for your resource.";
let identity: ManagedIdentityEmulator;
let foundry: FoundryEmulator;

beforeAll(async () => {
  identity = await startManagedIdentityEmulator();
  foundry = await startFoundryEmulator({ apiKeys: [KEY1, KEY2], identity });
});
afterEach(() => foundry.reset());
afterAll(async () => {
  await Promise.all([identity.close(), foundry.close()]);
});

type Body = Record<string, unknown>;
type AzureError = { error: { code: string; message: string } };
const post = (path: string, headers: Record<string, string>, body?: Body) =>
  fetch(new URL(path, foundry.resourceUrl), {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify(body ?? { model: "gpt-4.1", messages: [{ role: "user", content: "hi" }] }),
    signal: AbortSignal.timeout(5000),
  });
const chat = (headers: Record<string, string>) => post("/openai/v1/chat/completions", headers);
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
/** A token as a client gets it: over HTTP from the managed-identity endpoint (App Service protocol). */
const fetchToken = async () => {
  const url = `${identity.identityEndpoint}?api-version=2019-08-01&resource=${encodeURIComponent(AUD)}`;
  const res = await fetch(url, { headers: { "x-identity-header": identity.identityHeader } });
  const token = ((await res.json()) as { access_token: string }).access_token;
  const verified = identity.verifyToken(token, { audience: AUD });
  if (!verified.ok) throw new Error(verified.reason);
  return { token, id: verified.claims.jti };
};
const outcomes = () => foundry.requests.map((r) => [r.status, r.rejectReason ?? null, r.tokenId ?? null]);

describe("startFoundryEmulator: revokeTokens", () => {
  it("refuses a token revoked mid-conversation with 401 and accepts the one fetched after it", async () => {
    const first = await fetchToken();
    expect((await chat(bearer(first.token))).status).toBe(200);
    foundry.revokeTokens();
    const refused = await chat(bearer(first.token));
    expect(refused.status).toBe(401);
    const body = (await refused.json()) as AzureError;
    expect(body.error.code).toBe("401");
    expect(body.error.message).toMatch(
      /^Unauthorized\. Access token is missing, invalid, audience is incorrect \(https:\/\/cognitiveservices\.azure\.com\), or have expired: token revoked \(issued .*Z, tokens issued until .*Z are revoked\)\.$/,
    );
    // The client's recovery: a new token (within the same second, usually), and one replay.
    const second = await fetchToken();
    expect((await chat(bearer(second.token))).status).toBe(200);
    expect(outcomes()).toEqual([
      [200, null, first.id],
      [401, "token revoked", first.id],
      [200, null, second.id],
    ]);
    expect(foundry.requests.filter((r) => r.status === 401)).toHaveLength(1);
  });

  it("orders a token issued in the same millisecond as the revocation after it", async () => {
    const before = identity.issueToken().token;
    foundry.revokeTokens();
    const after = identity.issueToken().token;
    expect([(await chat(bearer(before))).status, (await chat(bearer(after))).status]).toEqual([401, 200]);
  });

  it("narrows a revocation to token ids or a principal, and can reach into the future", async () => {
    const [a, b] = [identity.issueToken(), identity.issueToken()];
    const other = identity.issueToken({ objectId: "other-principal" });
    foundry.revokeTokens({ tokenIds: [a.claims.jti] });
    foundry.revokeTokens({ objectId: "other-principal" });
    const statuses = async (...tokens: string[]) => {
      const list: number[] = [];
      for (const token of tokens) list.push((await chat(bearer(token))).status);
      return list;
    };
    expect(await statuses(a.token, b.token, other.token)).toEqual([401, 200, 401]);
    foundry.revokeTokens({ issuedBefore: Date.now() + 60_000 });
    expect(await statuses(identity.issueToken().token, (await fetchToken()).token)).toEqual([401, 401]);
    foundry.reset();
    expect(await statuses(a.token, other.token)).toEqual([200, 200]);
  });

  it("leaves keys alone", async () => {
    foundry.revokeTokens();
    expect((await chat({ "api-key": KEY1 })).status).toBe(200);
  });
});

describe("startFoundryEmulator: regenerateKey and key fingerprints", () => {
  it("replaces key1 by default: the old key answers 401, key2 and the new key work, reset brings it back", async () => {
    const fresh = foundry.regenerateKey();
    expect(fresh).toMatch(/^[0-9a-f]{32}$/);
    const refused = await chat({ "api-key": KEY1 });
    expect(refused.status).toBe(401);
    expect(((await refused.json()) as AzureError).error.message).toMatch(
      /^Access denied due to invalid subscription key or wrong API endpoint/,
    );
    expect((await chat({ "api-key": KEY2 })).status).toBe(200);
    expect((await chat(bearer(fresh))).status).toBe(200);
    expect(foundry.requests.map((r) => [r.status, r.rejectReason ?? null, r.keyFingerprint])).toEqual([
      [401, "invalid key", keyFingerprint(KEY1)],
      [200, null, keyFingerprint(KEY2)],
      [200, null, keyFingerprint(fresh)],
    ]);
    expect(JSON.stringify(foundry.requests)).not.toMatch(new RegExp(`${KEY1}|${KEY2}|${fresh}`));
    expect(foundry.regenerateKey(KEY2)).not.toBe(fresh);
    expect((await chat({ "api-key": KEY2 })).status).toBe(401);
    foundry.reset();
    expect((await chat({ "api-key": KEY1 })).status).toBe(200);
    expect(() => foundry.regenerateKey("not-a-key")).toThrow(/is not a key of this resource/);
  });

  it("does not regenerate keys read from a function", async () => {
    const rotating = await startFoundryEmulator({ apiKeys: () => [KEY1] });
    try {
      expect(() => rotating.regenerateKey()).toThrow(/rotate by changing what it returns/);
    } finally {
      await rotating.close();
    }
  });

  it("records a key's fingerprint on every route and form, a token by its id only", async () => {
    const { token, claims } = identity.issueToken();
    await chat({ "api-key": KEY1 });
    await chat(bearer(KEY2));
    await chat(bearer("wrong-key-42"));
    await chat(bearer(token));
    const anthropic = { "x-api-key": KEY1, "anthropic-version": "2023-06-01" };
    await post("/anthropic/v1/messages", anthropic, {
      model: "claude",
      max_tokens: 8,
      messages: [{ role: "user", content: "hi" }],
    });
    expect(foundry.requests.map((r) => [r.authKind, r.keyFingerprint ?? null, r.tokenId ?? null])).toEqual([
      ["api-key", keyFingerprint(KEY1), null],
      ["bearer-key", keyFingerprint(KEY2), null],
      ["bearer-key", keyFingerprint("wrong-key-42"), null],
      ["bearer-jwt", null, claims.jti],
      ["x-api-key", keyFingerprint(KEY1), null],
    ]);
  });
});

describe("startFoundryEmulator: a provider that always answers 401", () => {
  it("is setDown({ status: 401, message }): Azure's error shape for keys and tokens alike", async () => {
    foundry.setDown({ status: 401, message: AZURE_INVALID_KEY });
    const { token, claims } = identity.issueToken();
    for (const headers of [{ "api-key": KEY1 }, bearer(token), { "api-key": KEY1 }]) {
      const res = await chat(headers);
      expect([res.status, await res.json()]).toEqual([
        401,
        { error: { code: "401", message: AZURE_INVALID_KEY } },
      ]);
    }
    expect(foundry.requests.map((r) => [r.status, r.fault, r.keyFingerprint ?? r.tokenId])).toEqual([
      [401, "status 401", keyFingerprint(KEY1)],
      [401, "status 401", claims.jti],
      [401, "status 401", keyFingerprint(KEY1)],
    ]);
    foundry.setDown(false);
    expect((await chat({ "api-key": KEY1 })).status).toBe(200);
  });
});

describe("startFoundryEmulator: denyRole", () => {
  it("answers 403 PermissionDenied naming the data action, for that principal's tokens only", async () => {
    const { token, claims } = identity.issueToken();
    foundry.denyRole(claims.oid);
    const refused = await chat(bearer(token));
    expect([refused.status, await refused.json()]).toEqual([
      403,
      {
        error: {
          code: "PermissionDenied",
          message: `The principal \`${claims.oid}\` lacks the required data action \`Microsoft.CognitiveServices/accounts/OpenAI/deployments/chat/completions/action\` to perform \`POST /openai/deployments/{deployment-id}/chat/completions\` operation.`,
        },
      },
    ]);
    const responses = await post("/openai/v1/responses", bearer(token), { model: "gpt-4.1", input: "hi" });
    expect(((await responses.json()) as AzureError).error.message).toContain("`POST /openai/v1/responses`");
    expect((await chat(bearer(identity.issueToken({ objectId: "someone-else" }).token))).status).toBe(200);
    expect((await chat({ "api-key": KEY1 })).status).toBe(200);
    expect(
      foundry.requests.map((r) => [r.status, r.rejectReason ?? null, r.tokenId ?? null]).slice(0, 2),
    ).toEqual([
      [403, "permission denied", claims.jti],
      [403, "permission denied", claims.jti],
    ]);
    foundry.grantRole(claims.oid);
    expect((await chat(bearer(token))).status).toBe(200);
  });

  it("can answer 401, as Azure OpenAI was seen to, and uses Anthropic's shape on Claude's route", async () => {
    const { token, claims } = identity.issueToken();
    foundry.denyRole(claims.oid, { status: 401 });
    const refused = await chat(bearer(token));
    expect(refused.status).toBe(401);
    expect(((await refused.json()) as AzureError).error.code).toBe("PermissionDenied");
    foundry.denyRole(claims.oid);
    const claude = await post(
      "/anthropic/v1/messages",
      { ...bearer(token), "anthropic-version": "2023-06-01" },
      { model: "claude", max_tokens: 8, messages: [{ role: "user", content: "hi" }] },
    );
    expect([claude.status, await claude.json()]).toEqual([
      403,
      {
        type: "error",
        error: {
          type: "permission_error",
          message: `The principal \`${claims.oid}\` lacks the required data action \`Microsoft.CognitiveServices/accounts/AIServices/providers/action\` to perform \`POST /anthropic/v1/*\` operation.`,
        },
      },
    ]);
  });
});
