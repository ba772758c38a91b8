import { describe, expect, it } from "vitest";
import { createProviderConfigSource } from "./createProviderConfigSource.js";
import { RefreshingCache } from "./RefreshingCache.js";
import { RequestEdge } from "./RequestEdge.js";
import type { RequestEdgeEvent } from "./RequestEdgeEvent.js";
import type { ProviderConfigSource, ProviderCredential } from "./types.js";

// The request edge without the SDK: a source, a provider answering from a script, and what the provider received.

const BASE = "https://res.openai.azure.com/openai/v1/";
const URL_RESPONSES = "https://res.openai.azure.com/openai/v1/responses";
const CANARY = ["canary-secret-one-0123456789", "canary-secret-two-0123456789", "canary-secret-3-0123456789"];

interface Sent {
  readonly url: string;
  readonly authorization: string | null;
  readonly apiKey: string | null;
  readonly body: string;
}

/** A provider answering `statuses` in order (the last repeats), recording what it got. */
function provider(...statuses: number[]) {
  const sent: Sent[] = [];
  const send = async (request: Request): Promise<Response> => {
    sent.push({
      url: request.url,
      authorization: request.headers.get("authorization"),
      apiKey: request.headers.get("api-key"),
      body: await request.text(),
    });
    const status = statuses.length > 1 ? (statuses.shift() as number) : (statuses[0] as number);
    return new Response(JSON.stringify({ status }), { status });
  };
  return { sent, send };
}

/** A token source over a RefreshingCache whose fetch hands out `values` in order (the last repeats). */
function tokenSource(values: string[], explain?: ProviderConfigSource["explainRejection"]) {
  const fetches: Array<{ renewal?: boolean }> = [];
  const cache = new RefreshingCache({
    name: "TestCredential",
    fetch: async ({ renewal }) => {
      fetches.push(renewal ? { renewal } : {});
      const value = values.length > 1 ? (values.shift() as string) : (values[0] as string);
      return { value, expiresOnTimestamp: Date.now() + 3_600_000 };
    },
  });
  const source = createProviderConfigSource({
    mode: "test-token",
    provider: { baseUrl: BASE, type: "openai", wireApi: "responses" },
    credentialKind: "bearer",
    credential: cache,
    ...(explain ? { explainRejection: explain } : {}),
  });
  return { source, fetches };
}

function edgeWithEvents() {
  const events: RequestEdgeEvent[] = [];
  const edge = new RequestEdge({ onEvent: (event) => events.push(event) });
  return { edge, events };
}

const context = () => ({ sessionId: "session-1", signal: new AbortController().signal });

function runtimeRequest(placeholder: string, header = "authorization", url = URL_RESPONSES): Request {
  const value = header === "authorization" ? `Bearer ${placeholder}` : placeholder;
  return new Request(url, {
    method: "POST",
    headers: { [header]: value, "content-type": "application/json" },
    body: JSON.stringify({ input: "hello" }),
  });
}

