import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { startFoundryEmulator, startManagedIdentityEmulator } from "@copilot-byok/testing";
import { afterEach, describe, expect, it } from "vitest";
import { formatDoctorReport } from "./formatDoctorReport.js";
import { probeProvider, redactSecrets } from "./probeProvider.js";

const KEY = "sk-canary-probe-key-8c41d2e7b05f";
const TOKEN = "canary-probe-token-3a9f61c0d2e4";

let server: Server | undefined;
afterEach(async () => {
  server?.closeAllConnections();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
});

/** A provider answering 401 echoing the credential it got, in JSON or as plain text (across the 300-character cut). */
async function echoingProvider(as: "json" | "text"): Promise<string> {
  server = createServer((req, res) => {
    const sent = String(
      req.headers.authorization ?? req.headers["api-key"] ?? req.headers["x-api-key"] ?? "",
    ).replace(/^Bearer /, "");
    const message = `Incorrect API key provided: ${sent}. Also ${encodeURIComponent(sent)}.`;
    res.writeHead(401, { "content-type": as === "json" ? "application/json" : "text/plain" });
    res.end(as === "json" ? JSON.stringify({ error: { message } }) : `${"x".repeat(257)}${message}`);
  });
  await new Promise<void>((resolve) => server?.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/openai/v1/`;
}

describe("probeProvider", () => {
  it.each([
    ["an API key, openai", { apiKey: KEY }, KEY],
    ["an API key, azure (api-key header)", { apiKey: KEY, type: "azure" as const }, KEY],
    ["an API key, anthropic (x-api-key header)", { apiKey: KEY, type: "anthropic" as const }, KEY],
    ["a bearer token", { bearerToken: TOKEN }, TOKEN],
    ["a bearer token provider", { bearerTokenProvider: async () => TOKEN }, TOKEN],
  ])("masks %s the provider's error message echoes", async (_, credential, secret) => {
    for (const as of ["json", "text"] as const) {
      const baseUrl = await echoingProvider(as);
      const result = await probeProvider(
        {
          ...credential,
          baseUrl: "type" in credential ? baseUrl.replace(/openai\/v1\/$/, "") : baseUrl,
        },
        { model: "gpt-4.1", timeoutMs: 5_000 },
      );
      expect(result.status).toBe(401);
      const text = JSON.stringify(result);
      expect(text).not.toContain(secret);
      expect(text).not.toContain(secret.slice(0, 12));
      if (as === "json") expect(result.message).toContain("Incorrect API key provided: [REDACTED].");
      server?.closeAllConnections();
      await new Promise<void>((resolve) => server?.close(() => resolve()));
      server = undefined;
    }
  });
});

describe("redactSecrets", () => {
  it("replaces every occurrence, URL-encoded ones too, and leaves other text alone", () => {
    expect(redactSecrets("a k/y+1 b k/y+1 c k%2Fy%2B1", ["k/y+1"])).toBe(
      "a [REDACTED] b [REDACTED] c [REDACTED]",
    );
    expect(redactSecrets("nothing here", ["", "secret"])).toBe("nothing here");
  });
});

/** A server on 127.0.0.1 that records each request's headers and answers with `handler`. */
async function recordingServer(
  handler: (req: IncomingMessage, res: ServerResponse) => void,
): Promise<{ server: Server; origin: string; requests: IncomingMessage["headers"][] }> {
  const requests: IncomingMessage["headers"][] = [];
  const s = createServer((req, res) => {
    requests.push(req.headers);
    handler(req, res);
  });
  await new Promise<void>((resolve) => s.listen(0, "127.0.0.1", resolve));
  return { server: s, origin: `http://127.0.0.1:${(s.address() as AddressInfo).port}`, requests };
}

async function closeServer(s: Server): Promise<void> {
  s.closeAllConnections();
  await new Promise<void>((resolve) => s.close(() => resolve()));
}

// Issue 16 (1): fetch followed redirects, and undici strips only Authorization across origins: with type azure
// the key (api-key header) went to whatever host the provider redirected to.
describe("probeProvider: redirects", () => {
  it.each([
    ["an API key, azure (api-key header)", { apiKey: KEY, type: "azure" as const }, KEY, "api-key"],
    ["an API key, openai (Authorization)", { apiKey: KEY }, KEY, "authorization"],
    ["a bearer token provider", { bearerTokenProvider: async () => TOKEN }, TOKEN, "authorization"],
  ])(
    "never follows a redirect with %s: reports it, the credential never reaches the target",
    async (_, credential, secret, header) => {
      // The target is another origin (localhost, another port), with a secret in its query.
      const target = await recordingServer((_req, res) => res.writeHead(200).end("{}"));
      const targetOrigin = target.origin.replace("127.0.0.1", "localhost");
      const provider = await recordingServer((_req, res) =>
        res
          .writeHead(307, {
            location: `${targetOrigin}/openai/v1/chat/completions?sig=canary-sig-41d8e0b2c7a9f35e`,
          })
          .end(),
      );
      try {
        const result = await probeProvider(
          {
            ...credential,
            baseUrl: "type" in credential ? provider.origin : `${provider.origin}/openai/v1/`,
          },
          { model: "gpt-4.1", timeoutMs: 10_000 },
        );
        expect(provider.requests).toHaveLength(1);
        expect(provider.requests[0]?.[header]).toContain(secret);
        expect(target.requests).toEqual([]);
        expect(result).toMatchObject({ ok: false, status: 307 });
        expect(result.advice).toContain(`redirected the request to ${targetOrigin} (HTTP 307)`);
        expect(result.advice).toContain("point the base URL at the final endpoint");
        const text = JSON.stringify(result);
        expect(text).not.toContain(secret);
        expect(text).not.toContain("canary-sig-41d8e0b2c7a9f35e");
      } finally {
        await closeServer(provider.server);
        await closeServer(target.server);
      }
    },
  );
});

// Issue 16 (4): the probe read the whole body (response.text()) and printed the provider's whole message: a
// 160 KB error message was read, redacted (quadratically) and printed in full; a body that never ends held the
// probe until the timeout.
describe("probeProvider: a large error body", () => {
  it("reads at most 16 KiB of a body that never ends, and cuts the message to 500 characters", async () => {
    const message = `quota exceeded ${"x".repeat(160_000)}`;
    const provider = await recordingServer((_req, res) => {
      res.writeHead(429, { "content-type": "application/json" });
      res.write(JSON.stringify({ error: { message } }).slice(0, -2)); // never ended
    });
    try {
      const result = await probeProvider(
        { apiKey: KEY, baseUrl: `${provider.origin}/openai/v1/` },
        { model: "gpt-4.1", timeoutMs: 15_000 },
      );
      expect(result.status).toBe(429);
      expect(result.message?.startsWith(`quota exceeded ${"x".repeat(100)}`)).toBe(true);
      expect(result.message).toMatch(/… \(\d+ more characters, the body cut at 16 KiB\)$/);
      expect(result.message?.length).toBeLessThan(600);
      expect(result.advice).toMatch(/throttled/);
    } finally {
      await closeServer(provider.server);
    }
  });

  it("cuts a long message of a complete body to 500 characters, saying how many more there were", async () => {
    const message = `bad request: ${"abc ".repeat(3_000)}`;
    const provider = await recordingServer((_req, res) => {
      res.writeHead(400, { "content-type": "application/json" });
      res.end(JSON.stringify({ error: { message } }));
    });
    try {
      const result = await probeProvider(
        { apiKey: KEY, baseUrl: `${provider.origin}/openai/v1/` },
        { model: "gpt-4.1", timeoutMs: 15_000 },
      );
      expect(result.status).toBe(400);
      expect(result.message).toBe(`${message.slice(0, 500)}… (${message.length - 500} more characters)`);
    } finally {
      await closeServer(provider.server);
    }
  });
});

describe("probeProvider: the plaintext guard, headers and pasted settings", () => {
  it("never sends a credential over http:// to another host, and says why", async () => {
    for (const config of [
      { baseUrl: "http://192.0.2.2:47032/v1/", apiKey: KEY },
      { baseUrl: "http://gateway.example/v1/", bearerTokenProvider: async () => TOKEN },
    ]) {
      const result = await probeProvider(config, { model: "gpt-4.1", timeoutMs: 5_000 });
      expect(result.ok).toBe(false);
      expect(result.status).toBeUndefined();
      expect(result.advice).toMatch(
        /^not sent: the provider base URL uses http:\/\/ with the non-loopback host/,
      );
      expect(JSON.stringify(result)).not.toContain(KEY);
    }
  });

  it("sends the config's own headers, masking their values and the pasted settings in what it reports", async () => {
    const pasted = "9f8e7d6c5b4a39281706f5e4d3c2b1a0";
    const seen: IncomingMessage["headers"][] = [];
    const provider = await recordingServer((req, res) => {
      seen.push(req.headers);
      res.writeHead(404, { "content-type": "application/json" });
      const message = `${"x".repeat(480)} ${pasted} does not exist; X-Auth ${String(req.headers["x-auth"])}`;
      res.end(JSON.stringify({ error: { message } }));
    });
    try {
      const result = await probeProvider(
        { apiKey: KEY, baseUrl: `${provider.origin}/openai/v1/`, headers: { "X-Auth": TOKEN } },
        {
          model: pasted,
          timeoutMs: 15_000,
          settings: [{ value: pasted, shown: "a value of 32 characters (not shown)" }],
        },
      );
      expect(seen[0]?.["x-auth"]).toBe(TOKEN);
      expect(result.status).toBe(404);
      const text = JSON.stringify(result);
      for (const secret of [KEY, TOKEN, pasted]) expect(text).not.toContain(secret.slice(0, 12));
    } finally {
      await closeServer(provider.server);
    }
  });
});

describe("probeProvider: anthropic (Claude on Azure AI Foundry)", () => {
  /** A provider recording method, path, headers and body of each request, answering `status` with `answer`. */
  async function messagesProvider(status = 200, answer: object = { type: "message", content: [] }) {
    const seen: { method?: string; url?: string; headers: IncomingMessage["headers"]; body: unknown }[] = [];
    const provider = await recordingServer((req, res) => {
      let text = "";
      req.on("data", (chunk) => {
        text += chunk;
      });
      req.on("end", () => {
        seen.push({ method: req.method, url: req.url, headers: req.headers, body: JSON.parse(text) });
        res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(answer));
      });
    });
    return { ...provider, seen };
  }

  it.each([
    ["a key: in x-api-key", { apiKey: KEY }, { "x-api-key": KEY }, ["authorization", "api-key"]],
    [
      "a bearer token provider: in Authorization",
      { bearerTokenProvider: async () => TOKEN },
      { authorization: `Bearer ${TOKEN}` },
      ["x-api-key", "api-key"],
    ],
  ])(
    "sends one Messages request to <base>/v1/messages with anthropic-version and %s",
    async (_, credential, expected, absent) => {
      const provider = await messagesProvider();
      try {
        const result = await probeProvider(
          { type: "anthropic", baseUrl: `${provider.origin}/anthropic`, ...credential },
          { model: "claude-sonnet-4-5", timeoutMs: 10_000 },
        );
        expect(result).toMatchObject({
          ok: true,
          status: 200,
          url: `${provider.origin}/anthropic/v1/messages`,
        });
        expect(result.notProbed).toBeUndefined();
        expect(provider.seen).toHaveLength(1);
        const [request] = provider.seen;
        expect([request?.method, request?.url]).toEqual(["POST", "/anthropic/v1/messages"]);
        expect(request?.headers).toMatchObject({
          "anthropic-version": "2023-06-01",
          "content-type": "application/json",
          ...expected,
        });
        for (const header of absent) expect(request?.headers[header]).toBeUndefined();
        expect(request?.body).toEqual({
          model: "claude-sonnet-4-5",
          messages: [{ role: "user", content: "ping" }],
          max_tokens: 16,
        });
      } finally {
        await closeServer(provider.server);
      }
    },
  );

  it("takes a base URL with a trailing slash the same way", async () => {
    const provider = await messagesProvider();
    try {
      const result = await probeProvider(
        { type: "anthropic", baseUrl: `${provider.origin}/anthropic/`, apiKey: KEY },
        { model: "claude-sonnet-4-5", timeoutMs: 10_000 },
      );
      expect(result.url).toBe(`${provider.origin}/anthropic/v1/messages`);
      expect(provider.seen.map((r) => r.url)).toEqual(["/anthropic/v1/messages"]);
    } finally {
      await closeServer(provider.server);
    }
  });

  it("reads Anthropic's error shape, masks the token it echoes, and names Claude's role on a 403", async () => {
    const denied = await messagesProvider(403, {
      type: "error",
      error: { type: "permission_error", message: `token ${TOKEN} may not call this deployment` },
    });
    try {
      const result = await probeProvider(
        { type: "anthropic", baseUrl: `${denied.origin}/anthropic`, bearerTokenProvider: async () => TOKEN },
        { model: "claude-sonnet-4-5", timeoutMs: 10_000, objectId: "oid-1" },
      );
      expect(result).toMatchObject({ ok: false, status: 403 });
      expect(result.message).toBe("token [REDACTED] may not call this deployment");
      expect(result.advice).toContain('the role "Cognitive Services User"');
      expect(JSON.stringify(result)).not.toContain(TOKEN);
    } finally {
      await closeServer(denied.server);
    }
  });

  it("never sends a type it does not speak: not probed, saying why, and the doctor says so", async () => {
    const provider = await messagesProvider();
    try {
      const result = await probeProvider(
        { type: "bedrock" as never, baseUrl: `${provider.origin}/v1/`, apiKey: KEY },
        { model: "m", timeoutMs: 5_000 },
      );
      expect(provider.seen).toEqual([]);
      expect(result).toMatchObject({ ok: false, durationMs: 0 });
      expect(result.status).toBeUndefined();
      expect(result.notProbed).toBe(
        'the provider type "bedrock" is not one the probe speaks (openai, azure, anthropic): no request was sent',
      );
      const pasted = await probeProvider(
        { type: KEY as never, baseUrl: `${provider.origin}/v1/`, apiKey: KEY },
        { model: "m", timeoutMs: 5_000 },
      );
      expect(pasted.notProbed).toMatch(/^the provider type of \d+ characters \(not shown\)/);
      expect(JSON.stringify(pasted)).not.toContain(KEY);

      const lines = formatDoctorReport({
        healthy: true,
        reasons: [],
        modules: [],
        problems: [],
        warnings: [],
        probe: result,
      });
      expect(lines).toContain(`probe: not probed: ${result.notProbed}`);
      expect(lines.join("\n")).not.toMatch(/FAILED|POST|0 ms/);
    } finally {
      await closeServer(provider.server);
    }
  });
});

