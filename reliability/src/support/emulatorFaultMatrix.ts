import { randomUUID } from "node:crypto";
import { inspect } from "node:util";
import { ManagedIdentityCredential } from "@azure/identity";
import {
  EntraIdProviderConfigSource,
  type EntraIdProviderConfigSourceOptions,
  type TokenCacheEvent,
} from "@copilot-byok/azure-entra";
import { TOKEN_ACQUISITION_ERROR_CODE, TokenAcquisitionError } from "@copilot-byok/core";
import { createCaptureLogger } from "@copilot-byok/test-utils/captureLogger";
import { OffsetClock } from "@copilot-byok/test-utils/OffsetClock";
import { rejectionOf, timed, waitFor } from "@copilot-byok/test-utils/waitFor";
import {
  type Fault,
  type ManagedIdentityEmulator,
  type ManagedIdentityProtocol,
  startManagedIdentityEmulator,
} from "@copilot-byok/testing";
import type { ProviderConfig } from "@github/copilot-sdk";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { canary, leaksIn, renderings } from "./canary.js";
import { EMULATOR_TESTS as T } from "./faultRows.js";
import { setManagedIdentityOnlyEnv } from "./identityEnv.js";

const MINUTE = 60_000;
/** "At once": from memory, no request; generous for a loaded 2-core machine. */
const AT_ONCE_MS = 250;
const TOKEN_CONTEXT = { providerName: "default", sessionId: "fault-matrix" };

/**
 * The fault matrix through the real `DefaultAzureCredential` (`AZURE_TOKEN_CREDENTIALS=ManagedIdentityCredential`)
 * against `@copilot-byok/testing`'s managed-identity emulator on 127.0.0.1, over one protocol.
 *
 * MSAL fixes the managed-identity source, its endpoint and its network client (with the retry options of the
 * credential that made the request) at the first token request of the process, and caches tokens process-wide
 * per resource. Hence: one protocol per test file (a process each), one emulator per file, a first request made
 * by a `ManagedIdentityCredential` with short retries (`DefaultAzureCredential` under
 * `AZURE_TOKEN_CREDENTIALS=ManagedIdentityCredential` ignores its options and would bring 800 ms retries), and a
 * fresh scope per test.
 */
