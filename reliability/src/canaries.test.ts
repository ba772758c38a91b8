import "reflect-metadata";
import { randomUUID } from "node:crypto";
import { writeFile } from "node:fs/promises";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { inspect } from "node:util";
import { ManagedIdentityCredential } from "@azure/identity";
import {
  createAzureEntraModule,
  EntraIdProviderConfigSource,
  type TokenCacheEvent,
} from "@copilot-byok/azure-entra";
import { formatDoctorReport, main, runDoctor } from "@copilot-byok/cli";
import {
  COPILOT_BYOK_ENV,
  ConfigurationError,
  CopilotSessionFactory,
  createConsoleLogger,
  DEFAULT_TOKEN_SCOPE,
  PROVIDER_CONFIG_SOURCE,
  registerCopilotByok,
} from "@copilot-byok/core";
import { StaticKeyProviderConfigSource, staticKeyModule } from "@copilot-byok/static-key";
import { createCaptureLogger, teeLogger } from "@copilot-byok/test-utils/captureLogger";
import { KubernetesSecretVolume } from "@copilot-byok/test-utils/KubernetesSecretVolume";
import { OffsetClock } from "@copilot-byok/test-utils/OffsetClock";
import { credentialFailure, ScriptedCredential } from "@copilot-byok/test-utils/ScriptedCredential";
import { createTempDir } from "@copilot-byok/test-utils/tempDir";
import { tokenOf } from "@copilot-byok/test-utils/tokenOf";
import { rejectionOf, waitFor } from "@copilot-byok/test-utils/waitFor";
import { type AzureEmulators, startAzureEmulators } from "@copilot-byok/testing";
import type { CopilotClient, ProviderConfig } from "@github/copilot-sdk";
import { container } from "tsyringe";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { canary, canaryJwt, leaksIn, renderings } from "./support/canary.js";
import { captureOutput } from "./support/captureOutput.js";
import { setManagedIdentityOnlyEnv } from "./support/identityEnv.js";

// Canary keys and tokens (random per run) through every path that writes, renders or throws: the captured
// console (createConsoleLogger), a capturing logger, errors (message, stack, cause chain), util.inspect,
// JSON.stringify, describe(), token events and the doctor's report, formatted lines, --json and CLI output.
// JSON.stringify of a ProviderConfig is the one exception by design: the SDK serializes it to hand the key to
// its runtime (docs/security.md).

const CONTEXT = { providerName: "default", sessionId: "canaries" };
const CANARY_HEADER = canary("identity-header");
const FOUNDRY_KEY = canary("foundry-key");
let emulators: AzureEmulators;
let restoreEnv: () => void;
let output: ReturnType<typeof captureOutput>;
let texts: string[];
let secrets: Record<string, string>;

/** A fake client: what would reach the SDK, without a runtime (the real one is in canaries.runtime.test.ts). */
const fakeClient = () =>
  ({
    createSession: async (config: unknown) => {
      texts.push(inspect(config, { depth: 10 }));
      return { sessionId: "s" };
    },
    stop: async () => [],
  }) as unknown as CopilotClient;

beforeAll(async () => {
  emulators = await startAzureEmulators({
    apiKeys: [FOUNDRY_KEY],
    identity: { identityHeader: CANARY_HEADER },
  });
  restoreEnv = setManagedIdentityOnlyEnv(emulators.identity.env("app-service"));
  // MSAL's first managed-identity request fixes its network client (and retry options) for the process.
  await new ManagedIdentityCredential({ retryOptions: { maxRetries: 2, retryDelayInMs: 20 } }).getToken(
    `api://${randomUUID()}/.default`,
  );
});
afterAll(async () => {
  await emulators?.close();
  restoreEnv?.();
});
beforeEach(() => {
  output = captureOutput();
  texts = [];
  secrets = { IDENTITY_HEADER: CANARY_HEADER, "foundry key": FOUNDRY_KEY };
});
afterEach(() => {
  output.stop();
  emulators.identity.setDown(false);
});

function remember(label: string, secret: string): string {
  secrets[label] = secret;
  return secret;
}

