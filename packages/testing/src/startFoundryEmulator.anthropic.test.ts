import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type FoundryEmulator, startFoundryEmulator } from "./startFoundryEmulator.js";
import {
  type ManagedIdentityEmulator,
  startManagedIdentityEmulator,
} from "./startManagedIdentityEmulator.js";
import { readSse } from "./test-support/readSse.js";

// Claude on Azure AI Foundry: POST <resource>/anthropic/v1/messages, Anthropic's Messages API; a key in
// x-api-key (or api-key), an Entra ID token in Authorization: Bearer, anthropic-version required.
const KEY = "claude-key-0123456789";
const AUD = "https://cognitiveservices.azure.com";
const VERSION = { "anthropic-version": "2023-06-01" };
let identity: ManagedIdentityEmulator;
let foundry: FoundryEmulator;

beforeAll(async () => {
  identity = await startManagedIdentityEmulator();
  foundry = await startFoundryEmulator({ apiKeys: [KEY], identity, deployments: ["claude-sonnet-4-5"] });
});
afterEach(() => foundry.reset());
afterAll(async () => {
  await Promise.all([identity.close(), foundry.close()]);
});

type Body = Record<string, unknown>;
const message = (text: string, more: Body = {}): Body => ({
  model: "claude-sonnet-4-5",
  max_tokens: 64,
  messages: [{ role: "user", content: text }],
  ...more,
});
const post = (path: string, body: Body | string, headers: Record<string, string> = { "x-api-key": KEY }) =>
  fetch(`${foundry.resourceUrl}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...VERSION, ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
    signal: AbortSignal.timeout(5_000),
  });
const ask = (headers?: Record<string, string>, body: Body = message("hi")) =>
  post("/anthropic/v1/messages", body, headers);
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

describe("startFoundryEmulator: Claude (POST /anthropic/v1/messages)", () => {
  it("gives the base URL for type anthropic", () => {
    expect(foundry.anthropicBaseUrl).toBe(`http://127.0.0.1:${foundry.port}/anthropic`);
  });

  it.each([
    ["the x-api-key header", { "x-api-key": KEY }, "x-api-key"],
    ["the api-key header", { "api-key": KEY }, "api-key"],
  ])("accepts a key in %s and records the wire and the auth kind", async (_, headers, authKind) => {
    expect((await ask(headers)).status).toBe(200);
    expect(foundry.requests).toEqual([
      expect.objectContaining({
        method: "POST",
        path: "/anthropic/v1/messages",
        wireApi: "messages",
        model: "claude-sonnet-4-5",
        stream: false,
        authKind,
        status: 200,
        rejectReason: undefined,
      }),
    ]);
  });

  it("accepts an Entra ID token checked as on the other routes, and records its id", async () => {
    const { token, claims } = identity.issueToken({ audience: `${AUD}/.default` });
    expect((await ask(bearer(token))).status).toBe(200);
    expect(foundry.requests[0]).toMatchObject({
      authKind: "bearer-jwt",
      tokenId: claims.jti,
      tokenExpiresAt: claims.exp * 1000,
      status: 200,
    });
  });

  it.each([
    ["no credential", () => ({}), "none", "missing credential", /x-api-key/],
    ["a wrong x-api-key", () => ({ "x-api-key": "wrong-key-42" }), "x-api-key", "invalid key", /x-api-key/],
    ["a wrong api-key", () => ({ "api-key": "wrong-key-42" }), "api-key", "invalid key", /api-key header/],
    [
      "the key as a bearer (not documented for Claude)",
      () => bearer(KEY),
      "bearer-key",
      "key as bearer",
      /Bearer takes an Entra ID token; send a key in the x-api-key/,
    ],
    [
      "an expired token",
      () => bearer(identity.issueToken({ lifetimeSeconds: -30 }).token),
      "bearer-jwt",
      "token expired",
      /token expired at/,
    ],
    [
      "a token for another audience",
      () => bearer(identity.issueToken({ audience: "https://management.azure.com/.default" }).token),
      "bearer-jwt",
      `audience mismatch: expected ${AUD}, got https://management.azure.com`,
      /audience mismatch/,
    ],
  ])("refuses %s with Anthropic's 401, saying why", async (_, headers, authKind, rejectReason, said) => {
    const sent: Record<string, string> = headers();
    const res = await ask(sent);
    expect(res.status).toBe(401);
    const text = await res.text();
    const body = JSON.parse(text) as { type: string; error: { type: string; message: string } };
    expect([body.type, body.error.type]).toEqual(["error", "authentication_error"]);
    expect(body.error.message).toMatch(said);
    for (const secret of Object.values(sent)) expect(text).not.toContain(secret.replace(/^Bearer /, ""));
    expect(foundry.requests).toEqual([expect.objectContaining({ authKind, rejectReason, status: 401 })]);
    expect(JSON.stringify(foundry.requests)).not.toMatch(/eyJ|wrong-key|claude-key/);
  });

  it("answers a Message with the echo of the last user text and usage", async () => {
    const res = await ask(undefined, {
      ...message("ignored"),
      system: [{ type: "text", text: "be brief" }],
      messages: [
        { role: "user", content: "first" },
        { role: "assistant", content: [{ type: "text", text: "ok" }] },
        {
          role: "user",
          content: [
            { type: "text", text: "<current_datetime>2030-01-01T00:00:00Z</current_datetime>\n\nHello " },
            { type: "text", text: "Claude" },
          ],
        },
      ],
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as Body & { usage: { input_tokens: number; output_tokens: number } };
    expect(body).toMatchObject({
      id: expect.stringMatching(/^msg_/),
      type: "message",
      role: "assistant",
      content: [{ type: "text", text: "Echo: Hello Claude" }],
      model: "claude-sonnet-4-5",
      stop_reason: "end_turn",
    });
    expect(body.usage.input_tokens).toBeGreaterThan(0);
    expect(body.usage.output_tokens).toBeGreaterThan(0);
  });

  it("streams a Message as Anthropic's events, in order", async () => {
    const res = await ask(undefined, message("stream me please", { stream: true }));
    expect(res.headers.get("content-type")).toContain("text/event-stream");
    const events = await readSse(res);
    const types = events.map((e) => e.event);
    expect(types.filter((t, i) => t !== types[i - 1])).toEqual([
      "message_start",
      "content_block_start",
      "ping",
      "content_block_delta",
      "content_block_stop",
      "message_delta",
      "message_stop",
    ]);
    const data = events.map((e) => e.data as Body & { delta?: Body });
    expect(data.every((d, i) => d.type === types[i])).toBe(true);
    expect(data[0]).toMatchObject({
      message: {
        type: "message",
        role: "assistant",
        content: [],
        model: "claude-sonnet-4-5",
        stop_reason: null,
      },
    });
    const deltas = data.filter((d) => d.type === "content_block_delta");
    expect(deltas.length).toBeGreaterThan(1);
    expect(deltas.map((d) => d.delta?.text).join("")).toBe("Echo: stream me please");
    expect(data.find((d) => d.type === "message_delta")).toMatchObject({
      delta: { stop_reason: "end_turn" },
      usage: { output_tokens: expect.any(Number) },
    });
    expect(foundry.requests[0]).toMatchObject({ wireApi: "messages", stream: true, status: 200 });
  });

  it("gives a scripted reply the messages wire", async () => {
    const seen: unknown[] = [];
    const scripted = await startFoundryEmulator({
      apiKeys: [KEY],
      reply: ({ wireApi, model, stream, lastUserText }) => {
        seen.push({ wireApi, model, stream, lastUserText });
        return "scripted";
      },
    });
    try {
      const res = await fetch(`${scripted.anthropicBaseUrl}/v1/messages`, {
        method: "POST",
        headers: { "x-api-key": KEY, ...VERSION },
        body: JSON.stringify(message("x")),
      });
      expect(((await res.json()) as { content: Body[] }).content).toEqual([
        { type: "text", text: "scripted" },
      ]);
      expect(seen).toEqual([
        { wireApi: "messages", model: "claude-sonnet-4-5", stream: false, lastUserText: "x" },
      ]);
    } finally {
      await scripted.close();
    }
  });

  it.each([
    ["no anthropic-version header", { "anthropic-version": "" }, message("x"), 400, /anthropic-version/],
    ["no max_tokens", {}, { model: "claude-sonnet-4-5", messages: [] }, 400, /max_tokens/],
    ["no messages", {}, { model: "claude-sonnet-4-5", max_tokens: 8 }, 400, /messages/],
    ["an unknown deployment", {}, message("x", { model: "claude-opus-9" }), 404, /no deployment named/],
  ])("refuses %s in Anthropic's error shape", async (_, headers, body, status, said) => {
    const sent: Record<string, string> = { "x-api-key": KEY, ...headers };
    const res = await fetch(`${foundry.resourceUrl}/anthropic/v1/messages`, {
      method: "POST",
      headers: Object.fromEntries(Object.entries({ ...VERSION, ...sent }).filter(([, v]) => v !== "")),
      body: JSON.stringify(body),
    });
    const answer = (await res.json()) as { type: string; error: { type: string; message: string } };
    expect(res.status).toBe(status);
    expect(answer.type).toBe("error");
    expect(answer.error.type).toBe(status === 400 ? "invalid_request_error" : "not_found_error");
    expect(answer.error.message).toMatch(said);
  });

  it("applies faults as on the other routes, in Anthropic's error shape", async () => {
    foundry.enqueueFaults([{ status: 429, retryAfter: 2 }, { status: 529 }]);
    const throttled = await ask();
    expect([throttled.status, throttled.headers.get("retry-after")]).toEqual([429, "2"]);
    expect(await throttled.json()).toEqual({
      type: "error",
      error: { type: "rate_limit_error", message: "injected fault: HTTP 429" },
    });
    const overloaded = await ask({});
    expect(overloaded.status).toBe(529);
    expect(((await overloaded.json()) as { error: Body }).error.type).toBe("overloaded_error");
    expect((await ask()).status).toBe(200);
    expect(foundry.requests.map((r) => [r.fault, r.status, r.authKind])).toEqual([
      ["status 429", 429, "x-api-key"],
      ["status 529", 529, "none"],
      [undefined, 200, "x-api-key"],
    ]);
  });
});