describe("probeProvider: against the Foundry emulator's Claude route", () => {
  it.each([
    ["a key", "x-api-key"],
    ["an Entra ID token", "bearer-jwt"],
  ] as const)("succeeds with %s, recorded as %s on POST /anthropic/v1/messages", async (_, authKind) => {
    const identity = await startManagedIdentityEmulator();
    const foundry = await startFoundryEmulator({ apiKeys: [KEY], identity });
    try {
      const token = identity.issueToken({ audience: "https://cognitiveservices.azure.com/.default" }).token;
      const credential =
        authKind === "x-api-key" ? { apiKey: KEY } : { bearerTokenProvider: async () => token };
      const result = await probeProvider(
        { type: "anthropic", baseUrl: foundry.anthropicBaseUrl, ...credential },
        { model: "claude-sonnet-4-5", timeoutMs: 10_000 },
      );
      expect(result).toMatchObject({ ok: true, status: 200 });
      expect(foundry.requests.map((r) => [r.method, r.path, r.wireApi, r.authKind, r.status])).toEqual([
        ["POST", "/anthropic/v1/messages", "messages", authKind, 200],
      ]);
    } finally {
      await Promise.all([foundry.close(), identity.close()]);
    }
  });
});

describe("probeProvider: through a proxy", () => {
  it("names the proxy (its credentials left out) when the request could not go through it", async () => {
    // A port nothing listens on: the proxy is down.
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const result = await probeProvider(
      { type: "openai", baseUrl: "https://r.openai.azure.com/openai/v1/", apiKey: KEY, wireApi: "responses" },
      {
        model: "gpt-4.1",
        timeoutMs: 10_000,
        env: { HTTPS_PROXY: `http://user:proxy-pw-9f2c@127.0.0.1:${port}` },
      },
    );
    expect(result.ok).toBe(false);
    expect(result.advice).toContain(
      `; the request went through the proxy http://127.0.0.1:${port}/ (HTTPS_PROXY): check that it is up and lets the request through, or list the host in NO_PROXY`,
    );
    expect(JSON.stringify(result)).not.toContain("proxy-pw-9f2c");
    expect(JSON.stringify(result)).not.toContain(KEY);
  });
});

