import { inspect } from "node:util";
import { EntraIdProviderConfigSource, type TokenCacheEvent } from "@copilot-byok/azure-entra";
import { TOKEN_ACQUISITION_ERROR_CODE, TokenAcquisitionError } from "@copilot-byok/core";
import { createCaptureLogger } from "@copilot-byok/test-utils/captureLogger";
import { flush, ManualClock } from "@copilot-byok/test-utils/ManualClock";
import { makeJwt } from "@copilot-byok/test-utils/makeJwt";
import {
  credentialFailure,
  ScriptedCredential,
  type Step,
} from "@copilot-byok/test-utils/ScriptedCredential";
import type { ProviderConfig } from "@github/copilot-sdk";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { canary, leaksIn, renderings } from "./support/canary.js";
import { INJECTED_TESTS as T } from "./support/faultRows.js";

// The fault matrix through an injected TokenCredential (any credential: a key vault, a broker, a test double)
// in front of the token cache, on a manual clock: every delay, timeout and retry is exact.

const SECOND = 1_000;
const MINUTE = 60_000;
const SCOPE = "api://injected-fault-matrix/.default";
const TIMEOUT_MS = 5_000;
const CONTEXT = { providerName: "default", sessionId: "injected" };

let clock: ManualClock;
/** The identity endpoint's clock minus the local one (the cache's). */
let endpointSkewMs: number;
let credential: ScriptedCredential;
let events: TokenCacheEvent[];
let logger: ReturnType<typeof createCaptureLogger>;
let sources: EntraIdProviderConfigSource[];
let secrets: Record<string, string>;
let rendered: string[];

beforeEach(() => {
  clock = new ManualClock();
  endpointSkewMs = 0;
  credential = new ScriptedCredential(
    [],
    () => clock.now() + endpointSkewMs,
    (ms) => new Promise((resolve) => clock.setTimeout(resolve, ms)),
  );
  events = [];
  logger = createCaptureLogger();
  sources = [];
  secrets = {};
  rendered = [];
});
afterEach(() => {
  for (const source of sources) {
    rendered.push(...renderings(source), ...renderings(source.tokenCache));
    source.dispose();
  }
  const texts = [...rendered, logger.text(), ...events.map((e) => `${inspect(e)} ${JSON.stringify(e)}`)];
  expect(leaksIn(texts, secrets)).toEqual([]);
});

function newSource() {
  const source = new EntraIdProviderConfigSource({
    baseUrl: "http://127.0.0.1:9/openai/v1/",
    scope: SCOPE,
    credential,
    credentialName: "ScriptedCredential",
    clock,
    timeoutMs: TIMEOUT_MS,
    retry: { initialDelayMs: 1_000, maxDelayMs: 8_000, factor: 2, jitter: 0 },
    logger,
    onEvent: (event) => events.push(event),
  });
  sources.push(source);
  return source;
}

/** A canary token (not JWT-shaped, so that redaction could not hide a leak), remembered for the leak check. */
function secretToken(label: string): string {
  const token = canary(label);
  secrets[label] = token;
  return token;
}

/** A JWT with an `exp` claim (ms), carrying a canary claim; remembered for the leak check. */
function secretJwt(label: string, expMs: number): string {
  const token = makeJwt({
    aud: "api://injected-fault-matrix",
    exp: Math.floor(expMs / 1000),
    n: canary(label),
  });
  secrets[label] = token;
  return token;
}

const valid = (token: string, minutes = 60): Step => ({ token, expiresInMs: minutes * MINUTE });

async function configOf(source: EntraIdProviderConfigSource): Promise<ProviderConfig> {
  const config = await source.getProviderConfig();
  rendered.push(inspect(config, { depth: 10 }));
  return config;
}

function tokenOf(config: ProviderConfig): Promise<string> {
  return (config.bearerTokenProvider as NonNullable<ProviderConfig["bearerTokenProvider"]>)(CONTEXT);
}