describe("startFoundryEmulator: a path that is no route", () => {
  it("answers /openai/v1/v1/messages (a Claude request on the OpenAI base URL) 404, naming Claude's route", async () => {
    const res = await post("/openai/v1/v1/messages", message("x"));
    expect(res.status).toBe(404);
    const body = (await res.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe("404");
    expect(body.error.message).toBe(
      `Resource not found: POST /openai/v1/v1/messages is not a route of this resource (routes: POST /openai/v1/responses, POST /openai/v1/chat/completions, POST /anthropic/v1/messages). Claude (Anthropic's Messages API) is served at POST /anthropic/v1/messages: with type "anthropic" use the base URL ${foundry.resourceUrl}/anthropic (the runtime appends /v1/messages).`,
    );
    expect(foundry.requests).toEqual([
      expect.objectContaining({ path: "/openai/v1/v1/messages", wireApi: undefined, status: 404 }),
    ]);
  });

  it("lists the routes for any other path", async () => {
    const res = await post("/openai/v1/embeddings", { model: "x" });
    expect(res.status).toBe(404);
    const { error } = (await res.json()) as { error: { message: string } };
    expect(error.message).toBe(
      "Resource not found: POST /openai/v1/embeddings is not a route of this resource (routes: POST /openai/v1/responses, POST /openai/v1/chat/completions, POST /anthropic/v1/messages).",
    );
  });
});