// A 401 or 403 is explained by the source (its explainRejection) about the credential the probe sent: in the
// result's `explanation`, every secret the probe sent masked there as in the message.
describe("probeProvider: the source's explanation of a 401 or 403", () => {
  async function answering(status: number): Promise<{ server: Server; baseUrl: string }> {
    const { server: s, origin } = await recordingServer((_, res) =>
      res
        .writeHead(status, { "content-type": "application/json" })
        .end(JSON.stringify({ error: { message: `HTTP ${status}` } })),
    );
    return { server: s, baseUrl: `${origin}/openai/v1/` };
  }

  it.each([
    [401, { apiKey: KEY }, "api-key", KEY],
    [403, { apiKey: KEY }, "api-key", KEY],
    [401, { bearerTokenProvider: async () => TOKEN }, "bearer", TOKEN],
    [403, { bearerToken: TOKEN }, "bearer", TOKEN],
  ] as const)(
    "HTTP %i with %j: asks about the %s sent, its lines masked",
    async (status, credential, kind, secret) => {
      const { server: s, baseUrl } = await answering(status);
      try {
        const asked: { kind: string; value: string; status: number; shown: string }[] = [];
        const result = await probeProvider(
          { ...credential, baseUrl },
          {
            model: "gpt-4.1",
            timeoutMs: 5_000,
            explainRejection: (refused, st) => {
              asked.push({
                kind: refused.kind,
                value: refused.value,
                status: st,
                shown: JSON.stringify(refused),
              });
              // A careless source quoting the credential: masked like the provider's message.
              return [`refused ${refused.kind} ${refused.value}`, "", `  second line for ${st}  `];
            },
          },
        );
        expect(asked).toEqual([{ kind, value: secret, status, shown: JSON.stringify({ kind }) }]);
        expect(result.explanation).toEqual([`refused ${kind} [REDACTED]`, `second line for ${status}`]);
        expect(JSON.stringify(result)).not.toContain(secret);
      } finally {
        await closeServer(s);
      }
    },
  );

  it("is not asked for another status, and one that throws or answers nothing gives no explanation", async () => {
    const cases: [number, () => readonly string[]][] = [
      [404, () => ["never"]],
      [200, () => ["never"]],
      [401, () => []],
      [
        403,
        () => {
          throw new Error(`broken: ${KEY}`);
        },
      ],
    ];
    for (const [status, explain] of cases) {
      const { server: s, baseUrl } = await answering(status);
      try {
        let asked = 0;
        const result = await probeProvider(
          { apiKey: KEY, baseUrl },
          {
            model: "gpt-4.1",
            timeoutMs: 5_000,
            explainRejection: () => {
              asked++;
              return explain();
            },
          },
        );
        expect(result.status).toBe(status);
        expect(asked).toBe(status === 401 || status === 403 ? 1 : 0);
        expect(result).not.toHaveProperty("explanation");
        expect(JSON.stringify(result)).not.toContain(KEY);
      } finally {
        await closeServer(s);
      }
    }
  });

  it("the text report shows the lines as the explanation of the status, under the probe", () => {
    const lines = formatDoctorReport({
      healthy: false,
      mode: "static-key",
      reasons: [],
      modules: [],
      problems: [],
      warnings: [],
      probe: {
        ok: false,
        url: "https://res.openai.azure.com/openai/v1/responses",
        status: 401,
        message: "Access denied due to invalid subscription key.",
        advice: "the key was rejected",
        explanation: ["first sentence", "second sentence\nits detail"],
        durationMs: 12,
      },
    });
    expect(
      lines.slice(
        lines.indexOf("probe: FAILED HTTP 401 POST https://res.openai.azure.com/openai/v1/responses (12 ms)"),
      ),
    ).toEqual([
      "probe: FAILED HTTP 401 POST https://res.openai.azure.com/openai/v1/responses (12 ms)",
      "  provider said: Access denied due to invalid subscription key.",
      "  advice: the key was rejected",
      "  explanation of the 401, from the static-key source:",
      "    - first sentence",
      "    - second sentence",
      "      its detail",
    ]);
  });
});