export function describeEmulatorFaultMatrix(protocol: ManagedIdentityProtocol): void {
  const label = protocol === "app-service" ? "App Service protocol" : "IMDS protocol";
  describe(`fault matrix: ${label}, real DefaultAzureCredential against the managed-identity emulator`, () => {
    const identityHeader = canary("identity-header");
    let emulator: ManagedIdentityEmulator;
    let restoreEnv: () => void;
    let events: TokenCacheEvent[];
    let logger: ReturnType<typeof createCaptureLogger>;
    let sources: EntraIdProviderConfigSource[];
    let tokens: string[];
    let rendered: string[];

    const freshScope = () => `api://${randomUUID()}/.default`;

    beforeAll(async () => {
      emulator = await startManagedIdentityEmulator({ identityHeader });
      restoreEnv = setManagedIdentityOnlyEnv(emulator.env(protocol));
      await new ManagedIdentityCredential({ retryOptions: { maxRetries: 3, retryDelayInMs: 20 } }).getToken(
        freshScope(),
      );
    });
    afterAll(async () => {
      await emulator?.close();
      restoreEnv?.();
    });
    beforeEach(() => {
      emulator.reset();
      emulator.tokenLifetimeSeconds = 3600;
      events = [];
      logger = createCaptureLogger();
      sources = [];
      tokens = [];
      rendered = [];
    });
    afterEach(() => {
      // Canaries: no token and no identity header in any event, log line, error, description or rendering.
      for (const source of sources) {
        rendered.push(...renderings(source), ...renderings(source.tokenCache), inspect(source.describe()));
        source.dispose();
      }
      const texts = [...rendered, logger.text(), ...events.map((e) => `${inspect(e)} ${JSON.stringify(e)}`)];
      const secrets = Object.fromEntries([
        ["IDENTITY_HEADER", identityHeader],
        ...tokens.map((token, i) => [`token ${i + 1}`, token]),
      ]);
      expect(leaksIn(texts, secrets)).toEqual([]);
    });

    function newSource(options: Partial<EntraIdProviderConfigSourceOptions> = {}) {
      const source = new EntraIdProviderConfigSource({
        baseUrl: "http://127.0.0.1:9/openai/v1/",
        scope: freshScope(),
        timeoutMs: 3_000,
        retry: { initialDelayMs: 100, maxDelayMs: 400, jitter: 0 },
        logger,
        onEvent: (event) => events.push(event),
        ...options,
      });
      sources.push(source);
      return source;
    }

    async function configOf(source: EntraIdProviderConfigSource): Promise<ProviderConfig> {
      const config = await source.getProviderConfig();
      rendered.push(inspect(config, { depth: 10 }));
      return config;
    }

    /** The token a waiting caller gets (`getCredential()`): what `getProviderConfig()` waits for, and the config does not carry. */
    async function credentialOf(source: EntraIdProviderConfigSource): Promise<string> {
      const { value: token } = await source.getCredential();
      tokens.push(token);
      return token;
    }

    async function providerToken(config: ProviderConfig): Promise<string> {
      const token = await (config.bearerTokenProvider as NonNullable<ProviderConfig["bearerTokenProvider"]>)(
        TOKEN_CONTEXT,
      );
      tokens.push(token);
      return token;
    }

    async function failureOf(promise: Promise<unknown>): Promise<TokenAcquisitionError> {
      const error = await rejectionOf(promise);
      rendered.push(...renderings(error));
      expect(error).toBeInstanceOf(TokenAcquisitionError);
      return error as TokenAcquisitionError;
    }

    function expectVerified(token: string, source: EntraIdProviderConfigSource) {
      const verified = emulator.verifyToken(token, { audience: source.scope });
      expect(verified.ok, verified.ok ? "" : verified.reason).toBe(true);
    }

    /** `[status, fault]` of every token request since the test began (status `null`: hung or reset). */
    const requests = () => emulator.requests.map((r) => [r.status ?? null, r.fault ?? null]);

    /** The error chain of `DefaultAzureCredential` restricted to the managed identity. */
    function expectCredentialError(error: TokenAcquisitionError, inner: RegExp) {
      expect(error).toMatchObject({
        name: "TokenAcquisitionError",
        code: TOKEN_ACQUISITION_ERROR_CODE,
        reason: "credential-error",
        credentialName: "DefaultAzureCredential",
      });
      const cause = error.cause as { name?: string; errors?: { name?: string; message?: string }[] };
      expect(cause?.name).toBe("AggregateAuthenticationError");
      expect(cause.errors?.[0]?.name).toBe("CredentialUnavailableError");
      expect(cause.errors?.[0]?.message).toMatch(inner);
      expect(error.message).toMatch(inner);
    }

    /** `[status, fault]` of a request answered `status` by an injected fault. */
    const fault = (status: number): [number, string] => [status, `status ${status}`];
    const OK: [number, null] = [200, null];
    /**
     * Faults `@azure/identity` retries by itself: the first config still gets a verified token, after exactly
     * these requests, within these times.
     */
    const RETRIED: readonly {
      row: string;
      faults: () => Fault[];
      timeoutMs?: number;
      requests: [number, string | null][];
      minMs?: number;
      maxMs?: number;
    }[] = [
      {
        row: T.F01,
        faults: () => [{ status: 500 }, { status: 500 }, { status: 500 }],
        requests: [fault(500), fault(500), fault(500), OK],
      },
      {
        row: T.F02,
        faults: () => [{ status: 429, retryAfter: 1 }],
        timeoutMs: 5_000,
        requests: [fault(429), OK],
        minMs: 950,
      },
      {
        row: T.F03,
        // An HTTP date has whole seconds: 2 s ahead means a wait of 1 to 2 s.
        faults: () => [{ status: 429, retryAfterDate: new Date(Date.now() + 2_000) }],
        timeoutMs: 5_000,
        requests: [fault(429), OK],
        minMs: 900,
      },
      { row: T.F04, faults: () => [{ status: 404 }], requests: [fault(404), OK], maxMs: 3_000 },
      {
        row: T.F05,
        faults: () => [{ status: 410 }],
        timeoutMs: 6_000,
        requests: [fault(410), OK],
        // @azure/identity waits at least 3 s × jitter (0.5 to 1) before retrying a 410.
        minMs: 1_450,
      },
    ];
    for (const r of RETRIED) {
      it(r.row, async () => {
        emulator.enqueueFaults(r.faults());
        const source = newSource(r.timeoutMs !== undefined ? { timeoutMs: r.timeoutMs } : {});
        const { value: config, ms } = await timed(() => configOf(source));
        expectVerified(await providerToken(config), source);
        expect(requests()).toEqual(r.requests);
        if (r.minMs !== undefined) expect(ms).toBeGreaterThanOrEqual(r.minMs);
        expect(ms).toBeLessThan(r.maxMs ?? source.tokenCache.timeoutMs);
      });
    }

    for (const [row, status] of [
      [T.F06, 400],
      [T.F07, 401],
    ] as const) {
      it(row, async () => {
        const message = `injected refusal ${status} ${randomUUID()}`;
        emulator.enqueueFaults([{ status, message }]);
        const source = newSource();
        const { value: error, ms } = await timed(() => failureOf(source.getProviderConfig()));
        expectCredentialError(error, new RegExp(message));
        expect(requests()).toEqual([[status, `status ${status}`]]);
        expect(ms).toBeLessThan(1_000);
        expect(source.tokenCache.status(source.scope)).toMatchObject({
          state: "empty",
          consecutiveFailures: 1,
        });

        const config = await configOf(source);
        expectVerified(await providerToken(config), source);
        expect(requests()).toHaveLength(2);
      });
    }

    it(T.F08, async () => {
      emulator.enqueueFaults([{ hang: true }]);
      const source = newSource({ timeoutMs: 600 });
      const { value: error, ms } = await timed(() => failureOf(source.getProviderConfig()));
      expect(error).toMatchObject({ reason: "timeout", credentialName: "DefaultAzureCredential" });
      expect(error.message).toMatch(/within 600 ms/);
      expect(ms).toBeGreaterThanOrEqual(590);
      expect(ms).toBeLessThan(600 + 1_000);
      expect(requests()).toEqual([[null, "hang"]]);

      const config = await configOf(source);
      expectVerified(await providerToken(config), source);
    });

    it(T.F09, async () => {
      emulator.enqueueFaults([{ malformedBody: true }]);
      const source = newSource();
      const { value: error, ms } = await timed(() => failureOf(source.getProviderConfig()));
      expectCredentialError(error, /ManagedIdentityCredential/);
      expect(requests()).toEqual([[200, "malformed body"]]);
      expect(ms).toBeLessThan(1_000);

      const config = await configOf(source);
      expectVerified(await providerToken(config), source);
    });

    it(T.F10, async () => {
      emulator.enqueueFaults([{ reset: true }]);
      const source = newSource();
      const config = await configOf(source);
      expectVerified(await providerToken(config), source);
      expect(requests()).toEqual([
        [null, "reset"],
        [200, null],
      ]);
    });

    it(T.F11, async () => {
      emulator.enqueueFaults([{ lifetimeSeconds: -10 }]);
      const source = newSource();
      // Handed once to the caller that waited for it (getCredential's: a config carries no token), not cached.
      const expired = await credentialOf(source);
      const claims = emulator.verifyToken(expired, { audience: source.scope }).claims;
      expect(claims?.exp).toBeLessThan(Date.now() / 1000);
      const implausible = events.find((e) => e.type === "implausible-expiry");
      expect(implausible?.message).toMatch(/already past.*the token is used once and not cached/);
      const status = source.tokenCache.status(source.scope);
      expect(status.state).toBe("empty");
      expect(status.lastError).toMatch(/already expired or about to/);

      // Not cached: the next call asks again and gets a valid token, which the runtime's callback serves.
      const fresh = await providerToken(await configOf(source));
      expect(fresh).not.toBe(expired);
      expectVerified(fresh, source);
      expect(emulator.tokensIssued).toBe(2);
      expect(source.tokenCache.status(source.scope).state).toBe("valid");
    });

    it(T.F12, async () => {
      emulator.enqueueFaults([{ expiresOnUnit: "milliseconds" }]);
      const source = newSource();
      const config = await configOf(source);
      const token = await providerToken(config);
      expectVerified(token, source);
      const implausible = events.find((e) => e.type === "implausible-expiry");
      expect(implausible?.message).toMatch(/more than 10 years ahead.*using the token's exp claim/);
      const expiresIn = Date.parse(source.tokenCache.status(source.scope).expiresOn ?? "") - Date.now();
      expect(expiresIn).toBeGreaterThan(59 * MINUTE);
      expect(expiresIn).toBeLessThanOrEqual(60 * MINUTE);
      // Cached: no second request.
      expect(await providerToken(config)).toBe(token);
      expect(emulator.tokensIssued).toBe(1);
    });

    it(T.F13, async () => {
      const clock = new OffsetClock(10 * MINUTE);
      const source = newSource({ clock });
      const config = await configOf(source);
      const status = source.tokenCache.status(source.scope);
      expect(status.state).toBe("valid");
      const expiresOn = Date.parse(status.expiresOn ?? "");
      expect(Math.abs(expiresOn - (Date.now() + 60 * MINUTE))).toBeLessThan(5_000); // the real expiry
      // Refresh when the local clock reads expiry - 5 min: in 45 minutes, 15 before the real expiry.
      const refreshInRealMs = Date.parse(status.refreshAt ?? "") - clock.now();
      expect(refreshInRealMs).toBeGreaterThan(44 * MINUTE);
      expect(refreshInRealMs).toBeLessThan(46 * MINUTE);
      expect(await providerToken(config)).toBe(await credentialOf(source));
      expect(emulator.tokensIssued).toBe(1);

      // A 5-minute token looks 5 minutes expired: reported (naming the clock), handed once, not cached.
      emulator.enqueueFaults([{ lifetimeSeconds: 300 }]);
      const short = newSource({ clock });
      await credentialOf(short);
      const implausible = events.find((e) => e.type === "implausible-expiry" && e.scope === short.scope);
      expect(implausible?.message).toMatch(/already past: is the clock of this machine right\?/);
      expect(short.tokenCache.status(short.scope).state).toBe("empty");
    });

    it(T.F14, async () => {
      const clock = new OffsetClock(-10 * MINUTE);
      const source = newSource({ clock });
      const config = await configOf(source);
      const status = source.tokenCache.status(source.scope);
      expect(status.state).toBe("valid");
      const expiresOn = Date.parse(status.expiresOn ?? "");
      expect(Math.abs(expiresOn - (Date.now() + 60 * MINUTE))).toBeLessThan(5_000);
      // Refresh when the local clock reads expiry - 5 min: 5 real minutes after the real expiry. The cache
      // trusts the credential's expiry and has no skew detection (see docs/fault-matrix.md).
      const refreshInRealMs = Date.parse(status.refreshAt ?? "") - clock.now();
      expect(refreshInRealMs).toBeGreaterThan(64 * MINUTE);
      expect(refreshInRealMs).toBeLessThan(66 * MINUTE);
      expect(await providerToken(config)).toBe(await credentialOf(source));
      expect(emulator.tokensIssued).toBe(1);
    });

    /**
     * A 4-minute token (MSAL's cache hands back nothing that close to expiry, so every refresh reaches the
     * endpoint), then the local clock jumped 150 s ahead: inside the refresh window, 85 s of validity left.
     */
    async function intoRefreshWindow(timeoutMs = 1_500) {
      emulator.tokenLifetimeSeconds = 240;
      const clock = new OffsetClock(0);
      const source = newSource({ clock, timeoutMs });
      const config = await configOf(source);
      expect(Date.parse(source.tokenCache.status(source.scope).refreshAt ?? "") - clock.now()).toBeLessThan(
        120_000,
      );
      const token = await providerToken(config);
      clock.offsetMs = 150_000;
      return { clock, source, config, token };
    }

    it(T.F15, async () => {
      const { source, config, token } = await intoRefreshWindow();
      emulator.setDown(true);
      const served = await timed(() => providerToken(config));
      expect(served.value).toBe(token);
      expect(served.ms).toBeLessThan(AT_ONCE_MS);
      await waitFor(() => events.some((e) => e.type === "refresh-failed" && e.background === true), {
        what: "a failed background refresh",
      });
      const failed = events.find((e) => e.type === "refresh-failed");
      expect(failed).toMatchObject({ background: true, error: { reason: "credential-error" } });
      expect(failed?.retryInMs).toBeGreaterThan(0);
      expect(failed?.message).toMatch(/the current token stays in use/);
      expect(requests().filter(([status]) => status === 503).length).toBeGreaterThanOrEqual(4);
      const again = await timed(() => providerToken(config));
      expect(again.value).toBe(token);
      expect(again.ms).toBeLessThan(AT_ONCE_MS);
      expect(source.tokenCache.status(source.scope)).toMatchObject({ state: "valid" });
      expect(source.tokenCache.status(source.scope).consecutiveFailures).toBeGreaterThanOrEqual(1);
    });

    it(T.F16, async () => {
      const { clock, source, config } = await intoRefreshWindow(1_000);
      emulator.setDown(true);
      clock.offsetMs = 236_000; // 4 s before expiry: inside the 5 s margin, no longer served
      const down = await timed(() => failureOf(providerToken(config)));
      expectCredentialError(down.value, /injected fault: HTTP 503/);
      expect(down.ms).toBeLessThan(1_000);
      expect(source.tokenCache.status(source.scope).state).toBe("expired");

      emulator.setDown({ hang: true });
      const hung = await timed(() => failureOf(providerToken(config)));
      expect(hung.value).toMatchObject({ reason: "timeout" });
      expect(hung.ms).toBeGreaterThanOrEqual(990);
      expect(hung.ms).toBeLessThan(1_000 + 1_000);
    });

    it(T.F17, async () => {
      const { clock, source, config, token } = await intoRefreshWindow(1_000);
      emulator.setDown(true);
      clock.offsetMs = 236_000;
      await failureOf(providerToken(config));
      expect(source.tokenCache.status(source.scope).consecutiveFailures).toBeGreaterThanOrEqual(1);

      emulator.setDown(false);
      emulator.tokenLifetimeSeconds = 3600;
      const fresh = await providerToken(config);
      expect(fresh).not.toBe(token);
      expectVerified(fresh, source);
      expect(source.tokenCache.status(source.scope)).toMatchObject({
        state: "valid",
        consecutiveFailures: 0,
      });
      expect(events.at(-1)).toMatchObject({ type: "refresh-succeeded" });
    });

    it(T.F18, async () => {
      const { source, config, token } = await intoRefreshWindow(800);
      emulator.setDown({ hang: true });
      const served = await timed(() => providerToken(config));
      expect(served.value).toBe(token);
      expect(served.ms).toBeLessThan(AT_ONCE_MS);
      const waited = await waitFor(
        () => events.some((e) => e.type === "refresh-failed" && e.error?.reason === "timeout"),
        { what: "the background attempt to time out" },
      );
      expect(waited).toBeGreaterThanOrEqual(700);
      expect(waited).toBeLessThan(800 + 1_000);
      expect(events.find((e) => e.type === "refresh-failed")).toMatchObject({ background: true });
      expect(await providerToken(config)).toBe(token);
      expect(source.tokenCache.status(source.scope).state).toBe("valid");
    });
  });
}