/** Settles `promise` without advancing the clock: `pending` when it has not settled. */
async function peek<T>(promise: Promise<T>): Promise<{ value: T } | { error: unknown } | "pending"> {
  let outcome: { value: T } | { error: unknown } | "pending" = "pending";
  promise.then(
    (value) => {
      outcome = { value };
    },
    (error: unknown) => {
      outcome = { error };
    },
  );
  await flush();
  return outcome;
}

async function failureOf(promise: Promise<unknown>): Promise<TokenAcquisitionError> {
  const outcome = await peek(promise);
  expect(outcome, "the call must fail without the clock moving").not.toBe("pending");
  expect(outcome).toHaveProperty("error");
  const error = (outcome as { error: unknown }).error;
  rendered.push(...renderings(error));
  expect(error).toBeInstanceOf(TokenAcquisitionError);
  expect(error).toMatchObject({ code: TOKEN_ACQUISITION_ERROR_CODE, credentialName: "ScriptedCredential" });
  return error as TokenAcquisitionError;
}

/** A source holding a valid 60-minute token `A`, with the clock moved into the refresh window (5 minutes left). */
async function inRefreshWindow() {
  const a = secretToken("token-A");
  credential.script(valid(a));
  const source = newSource();
  const config = await configOf(source);
  expect(await tokenOf(config)).toBe(a);
  await clock.advance(55 * MINUTE);
  return { source, config, a };
}

const failure500 = () =>
  credentialFailure("RestError", "injected: the endpoint answered 500", { statusCode: 500 });

