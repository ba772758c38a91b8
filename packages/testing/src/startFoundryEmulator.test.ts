import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type FoundryEmulator, startFoundryEmulator } from "./startFoundryEmulator.js";
import {
  type ManagedIdentityEmulator,
  startManagedIdentityEmulator,
} from "./startManagedIdentityEmulator.js";
import { readSse } from "./test-support/readSse.js";

const KEY = "key-one-0123456789";
const AUD = "https://cognitiveservices.azure.com";
let identity: ManagedIdentityEmulator;
let stranger: ManagedIdentityEmulator;
let foundry: FoundryEmulator;
let keys = [KEY];

beforeAll(async () => {
  [identity, stranger] = await Promise.all([startManagedIdentityEmulator(), startManagedIdentityEmulator()]);
  foundry = await startFoundryEmulator({
    apiKeys: () => keys,
    identity,
    deployments: ["gpt-4.1", "scripted"],
  });
});
afterEach(() => {
  foundry.reset();
  keys = [KEY];
});
afterAll(async () => {
  await Promise.all([identity.close(), stranger.close(), foundry.close()]);
});

type Body = Record<string, unknown>;
const post = (
  path: string,
  body: Body | string,
  headers: Record<string, string> = { "api-key": KEY },
  ms = 5000,
) =>
  fetch(new URL(path, foundry.baseUrl), {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
    signal: AbortSignal.timeout(ms),
  });
const ask = (headers?: Record<string, string>) =>
  post("responses", { model: "gpt-4.1", input: "hi" }, headers);
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

