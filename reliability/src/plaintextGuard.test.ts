import "reflect-metadata";
import { Socket } from "node:net";
import { createAzureEntraModule, EntraIdProviderConfigSource } from "@copilot-byok/azure-entra";
import {
  BASE_URL_VARIABLES,
  ConfigurationError,
  CopilotSessionFactory,
  type ProviderConfigSource,
  registerCopilotByok,
  selectProviderConfigSource,
} from "@copilot-byok/core";
import { StaticKeyProviderConfigSource, staticKeyModule } from "@copilot-byok/static-key";
import { ScriptedCredential } from "@copilot-byok/test-utils/ScriptedCredential";
import { tokenOf } from "@copilot-byok/test-utils/tokenOf";
import type { CopilotClient, ProviderConfig } from "@github/copilot-sdk";
import { container } from "tsyringe";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { canary } from "./support/canary.js";

// Plaintext guard: a key or a bearer token configured for an http:// URL whose host is not this machine is
// refused (ConfigurationError) before any request is made: no token is asked for, no session is created, no
// connection is attempted. http:// stays accepted for loopback hosts (local emulators, sidecars).

const KEY = canary("plaintext-key");
const TOKEN = canary("plaintext-token");
const NON_LOOPBACK = [
  "http://res.openai.azure.com/openai/v1/",
  "http://10.0.0.7:8080/",
  "http://169.254.169.254/",
  "http://0.0.0.0:8080/",
  "http://[::]:8080/",
  "http://127.0.0.1.nip.io/",
  "http://localhost.example.com/",
  "http://[::ffff:127.0.0.1]/", // normalised to [::ffff:7f00:1]: refused, on the safe side
  "HTTP://GATEWAY.EXAMPLE.COM/",
];
const LOOPBACK = [
  "http://127.0.0.1:8080/openai/v1/",
  "http://127.5.6.7/",
  "http://localhost:3000/",
  "http://LOCALHOST/",
  "http://[::1]:4000/",
  "http://2130706433/", // 127.0.0.1 as a number
];

/** Every outgoing TCP connection attempted while a test runs. */
let connections: string[];
let restoreConnect: () => void;
beforeEach(() => {
  connections = [];
  const original = Socket.prototype.connect;
  Socket.prototype.connect = function (this: Socket, ...args: unknown[]) {
    connections.push(JSON.stringify(args[0]));
    return (original as (...a: unknown[]) => Socket).apply(this, args);
  } as typeof Socket.prototype.connect;
  restoreConnect = () => {
    Socket.prototype.connect = original;
  };
});
afterEach(() => restoreConnect());