describe("fault matrix: an injected TokenCredential in front of the token cache (manual clock)", () => {
  it(T.F01, async () => {
    const { source, config, a } = await inRefreshWindow();
    const b = secretToken("token-B");
    credential.script({ error: failure500() }, { error: failure500() }, { error: failure500() }, valid(b));

    expect(await tokenOf(config)).toBe(a); // starts the background refresh, answers from memory
    for (const wait of [1, 2, 4]) {
      await flush();
      expect(events.at(-1)).toMatchObject({
        type: "refresh-failed",
        background: true,
        retryInMs: wait * SECOND,
      });
      expect(await tokenOf(config)).toBe(a);
      await clock.advance(wait * SECOND);
    }
    expect(await tokenOf(config)).toBe(b);
    const start = 55 * MINUTE;
    const attempts = credential.calls
      .slice(1)
      .map((c) => c.at - (credential.calls[0]?.at ?? Number.NaN) - start);
    expect(attempts).toEqual([0, 1 * SECOND, 3 * SECOND, 7 * SECOND]);
    expect(source.tokenCache.status(SCOPE)).toMatchObject({ state: "valid", consecutiveFailures: 0 });
  });

  it(T.F01b, async () => {
    const b = secretToken("token-B");
    const errors = [failure500(), failure500(), failure500()];
    credential.script(...errors.map((error) => ({ error })), valid(b));
    const source = newSource();
    for (const thrown of errors) {
      const error = await failureOf(source.getProviderConfig());
      expect(error).toMatchObject({ reason: "credential-error", scope: SCOPE });
      expect(error.cause).toBe(thrown);
      expect(error.message).toMatch(
        /ScriptedCredential could not get a token .*RestError: injected: the endpoint answered 500/,
      );
      expect(clock.pendingIn()).toEqual([]); // nothing retried behind the callers' backs
    }
    expect(await tokenOf(await configOf(source))).toBe(b);
    expect(credential.calls).toHaveLength(4);
  });

  it(T.F02, async () => {
    const a = secretToken("token-A");
    const b = secretToken("token-B");
    credential.script({ ...valid(a), delayMs: 120 * SECOND }, valid(b));
    const source = newSource();
    const pending = source.getProviderConfig();
    await clock.advance(TIMEOUT_MS - 1);
    expect(await peek(pending)).toBe("pending");
    await clock.advance(1);
    const error = await failureOf(pending);
    expect(error).toMatchObject({ reason: "timeout" });
    expect(error.message).toMatch(/within 5000 ms: the attempt was abandoned/);
    expect(await tokenOf(await configOf(source))).toBe(b);
    await clock.advance(120 * SECOND); // the abandoned attempt's late answer is dropped
    expect(await tokenOf(await configOf(source))).toBe(b);
    expect(credential.calls).toHaveLength(2);
  });

  for (const [row, statusCode] of [
    [T.F06, 400],
    [T.F07, 401],
  ] as const) {
    it(row, async () => {
      const thrown = credentialFailure(
        "AuthenticationError",
        `injected: the endpoint answered ${statusCode}`,
        {
          statusCode,
        },
      );
      const b = secretToken("token-B");
      credential.script({ error: thrown }, valid(b));
      const source = newSource();
      const error = await failureOf(source.getProviderConfig());
      expect(error).toMatchObject({ reason: "credential-error" });
      expect(error.cause).toBe(thrown);
      expect((error.cause as { statusCode?: number }).statusCode).toBe(statusCode);
      await clock.advance(10 * MINUTE);
      expect(credential.calls).toHaveLength(1);
      expect(await tokenOf(await configOf(source))).toBe(b);
      expect(credential.calls).toHaveLength(2);
    });
  }

  it(T.F08, async () => {
    const b = secretToken("token-B");
    credential.script({ hang: true }, valid(b));
    const source = newSource();
    const first = source.getProviderConfig();
    const second = source.getProviderConfig();
    await clock.advance(TIMEOUT_MS - 1);
    expect(await peek(first)).toBe("pending");
    expect(await peek(second)).toBe("pending");
    expect(credential.calls).toHaveLength(1);
    await clock.advance(1);
    for (const waiting of [first, second]) {
      expect(await failureOf(waiting)).toMatchObject({ reason: "timeout" });
    }
    const signal = credential.calls[0]?.options?.abortSignal as AbortSignal | undefined;
    expect(signal?.aborted).toBe(true);
    expect(signal?.reason).toBeInstanceOf(TokenAcquisitionError);
    expect(credential.calls[0]?.options?.requestOptions?.timeout).toBe(TIMEOUT_MS);
    expect(await tokenOf(await configOf(source))).toBe(b);
    expect(credential.calls).toHaveLength(2);
  });

  it(T.F09, async () => {
    const thrown = new SyntaxError("Unexpected end of JSON input");
    credential.script({ error: thrown });
    const error = await failureOf(newSource().getProviderConfig());
    expect(error).toMatchObject({ reason: "credential-error" });
    expect(error.message).toMatch(/SyntaxError: Unexpected end of JSON input/);
    expect(error.cause).toBe(thrown);
  });

  it(T.F10, async () => {
    const thrown = credentialFailure("Error", "read ECONNRESET", { code: "ECONNRESET" });
    const b = secretToken("token-B");
    credential.script({ error: thrown }, valid(b));
    const source = newSource();
    const error = await failureOf(source.getProviderConfig());
    expect(error.message).toMatch(/read ECONNRESET/);
    expect((error.cause as { code?: string }).code).toBe("ECONNRESET");
    expect(await tokenOf(await configOf(source))).toBe(b);
  });

  it(T.F11, async () => {
    // Foreground: the only token there is, handed to the caller that waited for it, and forgotten.
    const expired = secretToken("token-expired");
    const b = secretToken("token-B");
    credential.script(
      { accessToken: (now) => ({ token: expired, expiresOnTimestamp: now - 10 * SECOND }) },
      valid(b),
    );
    const source = newSource();
    // The config no longer carries a token: the caller that waits for this one is getCredential()'s.
    expect(await source.getCredential()).toEqual({ kind: "bearer", value: expired });
    expect(events.find((e) => e.type === "implausible-expiry")?.message).toMatch(
      /already past: is the clock of this machine right\?\); the token is used once and not cached/,
    );
    expect(source.tokenCache.status(SCOPE).state).toBe("empty");
    const config = await configOf(source);
    expect(await tokenOf(config)).toBe(b);
    expect(credential.calls).toHaveLength(2);

    // Background: an expired answer counts as a failed refresh; the valid token stays in use.
    const c = secretToken("token-C");
    await clock.advance(55 * MINUTE);
    credential.script(
      { accessToken: (now) => ({ token: expired, expiresOnTimestamp: now - 10 * SECOND }) },
      valid(c),
    );
    expect(await tokenOf(config)).toBe(b);
    await flush();
    expect(events.at(-1)).toMatchObject({
      type: "refresh-failed",
      background: true,
      error: { reason: "implausible-expiry" },
      retryInMs: 1_000,
    });
    expect(await tokenOf(config)).toBe(b);
    await clock.advance(1_000);
    expect(await tokenOf(config)).toBe(c);
  });

  it(T.F12, async () => {
    const source = newSource();
    const jwtExpiry = clock.now() + 60 * MINUTE;
    const jwt = secretJwt("token-jwt", jwtExpiry);
    credential.script({ accessToken: () => ({ token: jwt, expiresOnTimestamp: jwtExpiry * 1000 }) });
    expect(await tokenOf(await configOf(source))).toBe(jwt);
    expect(events.at(-2)?.message).toMatch(/more than 10 years ahead.*using the token's exp claim/);
    expect(source.tokenCache.status(SCOPE).expiresOn).toBe(new Date(jwtExpiry).toISOString());
    source.dispose();

    // Not a JWT: no claim to fall back on; an hour is assumed.
    const opaque = secretToken("token-opaque");
    credential.script({
      accessToken: (now) => ({ token: opaque, expiresOnTimestamp: (now + 60 * MINUTE) * 1000 }),
    });
    const second = newSource();
    expect(await tokenOf(await configOf(second))).toBe(opaque);
    expect(events.at(-2)?.message).toMatch(/assuming a lifetime of 60 minutes/);
    expect(second.tokenCache.status(SCOPE).expiresOn).toBe(new Date(clock.now() + 60 * MINUTE).toISOString());
    second.dispose();

    // And the reverse, seconds where milliseconds belong: the JWT's claim again.
    const jwt2 = secretJwt("token-jwt-2", jwtExpiry);
    credential.script({ accessToken: () => ({ token: jwt2, expiresOnTimestamp: jwtExpiry / 1000 }) });
    const third = newSource();
    expect(await tokenOf(await configOf(third))).toBe(jwt2);
    expect(events.at(-2)?.message).toMatch(
      /seconds where milliseconds belong\?\); using the token's exp claim/,
    );
    expect(third.tokenCache.status(SCOPE).expiresOn).toBe(new Date(jwtExpiry).toISOString());
  });

  it(T.F13, async () => {
    endpointSkewMs = -10 * MINUTE; // the local clock is 10 minutes ahead of the endpoint's
    const a = secretToken("token-A");
    credential.script(valid(a));
    const source = newSource();
    const config = await configOf(source);
    const status = source.tokenCache.status(SCOPE);
    expect(Date.parse(status.expiresOn ?? "") - clock.now()).toBe(50 * MINUTE);
    expect(Date.parse(status.refreshAt ?? "") - clock.now()).toBe(45 * MINUTE); // 10 minutes early
    await clock.advance(45 * MINUTE - 1);
    expect(await tokenOf(config)).toBe(a);
    expect(credential.calls).toHaveLength(1);
    source.dispose();

    const short = secretToken("token-short");
    credential.script(valid(short, 5));
    const second = newSource();
    // Used once, not cached: the caller that waited for it is getCredential()'s (a config carries no token).
    expect(await second.getCredential()).toEqual({ kind: "bearer", value: short });
    expect(events.find((e) => e.type === "implausible-expiry")?.message).toMatch(
      /already past: is the clock of this machine right\?/,
    );
    expect(second.tokenCache.status(SCOPE).state).toBe("empty");
  });

  it(T.F14, async () => {
    endpointSkewMs = 10 * MINUTE; // the local clock is 10 minutes behind the endpoint's
    const a = secretToken("token-A");
    credential.script(valid(a));
    const source = newSource();
    const config = await configOf(source);
    const status = source.tokenCache.status(SCOPE);
    expect(Date.parse(status.expiresOn ?? "") - clock.now()).toBe(70 * MINUTE);
    expect(Date.parse(status.refreshAt ?? "") - clock.now()).toBe(65 * MINUTE);
    // 62 local minutes on, the token has been expired for 2 real minutes: still served, no refresh yet.
    await clock.advance(62 * MINUTE);
    expect(await tokenOf(config)).toBe(a);
    expect(credential.calls).toHaveLength(1);
    expect(events.some((e) => e.type === "implausible-expiry")).toBe(false);
  });

  it(T.F15, async () => {
    const { source, config, a } = await inRefreshWindow();
    credential.script({ error: failure500() });
    const validUntil = clock.now() + 5 * MINUTE - 5 * SECOND; // expiry minus the 5 s margin
    expect(await tokenOf(config)).toBe(a);
    const retries: number[] = [];
    for (let i = 0; i < 200 && clock.now() < validUntil; i++) {
      await flush();
      const last = events.at(-1);
      if (last?.type !== "refresh-failed" || last.retryInMs === undefined) break;
      retries.push(last.retryInMs);
      expect(await tokenOf(config)).toBe(a);
      await clock.advance(Math.max(1, last.retryInMs));
    }
    expect(retries.slice(0, 5)).toEqual([1_000, 2_000, 4_000, 8_000, 8_000]);
    expect(Math.max(...retries)).toBe(8_000);
    expect(retries.length).toBeLessThan(50);
    // Every attempt before the token's end of validity, none after it, and no timer left behind.
    const attempts = credential.calls.slice(1).map((c) => c.at);
    expect(Math.max(...attempts)).toBeLessThan(validUntil);
    expect(clock.pendingIn()).toEqual([]);
    await clock.advance(10 * MINUTE);
    expect(credential.calls).toHaveLength(attempts.length + 1);
    expect(source.tokenCache.status(SCOPE).state).toBe("expired");
  });

  it(T.F16, async () => {
    const { source, config, a } = await inRefreshWindow();
    credential.script({ error: failure500() });
    expect(await tokenOf(config)).toBe(a);
    await clock.advance(5 * MINUTE); // background retries, then past expiry
    expect(source.tokenCache.status(SCOPE).state).toBe("expired");
    const failing = await failureOf(tokenOf(config));
    expect(failing).toMatchObject({ reason: "credential-error" });
    expect(failing.message).toMatch(/injected: the endpoint answered 500/);

    credential.script({ hang: true });
    const hanging = tokenOf(config);
    await clock.advance(TIMEOUT_MS - 1);
    expect(await peek(hanging)).toBe("pending");
    await clock.advance(1);
    expect(await failureOf(hanging)).toMatchObject({ reason: "timeout" });
  });

  it(T.F17, async () => {
    const { source, config, a } = await inRefreshWindow();
    credential.script({ error: failure500() });
    expect(await tokenOf(config)).toBe(a); // a background refresh, failing, retried until expiry
    await clock.advance(5 * MINUTE);
    await failureOf(tokenOf(config));
    expect(source.tokenCache.status(SCOPE).consecutiveFailures).toBeGreaterThan(1);

    const b = secretToken("token-B");
    credential.script(valid(b));
    expect(await tokenOf(config)).toBe(b);
    expect(source.tokenCache.status(SCOPE)).toMatchObject({ state: "valid", consecutiveFailures: 0 });
    expect(source.tokenCache.status(SCOPE).lastError).toBeUndefined();
    expect(clock.pendingIn()).toEqual([]);
  });

  it(T.F18, async () => {
    const { config, a } = await inRefreshWindow();
    const b = secretToken("token-B");
    credential.script({ hang: true }, valid(b));
    expect(await tokenOf(config)).toBe(a);
    await clock.advance(TIMEOUT_MS - 1);
    expect(await tokenOf(config)).toBe(a);
    expect(events.at(-1)).toMatchObject({ type: "refresh-started", background: true });
    await clock.advance(1);
    expect(events.at(-1)).toMatchObject({
      type: "refresh-failed",
      background: true,
      error: { reason: "timeout" },
      retryInMs: 1_000,
    });
    expect(credential.calls[1]?.options?.abortSignal?.aborted).toBe(true);
    expect(await tokenOf(config)).toBe(a);
    await clock.advance(1_000);
    expect(await tokenOf(config)).toBe(b);
  });
});