describe("startFoundryEmulator: authentication like Azure", () => {
  it("exposes the base URL and resource URL", () => {
    expect(foundry.baseUrl).toBe(`http://127.0.0.1:${foundry.port}/openai/v1/`);
    expect(foundry.resourceUrl).toBe(`http://127.0.0.1:${foundry.port}`);
  });

  it.each([
    ["the api-key header", { "api-key": KEY }, "api-key"],
    ["the key as a bearer token", bearer(KEY), "bearer-key"],
  ])("accepts %s", async (_, headers, authKind) => {
    expect((await ask(headers)).status).toBe(200);
    expect(foundry.requests[0]).toMatchObject({
      authKind,
      status: 200,
      rejectReason: undefined,
      tokenId: undefined,
    });
  });

  it("accepts a managed-identity token and records its id and expiry", async () => {
    const { token, claims } = identity.issueToken({ audience: `${AUD}/.default` });
    expect((await ask(bearer(token))).status).toBe(200);
    expect(foundry.requests[0]).toMatchObject({
      authKind: "bearer-jwt",
      tokenId: claims.jti,
      tokenExpiresAt: claims.exp * 1000,
      status: 200,
    });
  });

  it("reads the keys on each request, so rotation takes effect", async () => {
    keys = ["key-two"];
    expect((await ask()).status).toBe(401);
    expect((await ask({ "api-key": "key-two" })).status).toBe(200);
  });

  const expired = () => identity.issueToken({ lifetimeSeconds: -30 }).token;
  it.each([
    ["no credential", () => ({}), "none", "missing credential", /no credential/],
    [
      "a wrong api-key",
      () => ({ "api-key": "wrong-key-42" }),
      "api-key",
      "invalid key",
      /invalid subscription key/,
    ],
    [
      "a wrong bearer key",
      () => bearer("wrong-key-42"),
      "bearer-key",
      "invalid key",
      /invalid subscription key/,
    ],
    [
      "a token in api-key",
      () => ({ "api-key": identity.issueToken().token }),
      "api-key",
      "invalid key",
      /api-key/,
    ],
    [
      "Basic auth",
      () => ({ authorization: "Basic d3Jvbmc6a2V5" }),
      "none",
      "unsupported authorization scheme",
      /Bearer/,
    ],
    [
      "an expired token",
      () => bearer(expired()),
      "bearer-jwt",
      "token expired",
      /token expired at .*Z \(now .*Z\)/,
    ],
    [
      "a token for another audience",
      () => bearer(identity.issueToken({ audience: "https://management.azure.com/.default" }).token),
      "bearer-jwt",
      `audience mismatch: expected ${AUD}, got https://management.azure.com`,
      /audience mismatch: expected https:\/\/cognitiveservices.azure.com, got https:\/\/management.azure.com/,
    ],
    [
      "a forged signature",
      () => bearer(identity.issueToken({ badSignature: true }).token),
      "bearer-jwt",
      "bad signature",
      /bad signature/,
    ],
    [
      "another issuer's token",
      () => bearer(stranger.issueToken().token),
      "bearer-jwt",
      "bad signature",
      /bad signature/,
    ],
    [
      "a token not valid yet",
      () => bearer(identity.issueToken({ notBeforeSeconds: 300 }).token),
      "bearer-jwt",
      "not yet valid",
      /not yet valid/,
    ],
  ])("refuses %s with 401 saying why", async (_, headers, authKind, rejectReason, message) => {
    const sent: Record<string, string> = headers();
    const res = await ask(sent);
    expect(res.status).toBe(401);
    const text = await res.text();
    const body = JSON.parse(text) as { error: { code: string; message: string } };
    expect(body.error.code).toBe("401");
    expect(body.error.message).toMatch(message);
    for (const secret of Object.values(sent))
      expect(text).not.toContain(secret.replace(/^(Bearer|Basic) /, ""));
    expect(foundry.requests[0]).toMatchObject({ authKind, rejectReason, status: 401 });
    expect(JSON.stringify(foundry.requests)).not.toMatch(/eyJ|wrong-key|key-one/);
  });

  it("records the id of an expired token, but not of a forged one", async () => {
    await ask(bearer(expired()));
    await ask(bearer(identity.issueToken({ badSignature: true }).token));
    expect(foundry.requests[0]?.tokenId).toMatch(/^[0-9a-f-]{36}$/);
    expect(foundry.requests[0]?.tokenExpiresAt).toBeLessThan(Date.now());
    expect(foundry.requests[1]?.tokenId).toBeUndefined();
  });

  it("accepts no token without an identity provider, and other audiences when told", async () => {
    const keyOnly = await startFoundryEmulator({ apiKeys: [KEY] });
    const aiAudience = await startFoundryEmulator({ identity, audience: ["https://ai.azure.com", AUD] });
    try {
      const token = identity.issueToken({ audience: "https://ai.azure.com/.default" }).token;
      const call = (f: FoundryEmulator) =>
        fetch(`${f.baseUrl}responses`, {
          method: "POST",
          headers: bearer(token),
          body: '{"model":"m","input":"x"}',
        });
      const refused = await call(keyOnly);
      expect(refused.status).toBe(401);
      expect(keyOnly.requests[0]?.rejectReason).toBe("no identity provider");
      expect((await call(aiAudience)).status).toBe(200);
    } finally {
      await Promise.all([keyOnly.close(), aiAudience.close()]);
    }
  });
});