describe("RequestEdge", () => {
  it("sets the source's credential in place of the placeholder, keeping the body and other headers", async () => {
    const { source } = tokenSource([CANARY[0] as string]);
    const { edge } = edgeWithEvents();
    const placeholder = edge.bind(source, BASE);
    const upstream = provider(200);
    const response = await edge.send(runtimeRequest(placeholder), context(), upstream.send);
    expect(response.status).toBe(200);
    expect(upstream.sent).toEqual([
      { url: URL_RESPONSES, authorization: `Bearer ${CANARY[0]}`, apiKey: null, body: '{"input":"hello"}' },
    ]);
  });

  it("puts a key where the runtime put the placeholder (api-key for azure), a token always in Authorization", async () => {
    const keySource = createProviderConfigSource({
      mode: "test-key",
      provider: { baseUrl: BASE, type: "azure", wireApi: "responses" },
      credentialKind: "api-key",
      credential: { get: async () => CANARY[1] as string },
    });
    const { edge } = edgeWithEvents();
    const upstream = provider(200);
    await edge.send(runtimeRequest(edge.bind(keySource, BASE), "api-key"), context(), upstream.send);
    const { source: tokens } = tokenSource([CANARY[0] as string]);
    await edge.send(runtimeRequest(edge.bind(tokens, BASE), "api-key"), context(), upstream.send);
    expect(upstream.sent.map(({ authorization, apiKey }) => ({ authorization, apiKey }))).toEqual([
      { authorization: null, apiKey: CANARY[1] },
      { authorization: `Bearer ${CANARY[0]}`, apiKey: null },
    ]);
  });

  it("passes untouched a request without a placeholder, or with one but to another origin", async () => {
    const { source } = tokenSource([CANARY[0] as string]);
    const { edge } = edgeWithEvents();
    const placeholder = edge.bind(source, BASE);
    const seen: Request[] = [];
    const send = async (request: Request) => {
      seen.push(request);
      return new Response("ok");
    };
    const plain = new Request("https://api.github.com/x", { headers: { authorization: "Bearer theirs" } });
    const elsewhere = runtimeRequest(
      placeholder,
      "authorization",
      "https://other.example.com/openai/v1/responses",
    );
    await edge.send(plain, context(), send);
    await edge.send(elsewhere, context(), send);
    expect(seen[0]).toBe(plain);
    expect(seen[1]).toBe(elsewhere);
    expect(seen[1]?.headers.get("authorization")).toBe(`Bearer ${placeholder}`);
  });

  it("on a 401 renews the credential and replays the request once, with the same body", async () => {
    const { source, fetches } = tokenSource([CANARY[0] as string, CANARY[1] as string]);
    const { edge, events } = edgeWithEvents();
    const upstream = provider(401, 200);
    const response = await edge.send(runtimeRequest(edge.bind(source, BASE)), context(), upstream.send);
    expect(response.status).toBe(200);
    expect(upstream.sent.map((s) => [s.authorization, s.body])).toEqual([
      [`Bearer ${CANARY[0]}`, '{"input":"hello"}'],
      [`Bearer ${CANARY[1]}`, '{"input":"hello"}'],
    ]);
    expect(fetches).toEqual([{}, { renewal: true }]);
    expect(events).toMatchObject([
      { type: "request-replayed", status: 200, replayed: true, mode: "test-token", sessionId: "session-1" },
    ]);
  });

  it("does not replay when the source has no other credential, and returns the 401 with its body, explained", async () => {
    const explain = (credential: ProviderCredential, status: number) => [
      `the ${credential.kind} was refused with ${status}: it is still valid by this machine's clock`,
    ];
    const { source, fetches } = tokenSource([CANARY[0] as string], explain);
    const { edge, events } = edgeWithEvents();
    const upstream = provider(401);
    const response = await edge.send(runtimeRequest(edge.bind(source, BASE)), context(), upstream.send);
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({ status: 401 });
    expect(upstream.sent).toHaveLength(1);
    expect(fetches).toEqual([{}, { renewal: true }]);
    expect(events).toMatchObject([
      {
        type: "credential-rejected",
        replayed: false,
        explanation: ["the bearer was refused with 401: it is still valid by this machine's clock"],
      },
    ]);
    expect(events[0]?.message).toContain("the source has no other credential: not replayed");
  });

  it("against a provider that always says 401: one replay, then no renewal for the runtime's own retries", async () => {
    const { source, fetches } = tokenSource([CANARY[0] as string, CANARY[1] as string, CANARY[2] as string]);
    const { edge, events } = edgeWithEvents();
    const placeholder = edge.bind(source, BASE);
    const upstream = provider(401);
    for (let attempt = 0; attempt < 4; attempt++) {
      const response = await edge.send(runtimeRequest(placeholder), context(), upstream.send);
      expect(response.status).toBe(401);
    }
    expect(upstream.sent).toHaveLength(5);
    expect(fetches.filter((f) => f.renewal)).toHaveLength(1);
    expect(events.map((e) => e.type)).toEqual([
      "replay-rejected",
      "credential-rejected",
      "credential-rejected",
      "credential-rejected",
    ]);
    expect(events[1]?.message).toContain("again, after a renewal: not renewed again, not replayed");
  });

  it("makes one renewal for 100 concurrent 401s of one credential, and replays each request once", async () => {
    const { source, fetches } = tokenSource([CANARY[0] as string, CANARY[1] as string]);
    const { edge, events } = edgeWithEvents();
    const placeholder = edge.bind(source, BASE);
    const send = async (request: Request) =>
      new Response(null, {
        status: request.headers.get("authorization")?.endsWith(CANARY[0] as string) ? 401 : 200,
      });
    const responses = await Promise.all(
      Array.from({ length: 100 }, () => edge.send(runtimeRequest(placeholder), context(), send)),
    );
    expect(responses.every((r) => r.status === 200)).toBe(true);
    expect(fetches).toEqual([{}, { renewal: true }]);
    expect(events.filter((e) => e.type === "request-replayed")).toHaveLength(100);
  });

  it("never replays a 403 and says what the credential lacks", async () => {
    const { source, fetches } = tokenSource([CANARY[0] as string]);
    const { edge, events } = edgeWithEvents();
    const upstream = provider(403);
    const response = await edge.send(runtimeRequest(edge.bind(source, BASE)), context(), upstream.send);
    expect(response.status).toBe(403);
    expect(upstream.sent).toHaveLength(1);
    expect(fetches).toHaveLength(1);
    expect(events).toMatchObject([{ type: "access-denied", status: 403, replayed: false }]);
    expect(events[0]?.explanation?.[0]).toContain("lacks a role");
  });

  it("returns the 401 when the renewal fails, with the reason redacted", async () => {
    const failing: ProviderConfigSource = {
      mode: "failing",
      getProviderConfig: async () => ({ baseUrl: BASE }),
      describe: () => ({ mode: "failing" }),
      getCredential: async () => ({ kind: "bearer", value: CANARY[0] as string }),
      renewCredential: async () => {
        throw new Error(`token endpoint refused client secret ${CANARY[2]}`);
      },
    };
    const { edge, events } = edgeWithEvents();
    const upstream = provider(401);
    const response = await edge.send(runtimeRequest(edge.bind(failing, BASE)), context(), upstream.send);
    expect(response.status).toBe(401);
    expect(upstream.sent).toHaveLength(1);
    expect(events[0]).toMatchObject({ type: "credential-rejected", replayed: false });
    expect(events[0]?.renewalError).toContain("Error: token endpoint refused client secret");
  });

  it("never puts a credential in an event", async () => {
    const { source } = tokenSource([CANARY[0] as string, CANARY[1] as string]);
    const { edge, events } = edgeWithEvents();
    const placeholder = edge.bind(source, BASE);
    await edge.send(runtimeRequest(placeholder), context(), provider(401, 401).send);
    await edge.send(runtimeRequest(placeholder), context(), provider(403).send);
    const shown = JSON.stringify(events);
    expect(events.length).toBeGreaterThan(1);
    for (const secret of CANARY) expect(shown).not.toContain(secret);
  });

  it("remembers a session's last unrecovered refusal until a request of it succeeds", async () => {
    const { source } = tokenSource([CANARY[0] as string]);
    const { edge } = edgeWithEvents();
    const placeholder = edge.bind(source, BASE);
    await edge.send(runtimeRequest(placeholder), context(), provider(401).send);
    expect(edge.lastRefusal("session-1")).toMatchObject({ type: "credential-rejected", status: 401 });
    expect(edge.lastRefusal("session-2")).toBeUndefined();
    await edge.send(runtimeRequest(placeholder), context(), provider(200).send);
    expect(edge.lastRefusal("session-1")).toBeUndefined();
  });

  it("refuses to bind a source without getCredential", () => {
    const { edge } = edgeWithEvents();
    const source: ProviderConfigSource = {
      mode: "config-only",
      getProviderConfig: async () => ({ baseUrl: BASE }),
      describe: () => ({ mode: "config-only" }),
    };
    expect(() => edge.bind(source, BASE)).toThrow('source "config-only" has no getCredential()');
  });
});