/** Every text gathered plus the captured console, checked against every canary of the test. */
function expectNoLeak(...more: unknown[]) {
  for (const value of more) texts.push(...renderings(value));
  const all = [...texts, output.text()];
  const leaks = leaksIn(all, secrets);
  const where = all.filter((text) => leaksIn([text], secrets).length > 0).map((t) => t.slice(0, 300));
  expect(leaks, where.join("\n---\n")).toEqual([]);
}

async function errorOf(promise: Promise<unknown>): Promise<unknown> {
  const error = await rejectionOf(promise);
  texts.push(...renderings(error));
  return error;
}

const identityEnv = () => ({
  ...emulators.identity.env("app-service"),
  AZURE_TOKEN_CREDENTIALS: "ManagedIdentityCredential",
});

describe("canaries: static key", () => {
  it("a key from the environment, through registerCopilotByok, a console logger and the session factory", async () => {
    const key = remember("key", canary("env-key"));
    const app = container.createChildContainer();
    const selection = registerCopilotByok(app, {
      env: {
        COPILOT_PROVIDER_API_KEY: key,
        COPILOT_PROVIDER_BASE_URL: "https://res.openai.azure.com/openai/v1/",
      },
      modules: [staticKeyModule],
      client: fakeClient(),
      logger: createConsoleLogger({ level: "debug" }),
    });
    const source = app.resolve(PROVIDER_CONFIG_SOURCE);
    const factory = app.resolve(CopilotSessionFactory);
    await factory.createSession({ model: "gpt-4.1", onPermissionRequest: () => ({ kind: "approved" }) });
    const config = await source.getProviderConfig();
    expect(config.apiKey).toBe(key); // the key is there, and only there
    texts.push(
      inspect(config, { depth: 10 }),
      inspect(source.describe()),
      JSON.stringify(factory.describe()),
    );
    const refused = await errorOf(
      factory.createSession({
        model: "gpt-4.1",
        onPermissionRequest: () => ({ kind: "approved" }),
        provider: { baseUrl: "https://x.invalid/", apiKey: key },
      } as never),
    );
    expect(refused).toBeInstanceOf(ConfigurationError);
    await app.dispose();
    const disposed = await errorOf(source.getProviderConfig());
    expect(disposed).toMatchObject({ code: "COPILOT_BYOK_DISPOSED" });
    expectNoLeak(selection, source);
  });

  // Fixed (core, registerCopilotByok): the environment snapshot registered as COPILOT_BYOK_ENV was a plain
  // frozen copy of process.env, so util.inspect(container), console.log(container) and JSON.stringify of it
  // printed every key and secret. It now has safe renderings (withSafeRendering) that show the variables' names
  // only; reads of env[name] are unchanged.
  it("the environment registered in the container renders without its secrets", async () => {
    const key = remember("key", canary("env-key"));
    const app = container.createChildContainer();
    registerCopilotByok(app, {
      env: {
        COPILOT_PROVIDER_API_KEY: key,
        COPILOT_PROVIDER_BASE_URL: "https://res.openai.azure.com/openai/v1/",
      },
      modules: [staticKeyModule],
      client: fakeClient(),
    });
    app.resolve(PROVIDER_CONFIG_SOURCE);
    texts.push(inspect(app, { depth: 10 }), JSON.stringify(app.resolve(COPILOT_BYOK_ENV)));
    await app.dispose();
    expectNoLeak();
  });

  it("a key file in a Kubernetes secret volume, rotated, with bad contents on the way", async () => {
    const temp = await createTempDir("reliability-");
    try {
      const first = remember("first key", canary("file-key-1"));
      const second = remember("second key", canary("file-key-2"));
      const jwt = remember("JWT in the key file", canaryJwt());
      const volume = await KubernetesSecretVolume.create(join(temp.path, "secret"), {
        "api-key": `${first}\n`,
      });
      const logger = createCaptureLogger();
      const both = teeLogger(logger, createConsoleLogger({ level: "debug" }));
      const source = new StaticKeyProviderConfigSource({
        baseUrl: "https://res.openai.azure.com/openai/v1/",
        apiKeyFile: volume.path("api-key"),
        pollIntervalMs: 20,
        logger: both,
      });
      const config = await source.getProviderConfig();
      const provide = config.bearerTokenProvider as NonNullable<ProviderConfig["bearerTokenProvider"]>;
      expect(await provide(CONTEXT)).toBe(first);

      for (const bad of [jwt, "", `"${first}"`, `${second} extra`]) {
        await volume.update({ "api-key": bad });
        await waitFor(() => source.describe().keyFileProblem !== undefined, {
          what: "the problem to be seen",
        });
        expect(await provide(CONTEXT)).toBe(first); // the last good key stays
        texts.push(inspect(source.describe()));
        await volume.update({ "api-key": `${first}\n` });
        await waitFor(() => source.describe().keyFileProblem === undefined, { what: "the recovery" });
      }
      await volume.update({ "api-key": `${second}\n` });
      await waitFor(async () => (await provide(CONTEXT)) === second, { what: "the rotation" });
      expect(logger.events.filter((e) => e.level === "warn").length).toBeGreaterThanOrEqual(4);
      expect(logger.events.some((e) => /static key rotated/.test(e.message))).toBe(true);
      source.dispose();
      expectNoLeak(source, logger.text(), config && inspect(config));
    } finally {
      await temp.remove();
    }
  });

  it("keys of the wrong shape are refused by fingerprint, never by value", () => {
    const key = remember("key", canary("shape-key"));
    const jwt = remember("jwt", canaryJwt());
    for (const apiKey of [
      `"${key}"`,
      `Bearer ${key}`,
      `${key} ${key}`,
      jwt,
      `${key}\u00a0`,
      `${key}\nmore`,
    ]) {
      let error: unknown;
      try {
        new StaticKeyProviderConfigSource({ baseUrl: "https://res.openai.azure.com/openai/v1/", apiKey });
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(ConfigurationError);
      texts.push(...renderings(error));
    }
    expectNoLeak();
  });
});

describe("canaries: Entra ID tokens", () => {
  it("tokens from an injected credential: config, events, logs, status, errors and renderings", async () => {
    const token = remember("token", canary("token"));
    const next = remember("next token", canary("token-next"));
    const events: TokenCacheEvent[] = [];
    const logger = createCaptureLogger();
    const clock = new OffsetClock();
    const credential = new ScriptedCredential([{ token, expiresInMs: 3_600_000 }], () => Date.now());
    const source = new EntraIdProviderConfigSource({
      baseUrl: "https://res.openai.azure.com/openai/v1/",
      credential,
      clock,
      timeoutMs: 300,
      retry: { initialDelayMs: 20, maxDelayMs: 40 },
      logger: teeLogger(logger, createConsoleLogger({ level: "debug" })),
      onEvent: (e) => events.push(e),
    });
    const config = await source.getProviderConfig();
    expect(await tokenOf(config)).toBe(token);
    const provide = config.bearerTokenProvider as NonNullable<ProviderConfig["bearerTokenProvider"]>;

    // A background refresh failing with errors that quote the token, then a hang, then a new token.
    clock.offsetMs = 56 * 60_000;
    credential.script(
      { error: credentialFailure("AuthenticationError", `upstream refused Authorization: Bearer ${token}`) },
      { error: credentialFailure("Error", `token ${canaryJwt()} rejected`) },
      { hang: true },
    );
    expect(await provide(CONTEXT)).toBe(token);
    await waitFor(() => events.filter((e) => e.type === "refresh-failed").length >= 3, {
      what: "3 failures",
    });
    credential.script({ token: next, expiresInMs: 3_600_000 });
    await waitFor(async () => (await provide(CONTEXT)) === next, { what: "the new token" });

    // Past expiry, failing: the error the runtime would relay.
    clock.offsetMs = 3 * 3_600_000;
    credential.script({ error: credentialFailure("AuthenticationError", `Bearer ${next} expired`) });
    const failure = await rejectionOf(provide(CONTEXT));
    expect(failure).toMatchObject({ name: "TokenAcquisitionError", reason: "credential-error" });
    expect((failure as Error).message).toMatch(/Bearer \[REDACTED\]/);

    texts.push(
      inspect(config, { depth: 10 }),
      JSON.stringify(source.tokenCache.status(source.scope)),
      inspect(source.tokenCache.status(source.scope)),
      logger.text(),
      ...events.map((e) => `${inspect(e)} ${JSON.stringify(e)}`),
    );
    source.dispose();
    // The cause is kept verbatim for diagnosis (docs/security.md): check our own texts, not the foreign cause.
    delete (failure as { cause?: unknown }).cause;
    texts.push(...renderings(failure));
    expectNoLeak(source, source.tokenCache);
  });
});

describe("canaries: doctor", () => {
  async function cli(args: string[], env: Record<string, string>): Promise<string> {
    const before = output.text().length;
    const code = await main(args, { env });
    expect([0, 1]).toContain(code);
    return output.text().slice(before);
  }

  it("static key from a variable and from a file, with --probe: report, lines, --json and CLI output", async () => {
    const temp = await createTempDir("reliability-");
    try {
      remember("foundry key", FOUNDRY_KEY);
      const keyFile = join(temp.path, "api-key");
      await writeFile(keyFile, `${FOUNDRY_KEY}\n`);
      const base = {
        AZURE_AI_FOUNDRY_RESOURCE_URL: emulators.foundry.resourceUrl,
        COPILOT_PROVIDER_MODEL_ID: "gpt-4.1",
      };
      for (const env of [
        { ...base, COPILOT_PROVIDER_API_KEY: FOUNDRY_KEY },
        { ...base, AZURE_OPENAI_API_KEY: FOUNDRY_KEY },
        { ...base, COPILOT_PROVIDER_API_KEY_FILE: keyFile },
        { ...base, COPILOT_PROVIDER_API_KEY: remember("wrong key", canary("wrong-key")) },
      ]) {
        const report = await runDoctor({ env, probe: true, timeoutMs: 5_000 });
        expect(report.probe?.status).toBeDefined();
        texts.push(...formatDoctorReport(report), ...renderings(report));
        texts.push(await cli(["doctor", "--probe"], env), await cli(["doctor", "--probe", "--json"], env));
      }
      expect(emulators.foundry.requests.map((r) => r.status)).toContain(401);
      expectNoLeak();
    } finally {
      await temp.remove();
    }
  });

  it("managed identity (real DefaultAzureCredential against the emulator), with --probe, then the identity down", async () => {
    const env = {
      ...identityEnv(),
      AZURE_AI_FOUNDRY_RESOURCE_URL: emulators.foundry.resourceUrl,
      COPILOT_PROVIDER_MODEL_ID: "gpt-4.1",
    };
    const report = await runDoctor({ env, probe: true, timeoutMs: 5_000 });
    expect(report).toMatchObject({ healthy: true, mode: "azure-entra", probe: { ok: true } });
    texts.push(...formatDoctorReport(report), ...renderings(report));
    texts.push(await cli(["doctor", "--probe"], env), await cli(["doctor", "--probe", "--json"], env));
    // The token the doctor used, from MSAL's process-wide cache: the same one.
    remember("doctor's token", (await new ManagedIdentityCredential().getToken(DEFAULT_TOKEN_SCOPE)).token);

    emulators.identity.setDown(true);
    const scoped = { ...env, COPILOT_PROVIDER_TOKEN_SCOPE: `api://${randomUUID()}/.default` };
    const down = await runDoctor({ env: scoped, probe: true, timeoutMs: 5_000 });
    expect(down.healthy).toBe(false);
    expect(down.problems.join("\n")).toMatch(/DefaultAzureCredential could not get a token/);
    texts.push(...formatDoctorReport(down), ...renderings(down), await cli(["doctor", "--probe"], scoped));
    expectNoLeak();
  });

  // Fixed (static-key and azure-entra describe(), cli doctor): COPILOT_PROVIDER_BASE_URL is used as is, query
  // included (it still is, in the config sent), and describe() returned it raw: an API Management
  // `?subscription-key=` or a SAS signature showed in describe(), util.inspect/JSON.stringify of the source, the
  // sources' debug log line and the doctor's "base URL" line and report. describe() of both sources and
  // runDoctor (provider.baseUrl, probe.url) now show it through redactUrl (every query value and the fragment
  // masked).
  it("a key in the base URL's query is not shown by describe(), renderings, logs or doctor", async () => {
    const key = remember("query key", canary("query-key"));
    const base = `https://gateway.example.com/openai/v1/?subscription-key=${key}`;
    const logger = createCaptureLogger();
    const source = new StaticKeyProviderConfigSource({ baseUrl: base, apiKey: FOUNDRY_KEY, logger });
    const entra = new EntraIdProviderConfigSource({
      baseUrl: base,
      credential: new ScriptedCredential([], () => Date.now()),
    });
    const report = await runDoctor({
      env: { COPILOT_PROVIDER_BASE_URL: base, COPILOT_PROVIDER_API_KEY: FOUNDRY_KEY },
    });
    texts.push(logger.text(), ...formatDoctorReport(report), ...renderings(report));
    source.dispose();
    entra.dispose();
    expectNoLeak(source, entra, source.describe(), entra.describe());
  });

  // FIXED (cli, probeProvider): `doctor --probe` printed the provider's error message ("provider said: …") after
  // redactText only, which masks JWTs and "Bearer …" but not a bare key. OpenAI-compatible servers and
  // gateways that answer "Incorrect API key provided: <key>" get the key printed. Fix: in probeProvider, replace
  // every occurrence of the credential it sent (apiKey, bearer token) in the message with [REDACTED] before
  // redactText.
  it("doctor --probe does not print the key when the provider's error message echoes it", async () => {
    const key = remember("echoed key", canary("echoed-key"));
    const server = createServer((req, res) => {
      const sent = String(req.headers.authorization ?? req.headers["api-key"] ?? "").replace(/^Bearer /, "");
      res.writeHead(401, { "content-type": "application/json" });
      res.end(JSON.stringify({ error: { message: `Incorrect API key provided: ${sent}.` } }));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const env = {
        COPILOT_PROVIDER_BASE_URL: `http://127.0.0.1:${port}/openai/v1/`,
        COPILOT_PROVIDER_API_KEY: key,
        COPILOT_PROVIDER_MODEL_ID: "gpt-4.1",
      };
      const report = await runDoctor({ env, probe: true, timeoutMs: 5_000 });
      expect(report.probe?.status).toBe(401);
      texts.push(...formatDoctorReport(report), ...renderings(report), await cli(["doctor", "--probe"], env));
      expectNoLeak();
    } finally {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  // FIXED (cli, runDoctor): `selection.module.create()` ran outside runDoctor's try: a key file that is missing,
  // unreadable or holds a JWT (a ConfigurationError from the static-key source) makes runDoctor reject and
  // `copilot-byok doctor` print only "unexpected failure: ConfigurationError", without the problem — the one
  // thing doctor exists to explain. Fix: wrap the create() call, reporting ConfigurationError problems as
  // report.problems (healthy: false).
  it("doctor reports a missing key file as a problem instead of failing", async () => {
    const env = {
      COPILOT_PROVIDER_BASE_URL: "https://res.openai.azure.com/openai/v1/",
      COPILOT_PROVIDER_API_KEY_FILE: "/run/secrets/copilot-byok-missing-key",
    };
    const report = await runDoctor({ env });
    expect(report.healthy).toBe(false);
    expect(report.problems.join("\n")).toMatch(/does not exist/);
  });
});

describe("canaries: the module path, for completeness", () => {
  it("createAzureEntraModule with a console logger: debug line, describe and errors hold no token", async () => {
    const token = remember("token", canary("module-token"));
    const module = createAzureEntraModule({
      credential: new ScriptedCredential([{ token, expiresInMs: 3_600_000 }], () => Date.now()),
      logger: createConsoleLogger({ level: "debug" }),
    });
    const app = container.createChildContainer();
    registerCopilotByok(app, {
      env: { AZURE_AI_FOUNDRY_RESOURCE_URL: "https://res.services.ai.azure.com" },
      modules: [module],
      client: fakeClient(),
    });
    const source = app.resolve(PROVIDER_CONFIG_SOURCE);
    await app.resolve(CopilotSessionFactory).createSession({
      model: "gpt-4.1",
      onPermissionRequest: () => ({ kind: "approved" }),
    });
    texts.push(inspect(await source.getProviderConfig(), { depth: 10 }));
    await app.dispose();
    expectNoLeak(source);
  });
});