describe("startFoundryEmulator: replies", () => {
  it("answers a Responses request with an echo and usage", async () => {
    const res = await post("responses", {
      model: "gpt-4.1",
      instructions: "be brief",
      input: [
        { role: "user", content: "first" },
        { type: "message", role: "assistant", content: [{ type: "output_text", text: "ok" }] },
        {
          type: "message",
          role: "user",
          content: [
            { type: "input_text", text: "Hello " },
            { type: "input_text", text: "there" },
          ],
        },
      ],
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as Body & {
      output: Array<{ content: Array<{ text: string }> }>;
      usage: Body;
    };
    expect(body).toMatchObject({ object: "response", status: "completed", model: "gpt-4.1" });
    expect(body.output[0]).toMatchObject({ type: "message", role: "assistant", status: "completed" });
    expect(body.output[0]?.content[0]).toEqual({
      type: "output_text",
      text: "Echo: Hello there",
      annotations: [],
    });
    expect(body.usage).toMatchObject({ input_tokens: expect.any(Number), output_tokens: expect.any(Number) });
    expect(body.usage.total_tokens).toBe(Number(body.usage.input_tokens) + Number(body.usage.output_tokens));
    expect(foundry.requests[0]).toMatchObject({
      path: "/openai/v1/responses",
      wireApi: "responses",
      model: "gpt-4.1",
      stream: false,
    });
  });

  it("streams a Responses reply as OpenAI's events", async () => {
    const res = await post("responses", { model: "gpt-4.1", input: "stream me please", stream: true });
    expect(res.headers.get("content-type")).toContain("text/event-stream");
    const events = await readSse(res);
    const types = events.map((e) => e.event);
    expect(types.filter((t, i) => t !== types[i - 1])).toEqual([
      "response.created",
      "response.in_progress",
      "response.output_item.added",
      "response.content_part.added",
      "response.output_text.delta",
      "response.output_text.done",
      "response.content_part.done",
      "response.output_item.done",
      "response.completed",
    ]);
    const data = events.map((e) => e.data as Body);
    expect(data.every((d, i) => d.type === types[i] && d.sequence_number === i)).toBe(true);
    const deltas = data.filter((d) => d.type === "response.output_text.delta");
    expect(deltas.length).toBeGreaterThan(1);
    expect(deltas.map((d) => d.delta).join("")).toBe("Echo: stream me please");
    expect(data.find((d) => d.type === "response.output_text.done")?.text).toBe("Echo: stream me please");
    const completed = data.at(-1)?.response as Body & { usage: Body };
    expect(completed).toMatchObject({ status: "completed", usage: { output_tokens: expect.any(Number) } });
    expect(foundry.requests[0]).toMatchObject({ stream: true, status: 200 });
  });

  it("answers a chat completion with an echo and usage", async () => {
    const res = await post("chat/completions", {
      model: "gpt-4.1",
      messages: [
        { role: "system", content: "sys" },
        { role: "user", content: [{ type: "text", text: "Hi chat" }] },
      ],
    });
    const body = (await res.json()) as Body & { choices: Body[]; usage: Body };
    expect(body).toMatchObject({ object: "chat.completion", model: "gpt-4.1" });
    expect(body.choices[0]).toMatchObject({
      index: 0,
      finish_reason: "stop",
      message: { role: "assistant", content: "Echo: Hi chat" },
    });
    expect(body.usage).toMatchObject({
      prompt_tokens: expect.any(Number),
      completion_tokens: expect.any(Number),
    });
    expect(foundry.requests[0]).toMatchObject({
      path: "/openai/v1/chat/completions",
      wireApi: "completions",
    });
  });

  it("streams a chat completion as chunks, then [DONE]", async () => {
    const body = { model: "gpt-4.1", messages: [{ role: "user", content: "one two three" }], stream: true };
    const events = await readSse(
      await post("chat/completions", { ...body, stream_options: { include_usage: true } }),
    );
    expect(events.at(-1)?.data).toBe("[DONE]");
    const chunks = events
      .slice(0, -1)
      .map((e) => e.data as Body & { choices: Array<Body & { delta: Body }> });
    expect(chunks.every((c) => c.object === "chat.completion.chunk" && c.id === chunks[0]?.id)).toBe(true);
    expect(chunks[0]?.choices[0]?.delta.role).toBe("assistant");
    expect(chunks.map((c) => c.choices[0]?.delta.content ?? "").join("")).toBe("Echo: one two three");
    expect(chunks.at(-2)?.choices[0]?.finish_reason).toBe("stop");
    expect(chunks.at(-1)).toMatchObject({ choices: [], usage: { total_tokens: expect.any(Number) } });
    const withoutUsage = await readSse(await post("chat/completions", body));
    expect(withoutUsage.some((x) => typeof x.data === "object" && "usage" in (x.data as Body))).toBe(false);
  });

  it("answers with a scripted reply, and 500 when it throws", async () => {
    const seen: unknown[] = [];
    const scripted = await startFoundryEmulator({
      apiKeys: [KEY],
      reply: async ({ wireApi, model, stream, lastUserText }) => {
        seen.push({ wireApi, model, stream, lastUserText });
        if (lastUserText === "fail") throw new Error("no script for that");
        return `scripted ${lastUserText}`;
      },
    });
    try {
      const call = (path: string, body: Body) =>
        fetch(new URL(path, scripted.baseUrl), {
          method: "POST",
          headers: { "api-key": KEY },
          body: JSON.stringify(body),
        });
      const r1 = (await (
        await call("chat/completions", { model: "m", messages: [{ role: "user", content: "x" }] })
      ).json()) as {
        choices: Array<{ message: { content: string } }>;
      };
      expect(r1.choices[0]?.message.content).toBe("scripted x");
      const failed = await call("responses", { model: "m", input: "fail", stream: true });
      expect(failed.status).toBe(500);
      expect(await failed.json()).toEqual({
        error: { code: "500", message: "the scripted reply failed: no script for that" },
      });
      expect(seen).toEqual([
        { wireApi: "completions", model: "m", stream: false, lastUserText: "x" },
        { wireApi: "responses", model: "m", stream: true, lastUserText: "fail" },
      ]);
    } finally {
      await scripted.close();
    }
  });

  it("refuses an unknown deployment, a missing model, a body that is not JSON, other paths and methods", async () => {
    const unknown = await post("responses", { model: "gpt-9", input: "x" });
    expect([unknown.status, ((await unknown.json()) as { error: Body }).error.code]).toEqual([
      404,
      "DeploymentNotFound",
    ]);
    expect((await post("responses", { input: "x" })).status).toBe(400);
    expect((await post("chat/completions", "{not json")).status).toBe(400);
    expect((await post("embeddings", { model: "gpt-4.1" })).status).toBe(404);
    const get = await fetch(`${foundry.baseUrl}responses`, { headers: { "api-key": KEY } });
    expect(get.status).toBe(405);
  });
});

describe("startFoundryEmulator: faults and bookkeeping", () => {
  it.each([403, 404, 500])("answers a scripted %i once", async (status) => {
    foundry.enqueueFaults([{ status }]);
    const res = await ask();
    expect([res.status, await res.json()]).toEqual([
      status,
      { error: { code: String(status), message: `injected fault: HTTP ${status}` } },
    ]);
    expect((await ask()).status).toBe(200);
    expect(foundry.requests[0]).toMatchObject({ status, fault: `status ${status}`, authKind: "api-key" });
  });

  it("throttles with Retry-After", async () => {
    foundry.enqueueFaults([
      { status: 429, retryAfter: 3, message: "Rate limit is exceeded. Try again in 3 seconds." },
    ]);
    const res = await ask();
    expect([res.status, res.headers.get("retry-after")]).toEqual([429, "3"]);
    expect(((await res.json()) as { error: Body }).error.message).toContain("Try again in 3 seconds");
  });

  it("delays, hangs and resets", async () => {
    foundry.enqueueFaults([{ delayMs: 250 }, { hang: true }, { reset: true }]);
    const started = Date.now();
    expect((await ask()).status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(240);
    await expect(
      post("responses", { model: "gpt-4.1", input: "x" }, { "api-key": KEY }, 300),
    ).rejects.toThrow(/aborted/i);
    await expect(ask()).rejects.toThrow(/fetch failed/);
    expect(foundry.requests.map((r) => [r.fault, r.status])).toEqual([
      ["delay 250ms", 200],
      ["hang", undefined],
      ["reset", undefined],
    ]);
  });

  it("can be down until brought back", async () => {
    foundry.setDown(true);
    expect((await ask()).status).toBe(503);
    foundry.setDown(false);
    expect((await ask()).status).toBe(200);
  });

  it("applies faults before authentication, as a gateway would", async () => {
    foundry.enqueueFaults([{ status: 429 }]);
    expect((await ask({})).status).toBe(429);
    expect((await ask({})).status).toBe(401);
  });

  it("counts requests and resets", async () => {
    await ask();
    await post("nowhere", {});
    foundry.enqueueFaults([{ status: 500 }]);
    expect(foundry.requestCount).toBe(2);
    foundry.reset();
    expect([foundry.requestCount, foundry.requests.length]).toEqual([0, 0]);
    expect((await ask()).status).toBe(200);
  });
});