function refusal(fn: () => unknown): ConfigurationError {
  let error: unknown;
  try {
    fn();
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(ConfigurationError);
  const problems = (error as ConfigurationError).problems.join("\n");
  expect(problems).toMatch(/http:\/\/|https:\/\//);
  expect(problems).not.toContain(KEY);
  expect(problems).not.toContain(TOKEN);
  return error as ConfigurationError;
}

/** A client that records what would reach the runtime. */
function recordingClient() {
  const sessions: unknown[] = [];
  const client = {
    createSession: async (config: unknown) => {
      sessions.push(config);
      return { sessionId: "s" };
    },
    resumeSession: async (_id: string, config: unknown) => {
      sessions.push(config);
      return { sessionId: "s" };
    },
    stop: async () => [],
  } as unknown as CopilotClient;
  return { client, sessions };
}

describe("plaintext guard", () => {
  it.each(NON_LOOPBACK)(
    "static key from the environment for %s: refused at selection, nothing created",
    (url) => {
      for (const variable of BASE_URL_VARIABLES) {
        for (const key of [{ COPILOT_PROVIDER_API_KEY: KEY }, { AZURE_OPENAI_API_KEY: KEY }]) {
          const { client, sessions } = recordingClient();
          const app = container.createChildContainer();
          const error = refusal(() =>
            registerCopilotByok(app, {
              env: { [variable]: url, ...key },
              modules: [staticKeyModule],
              client,
            }),
          );
          expect(error.problems.join("\n")).toMatch(/non-loopback host|must use https/);
          expect(app.isRegistered(CopilotSessionFactory)).toBe(false);
          expect(sessions).toEqual([]);
        }
      }
      expect(connections).toEqual([]);
    },
  );

  it.each(NON_LOOPBACK)(
    "Entra ID from the environment for %s: refused at selection, no token asked for",
    (url) => {
      const credential = new ScriptedCredential([{ token: TOKEN, expiresInMs: 3_600_000 }], () => Date.now());
      const module = createAzureEntraModule({ credential });
      for (const variable of BASE_URL_VARIABLES) {
        refusal(() =>
          selectProviderConfigSource({ [variable]: url, COPILOT_PROVIDER_AUTH: "azure-entra" }, [module]),
        );
        refusal(() =>
          selectProviderConfigSource({ [variable]: url, IDENTITY_ENDPOINT: "http://127.0.0.1:1/" }, [module]),
        );
      }
      expect(credential.calls).toEqual([]);
      expect(connections).toEqual([]);
    },
  );

  it.each(NON_LOOPBACK)(
    "sources built in code for %s: refused by the constructors, no token asked for",
    (url) => {
      const credential = new ScriptedCredential([{ token: TOKEN, expiresInMs: 3_600_000 }], () => Date.now());
      for (const endpoint of [{ baseUrl: url }, { resourceUrl: url }]) {
        refusal(() => new StaticKeyProviderConfigSource({ ...endpoint, apiKey: KEY }));
        for (const type of ["openai", "azure"] as const) {
          refusal(
            () => new EntraIdProviderConfigSource({ ...endpoint, credential, type, expectedAudience: null }),
          );
        }
      }
      expect(credential.calls).toEqual([]);
      expect(connections).toEqual([]);
    },
  );

  it.each(LOOPBACK)("http:// for the loopback host of %s is accepted (emulators, sidecars)", async (url) => {
    const credential = new ScriptedCredential([{ token: TOKEN, expiresInMs: 3_600_000 }], () => Date.now());
    const key = new StaticKeyProviderConfigSource({ baseUrl: url, apiKey: KEY });
    const entra = new EntraIdProviderConfigSource({ baseUrl: url, credential });
    expect((await key.getProviderConfig()).apiKey).toBe(KEY);
    expect(await tokenOf(await entra.getProviderConfig())).toBe(TOKEN);
    key.dispose();
    entra.dispose();
    expect(connections).toEqual([]);
  });

  it("https:// anywhere is accepted, and the key still goes nowhere before a session is made", async () => {
    const { client, sessions } = recordingClient();
    const app = container.createChildContainer();
    registerCopilotByok(app, {
      env: {
        COPILOT_PROVIDER_BASE_URL: "https://res.openai.azure.com/openai/v1/",
        COPILOT_PROVIDER_API_KEY: KEY,
      },
      modules: [staticKeyModule],
      client,
    });
    await app
      .resolve(CopilotSessionFactory)
      .createSession({ model: "gpt-4.1", onPermissionRequest: () => ({ kind: "approved" }) });
    expect(sessions).toHaveLength(1);
    await app.dispose();
    expect(connections).toEqual([]);
  });

  // Fixed (core, CopilotSessionFactory): the guard lived in the built-in sources only, so a plug-in source (a key
  // vault, a token broker: the design's third kind) returning { baseUrl: "http://gateway.internal/", apiKey }
  // had its key sent in clear. createSession/resumeSession now refuse a provider config that carries apiKey,
  // bearerToken, bearerTokenProvider or a secret-named header for a base URL that is not https:// (or http://
  // to a loopback host, isLoopbackHost), with a ConfigurationError, before calling the client.
  it("a plug-in source's http:// non-loopback config is refused by the session factory", async () => {
    const source: ProviderConfigSource = {
      mode: "key-vault",
      getProviderConfig: async (): Promise<ProviderConfig> => ({
        baseUrl: "http://gateway.internal/openai/v1/",
        apiKey: KEY,
      }),
      describe: () => ({ mode: "key-vault" }),
    };
    const { client, sessions } = recordingClient();
    const factory = new CopilotSessionFactory(source, client, {});
    const create = factory.createSession({
      model: "gpt-4.1",
      onPermissionRequest: () => ({ kind: "approved" }),
    });
    await expect(create).rejects.toBeInstanceOf(ConfigurationError);
    expect(sessions).toEqual([]);
  });
});
