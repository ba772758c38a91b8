import { inspect } from "node:util";
import { azureEntraModule, createAzureEntraModule } from "@copilot-byok/azure-entra";
import { formatDoctorReport, runDoctor } from "@copilot-byok/cli";
import {
  BASE_URL_VARIABLES,
  ConfigurationError,
  type Env,
  PROVIDER_TYPES,
  type Selection,
  selectProviderConfigSource,
  silentLogger,
} from "@copilot-byok/core";
import { readProviderEnv, resolveBaseUrl } from "@copilot-byok/core/plugin";
import { staticKeyModule } from "@copilot-byok/static-key";
import fc from "fast-check";
import { describe, expect, it } from "vitest";

// Generated environments through selection and base-URL resolution: the outcome is always a valid Selection or
// a ConfigurationError, never another exception, and no message ever carries a secret's value.
//
// Every secret is built around a marker of 32 random hex digits; a message "leaks" when it holds any 12
// consecutive characters of a marker. Secrets go into the secret variables (keys, client secret, identity
// header) in every shape a person might paste, and into the wrong variables (a key pasted as the mode, the URL,
// the key file path, the scope, the model, the client id), into URL user info and into secret-named query
// parameters.

const MODULES = [staticKeyModule, azureEntraModule] as const;
const RUNS = 10_000;
const HEX = "0123456789abcdef".split("");

// 32 characters: the shortest key format of the providers in view (Azure OpenAI, Foundry: 32 hex digits; OpenAI,
// Anthropic, Mistral: longer). Shorter keys pasted into a name variable: "a short key pasted into a name variable
// is not echoed" below.
const marker = fc.string({ unit: fc.constantFrom(...HEX), minLength: 32, maxLength: 32 });

/** A secret in the shapes it arrives in: plain, with a line break, padded, quoted, with odd characters, …. */
const secretShape = (m: string) =>
  fc.oneof(
    fc.constantFrom(
      `sk-${m}`,
      m,
      `${m}\n`,
      `${m}\r\n`,
      `  ${m}  `,
      `"${m}"`,
      `'${m}'`,
      `\u201c${m}\u201d`,
      `\ufeff${m}`,
      `${m}\u00a0`,
      `${m}\u0000`,
      `${m}\nsecond line`,
      m.repeat(130),
      `/run/secrets/${m}`,
    ),
    splitSecretShape(m),
  );

/** Shapes that cut the secret with a space or dots: a scheme prefix, a stray space, a JWT. */
const splitSecretShape = (m: string) =>
  fc.constantFrom(
    `Bearer ${m}`,
    `Basic ${m}`,
    `${m.slice(0, 16)} ${m.slice(16)}`,
    `eyJhbGciOiJIUzI1NiJ9.${Buffer.from(`{"k":"${m}"}`).toString("base64url")}.${m}`,
  );

const anyText = fc.oneof(
  fc.string({ unit: "binary-ascii", maxLength: 40 }),
  fc.string({ unit: "grapheme", maxLength: 40 }),
  fc.string({ unit: "binary", maxLength: 40 }),
  fc.constantFrom("", " ", "\t", "\n", "undefined", "null", "true", "0", "-1", "__proto__", "constructor"),
);

const hosts = [
  "res.services.ai.azure.com",
  "res.openai.azure.com",
  "res.cognitiveservices.azure.com",
  "gateway.example.com",
  "10.0.0.7",
  "127.0.0.1:8080",
  "localhost:3000",
  "[::1]",
  "[::ffff:127.0.0.1]",
  "0.0.0.0",
  "app.localhost",
  "xn--bcher-kva.example",
];
const paths = ["", "/", "/openai", "/openai/", "/openai/v1", "/openai/v1/", "//x//", "/OpenAI/V1", "/a b"];
const schemes = ["https://", "http://", "HTTPS://", "ws://", "ftp://", "file://", "", "//"];
const secretParams = ["api-key", "subscription-key", "sig", "access_token", "client_secret", "token", "key"];

const url = (m: string) =>
  fc.oneof(
    {
      weight: 4,
      arbitrary: fc
        .tuple(fc.constantFrom(...schemes), fc.constantFrom(...hosts), fc.constantFrom(...paths))
        .map((p) => p.join("")),
    },
    {
      weight: 1,
      arbitrary: fc
        .tuple(
          fc.constantFrom(...hosts),
          fc.constantFrom(...paths),
          fc.constantFrom("?api-version=2024-10-21", "#frag", "?a=b&c=d"),
        )
        .map(([h, p, q]) => `https://${h}${p}${q}`),
    },
    {
      weight: 1,
      arbitrary: fc
        .tuple(fc.constantFrom(...hosts), fc.constantFrom(...secretParams))
        .map(([h, name]) => `https://${h}/openai/v1/?${name}=${m}`),
    },
    { weight: 1, arbitrary: fc.constantFrom(...hosts).map((h) => `https://user:${m}@${h}/`) },
    { weight: 1, arbitrary: fc.constantFrom(...hosts).map((h) => `https://${m}@${h}/`) },
    { weight: 1, arbitrary: secretShape(m) },
    { weight: 1, arbitrary: anyText },
  );

const choice = (valid: readonly string[], m: string) =>
  fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom(...valid) },
    {
      weight: 1,
      arbitrary: fc.constantFrom(...valid.map((v) => v.toUpperCase()), ...valid.map((v) => ` ${v}\n`)),
    },
    { weight: 1, arbitrary: anyText },
    { weight: 1, arbitrary: secretShape(m) },
  );

/** `arb` in `percent`% of the cases, else absent. */
const sometimes = <T>(arb: fc.Arbitrary<T>, percent: number) =>
  fc.oneof({ weight: 100 - percent, arbitrary: fc.constant(undefined) }, { weight: percent, arbitrary: arb });

const validUrl = fc
  .tuple(
    fc.constantFrom(
      "https://res.services.ai.azure.com",
      "https://res.openai.azure.com",
      "https://gateway.example.com/llm",
      "http://127.0.0.1:8080",
      "http://localhost:3000",
      "http://[::1]:4000",
    ),
    fc.constantFrom("", "/", "/openai", "/openai/v1", "/openai/v1/"),
  )
  .map(([origin, path]) => `${origin}${path}`);

/** A well-formed environment: an endpoint, often a key (in one of its variables), often identity signals. */
const wellFormed = (m: string) =>
  fc
    .record({
      endpoint: fc.tuple(fc.constantFrom(...BASE_URL_VARIABLES), validUrl),
      key: sometimes(
        fc.tuple(
          fc.constantFrom(
            "COPILOT_PROVIDER_API_KEY",
            "AZURE_OPENAI_API_KEY",
            "COPILOT_PROVIDER_API_KEY_FILE",
          ),
          fc.constantFrom(`sk-${m}`, m, `${m}\n`, `${m}\r\n`, m.repeat(100)),
        ),
        60,
      ),
      COPILOT_PROVIDER_AUTH: sometimes(fc.constantFrom("auto", "static-key", "azure-entra"), 30),
      COPILOT_PROVIDER_TYPE: sometimes(fc.constantFrom(...PROVIDER_TYPES), 30),
      COPILOT_PROVIDER_WIRE_API: sometimes(fc.constantFrom("responses", "completions"), 30),
      COPILOT_PROVIDER_MODEL_ID: sometimes(fc.constantFrom("gpt-4.1", "claude-sonnet-4"), 50),
      COPILOT_PROVIDER_TOKEN_SCOPE: sometimes(
        fc.constantFrom("https://cognitiveservices.azure.com/.default"),
        20,
      ),
      AZURE_TOKEN_CREDENTIALS: sometimes(fc.constantFrom("prod", "ManagedIdentityCredential"), 20),
      identity: sometimes(
        fc.constantFrom<Record<string, string>>(
          { IDENTITY_ENDPOINT: "http://127.0.0.1:41741/msi/token", IDENTITY_HEADER: `${m}` },
          { AZURE_CLIENT_ID: "5d1c7a3e-0000-4000-8000-0000000000aa" },
          {
            AZURE_CLIENT_ID: "5d1c7a3e-0000-4000-8000-0000000000aa",
            AZURE_TENANT_ID: "72f988bf-0000-4000-8000-00000000a11c",
            AZURE_CLIENT_SECRET: `~${m}`,
          },
          {
            AZURE_FEDERATED_TOKEN_FILE: "/var/run/secrets/azure/tokens/azure-identity-token",
            AZURE_CLIENT_ID: "5d1c7a3e-0000-4000-8000-0000000000aa",
          },
          { MSI_ENDPOINT: "http://localhost:50342/oauth2/token", MSI_SECRET: m },
        ),
        30,
      ),
    })
    .map(({ endpoint, key, identity, ...rest }) =>
      defined({ ...rest, [endpoint[0]]: endpoint[1], ...(key ? { [key[0]]: key[1] } : {}), ...identity }),
    );

/** Anything in any variable, each present in 15% of the cases. */
const chaotic = (m: string) =>
  fc
    .record({
      COPILOT_PROVIDER_AUTH: sometimes(choice(["auto", "static-key", "azure-entra", "key-vault"], m), 15),
      COPILOT_PROVIDER_BASE_URL: sometimes(url(m), 15),
      AZURE_AI_FOUNDRY_RESOURCE_URL: sometimes(url(m), 15),
      AZURE_OPENAI_ENDPOINT: sometimes(url(m), 15),
      COPILOT_PROVIDER_API_KEY: sometimes(secretShape(m), 15),
      COPILOT_PROVIDER_API_KEY_FILE: sometimes(
        fc.oneof(
          fc.constantFrom("/run/secrets/openai-key", "key.txt", "./secrets/key", "/", "C:\\keys\\k"),
          secretShape(m),
          anyText,
        ),
        15,
      ),
      AZURE_OPENAI_API_KEY: sometimes(secretShape(m), 15),
      COPILOT_PROVIDER_TYPE: sometimes(choice(PROVIDER_TYPES, m), 15),
      COPILOT_PROVIDER_WIRE_API: sometimes(choice(["responses", "completions"], m), 15),
      COPILOT_PROVIDER_MODEL_ID: sometimes(
        fc.oneof(fc.constantFrom("gpt-4.1", "claude-sonnet-4", "o3"), anyText, secretShape(m)),
        15,
      ),
      COPILOT_PROVIDER_WIRE_MODEL: sometimes(fc.oneof(fc.constantFrom("my-deployment"), anyText), 15),
      COPILOT_PROVIDER_TOKEN_SCOPE: sometimes(
        fc.oneof(
          fc.constantFrom(
            "https://cognitiveservices.azure.com/.default",
            "https://ai.azure.com/.default",
            "api://x/.default",
            "https://management.azure.com/.default",
          ),
          anyText,
          secretShape(m),
        ),
        15,
      ),
      AZURE_TOKEN_CREDENTIALS: sometimes(
        choice(["prod", "dev", "ManagedIdentityCredential", "AzureCliCredential"], m),
        15,
      ),
      IDENTITY_ENDPOINT: sometimes(
        fc.constantFrom("http://127.0.0.1:41741/msi/token", "http://169.254.255.2:8081/msi/token", ""),
        15,
      ),
      IDENTITY_HEADER: sometimes(secretShape(m), 15),
      MSI_ENDPOINT: sometimes(fc.constantFrom("http://localhost:50342/oauth2/token"), 15),
      MSI_SECRET: sometimes(secretShape(m), 15),
      AZURE_CLIENT_ID: sometimes(fc.oneof(fc.uuid().map(String), anyText, secretShape(m)), 15),
      AZURE_TENANT_ID: sometimes(fc.uuid().map(String), 15),
      AZURE_CLIENT_SECRET: sometimes(secretShape(m), 15),
      AZURE_CLIENT_CERTIFICATE_PATH: sometimes(fc.constantFrom("/certs/sp.pem"), 15),
      AZURE_FEDERATED_TOKEN_FILE: sometimes(
        fc.constantFrom("/var/run/secrets/azure/tokens/azure-identity-token"),
        15,
      ),
      AZURE_POD_IDENTITY_AUTHORITY_HOST: sometimes(fc.constantFrom("http://127.0.0.1:2222"), 15),
    })
    .map(defined);

function defined(record: Record<string, string | undefined>): Env {
  return Object.fromEntries(Object.entries(record).filter(([, v]) => v !== undefined)) as Env;
}

/** Well-formed, chaotic, or well-formed with a few chaotic variables on top. */
const environment = marker.chain((m) =>
  fc
    .oneof(
      wellFormed(m),
      chaotic(m),
      fc.tuple(wellFormed(m), chaotic(m)).map(([base, noise]) => ({ ...base, ...noise })),
    )
    .map((env) => ({ marker: m, env })),
);

/** The 12-character windows of a marker: any of them in a message is a leak. */
function windows(m: string): string[] {
  return Array.from({ length: m.length - 11 }, (_, i) => m.slice(i, i + 12));
}

function leaked(texts: readonly string[], m: string): string | undefined {
  const parts = windows(m);
  return texts.find((text) => parts.some((part) => text.includes(part)));
}

function messagesOf(error: ConfigurationError): string[] {
  return [
    error.message,
    ...error.problems,
    String(error),
    inspect(error, { depth: 10 }),
    JSON.stringify(error),
  ];
}

describe("generated environments (fast-check)", () => {
  it(`${RUNS} environments: a valid Selection or a ConfigurationError, never another exception, never a secret in a message`, () => {
    let selections = 0;
    let configurationErrors = 0;
    const modes = new Set<string>();
    fc.assert(
      fc.property(environment, ({ marker: m, env }) => {
        let selection: Selection | undefined;
        let messages: string[];
        try {
          selection = selectProviderConfigSource(env, MODULES);
          messages = [selection.mode, ...selection.reasons, inspect(selection, { depth: 10 })];
        } catch (error) {
          if (!(error instanceof ConfigurationError)) throw error;
          expect(error.problems.length).toBeGreaterThan(0);
          messages = messagesOf(error);
          configurationErrors++;
        }
        if (selection) {
          selections++;
          modes.add(selection.mode);
          expect(["static-key", "azure-entra"]).toContain(selection.mode);
          expect(MODULES).toContain(selection.module);
          expect(selection.module.mode).toBe(selection.mode);
          expect(selection.reasons.length).toBeGreaterThan(0);
          expect(Object.isFrozen(selection)).toBe(true);
        }
        // The shared reading and each base URL variable on its own, for every provider type.
        const reading = readProviderEnv(env);
        messages.push(...reading.problems, ...reading.notes);
        for (const name of BASE_URL_VARIABLES) {
          const value = env[name];
          if (value === undefined) continue;
          for (const type of PROVIDER_TYPES) {
            const resolution = resolveBaseUrl(name, value, { type });
            if (resolution.baseUrl === undefined) expect(resolution.problems.length).toBeGreaterThan(0);
            else {
              expect(resolution.problems).toEqual([]);
              const parsed = new URL(resolution.baseUrl);
              expect(["https:", "http:"]).toContain(parsed.protocol);
              expect(parsed.username).toBe("");
            }
            messages.push(...resolution.problems);
          }
        }
        const leak = leaked(messages, m);
        expect(leak, `a message holds the secret: ${leak}`).toBeUndefined();
      }),
      { numRuns: RUNS },
    );
    // The generator reaches both outcomes and both modes.
    expect(selections).toBeGreaterThan(RUNS / 20);
    expect(configurationErrors).toBeGreaterThan(RUNS / 20);
    expect([...modes].sort()).toEqual(["azure-entra", "static-key"]);
  }, 120_000);

  it("a chosen source gets only an http(s) base URL without user info, http only for loopback hosts", () => {
    fc.assert(
      fc.property(environment, ({ env }) => {
        let selection: Selection;
        try {
          selection = selectProviderConfigSource(env, MODULES);
        } catch (error) {
          if (error instanceof ConfigurationError) return;
          throw error;
        }
        const { baseUrl } = readProviderEnv(env).settings;
        expect(baseUrl, `mode ${selection.mode} chosen without a base URL`).toBeDefined();
        const parsed = new URL(baseUrl as string);
        expect(parsed.username + parsed.password).toBe("");
        if (parsed.protocol === "http:") {
          expect(parsed.hostname).toMatch(/^(localhost|.*\.localhost|127\.\d+\.\d+\.\d+|\[::1\])$/);
        } else {
          expect(parsed.protocol).toBe("https:");
        }
      }),
      { numRuns: 2_000 },
    );
  });

  // Fixed (core, resolveBaseUrl): a resource URL with a query or fragment was refused with the URL shown through
  // redactUrl, which then masked only secret-named query parameters, so an Azure Functions proxy key
  // (`?code=<function key>`) or an OAuth fragment (`#access_token=…`) was echoed. Now the problem shows scheme,
  // host and path only, with "(query/fragment of N characters not shown)"; redactUrl masks every query value
  // and the fragment.
  it("a resource URL whose query or fragment holds a secret is refused without echoing it", () => {
    const secret = "0f3c9a7e5b1d4c2a8e6f0b9d";
    for (const value of [
      `https://my-func.azurewebsites.net/api/openai?code=${secret}`,
      `https://res.openai.azure.com/#access_token=${secret}`,
    ]) {
      const resolution = resolveBaseUrl("AZURE_OPENAI_ENDPOINT", value);
      expect(resolution.baseUrl).toBeUndefined();
      expect(resolution.problems.join("\n")).not.toContain(secret);
    }
  });

  // Fixed (core, showValue): a value of a name variable was echoed when it was up to 24 characters of letters,
  // digits, '.', '_' and '-' starting with a letter, so a short key pasted into COPILOT_PROVIDER_AUTH (a
  // plausible slip: "AUTH" reads like "the credential"), COPILOT_PROVIDER_TYPE, COPILOT_PROVIDER_WIRE_API or
  // AZURE_CLIENT_ID was echoed whole. Now showValue shows a value only when it is a near miss of an accepted
  // value (case, whitespace or separator difference, edit distance <= 2, a prefix) or a plain one-case word
  // without digits; otherwise its length only.
  it("a short key pasted into a name variable is not echoed", () => {
    const key = "sk-test-51d0c9a4e27b83f6"; // 24 characters
    for (const name of [
      "COPILOT_PROVIDER_AUTH",
      "COPILOT_PROVIDER_TYPE",
      "COPILOT_PROVIDER_WIRE_API",
      "AZURE_CLIENT_ID",
    ]) {
      const env = { COPILOT_PROVIDER_BASE_URL: "https://res.openai.azure.com/openai/v1/", [name]: key };
      let messages: string[];
      try {
        messages = [...selectProviderConfigSource(env, MODULES).reasons];
      } catch (error) {
        if (!(error instanceof ConfigurationError)) throw error;
        messages = messagesOf(error);
      }
      expect(messages.join("\n"), name).not.toContain(key);
    }
  });

  // Was a bug (static-key, showKeyFilePath): a JWT (its dots split the random run), "Bearer <key>" or a key
  // with a stray space pasted into COPILOT_PROVIDER_API_KEY_FILE was echoed whole in the selection's reasons
  // and in the "does not exist" problem. showKeyFilePath now hides JWT parts, Authorization schemes, odd
  // whitespace and mixed runs of 16+ letters and digits.
  it("a bearer token or a spaced key pasted into COPILOT_PROVIDER_API_KEY_FILE is not echoed", () => {
    const key = "ed8737da362e826b0a5193734c67ef59";
    const jwt = `eyJhbGciOiJSUzI1NiJ9.${Buffer.from(`{"aud":"${key}"}`).toString("base64url")}.${key}`;
    for (const value of [jwt, `Bearer ${key}`, `${key.slice(0, 16)} ${key.slice(16)}`]) {
      const env = {
        AZURE_OPENAI_ENDPOINT: "https://res.openai.azure.com",
        COPILOT_PROVIDER_API_KEY_FILE: value,
      };
      const reasons = selectProviderConfigSource(env, MODULES).reasons.join("\n");
      expect(reasons).not.toContain(key.slice(0, 16));
      expect(reasons).not.toContain(key.slice(16));
    }
  });

  // Was a bug (azure-entra detection): an invalid COPILOT_PROVIDER_TOKEN_SCOPE was reported without its value
  // by readProviderEnv, then echoed twice by azureEntraModule's audience check ("token scope <value> gives
  // tokens for the audience <value> …"). scopeAudienceProblem now skips a value that is not a scope URI, and
  // the detection's reasons show such a value by its length only.
  it("a key pasted into COPILOT_PROVIDER_TOKEN_SCOPE is not echoed", () => {
    const key = "sk-f4a0aca02ae7fd78ab9c59b6dd724b91";
    const env = {
      AZURE_AI_FOUNDRY_RESOURCE_URL: "https://res.services.ai.azure.com",
      COPILOT_PROVIDER_TOKEN_SCOPE: key,
    };
    const error = (() => {
      try {
        selectProviderConfigSource(env, MODULES);
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(ConfigurationError);
    expect((error as ConfigurationError).message).not.toContain(key);
  });
});

// Issue 16 (9): the model, the deployment (wire model) and the scope were echoed wherever they showed: in
// `doctor --json` (provider.model, source.modelId, facts.wireModel, …), in reasons and in errors ("waiting for a
// token for api://app/.default?code=<key>"). The checks above read only reasons and problems; these read every
// output of the doctor (the report object, its text, its --json) and every source's describe(), for generated
// environments that also put secrets into the model, the deployment and the scope (its query, its fragment, its
// user info).

/** A scope URI that carries a secret: in its query, its fragment or its user info. */
const scopeWithSecret = (m: string) =>
  fc.constantFrom(
    `api://app/.default?code=${m}`,
    `https://cognitiveservices.azure.com/.default?sig=${m}`,
    `https://cognitiveservices.azure.com/.default#${m}`,
    `https://user:${m}@cognitiveservices.azure.com/.default`,
  );

/** `environment`, with the model, the deployment and the scope often secret-bearing. */
const environmentWithSettingSecrets = environment.chain(({ marker: m, env }) =>
  fc
    .record({
      COPILOT_PROVIDER_MODEL_ID: sometimes(fc.oneof(fc.constantFrom("gpt-4.1", "o3"), secretShape(m)), 40),
      COPILOT_PROVIDER_WIRE_MODEL: sometimes(fc.oneof(fc.constantFrom("my-deployment"), secretShape(m)), 40),
      COPILOT_PROVIDER_TOKEN_SCOPE: sometimes(fc.oneof(scopeWithSecret(m), secretShape(m)), 40),
    })
    .map((extra) => ({ marker: m, env: { ...env, ...defined(extra) } })),
);

/** A token for any scope, at once: the doctor's azure-entra source asks no network. Its claims hold no secret. */
const instantCredential = {
  getToken: async () => ({
    token: `eyJhbGciOiJub25lIn0.${Buffer.from(
      JSON.stringify({ aud: "https://cognitiveservices.azure.com", tid: "t", oid: "o", exp: 4102444800 }),
    ).toString("base64url")}.`,
    expiresOnTimestamp: Date.now() + 3_600_000,
  }),
};
const DOCTOR_MODULES = [staticKeyModule, createAzureEntraModule({ credential: instantCredential })] as const;

describe("generated environments: the doctor's outputs and describe()", () => {
  it("runDoctor's report, its text and its --json never hold a secret", async () => {
    let reports = 0;
    await fc.assert(
      fc.asyncProperty(environmentWithSettingSecrets, async ({ marker: m, env }) => {
        const report = await runDoctor({ env, modules: DOCTOR_MODULES, timeoutMs: 5_000 });
        reports++;
        const outputs = [
          JSON.stringify(report, null, 2),
          inspect(report, { depth: 20 }),
          formatDoctorReport(report).join("\n"),
        ];
        const leak = leaked(outputs, m);
        expect(leak, `the doctor's output holds the secret: ${leak}`).toBeUndefined();
      }),
      { numRuns: 1_500 },
    );
    expect(reports).toBe(1_500);
  }, 120_000);

  // Fixed (core describeProvider, azure-entra): describe() returned the model, the deployment and the scope as
  // given, and util.inspect / JSON.stringify of a source render its describe(); now through showModelName and
  // showScope, as the doctor shows them.
  it("describe() of a created source, and its renderings, never hold a secret", () => {
    fc.assert(
      fc.property(environmentWithSettingSecrets, ({ marker: m, env }) => {
        let selection: Selection;
        try {
          selection = selectProviderConfigSource(env, MODULES);
        } catch (error) {
          if (error instanceof ConfigurationError) return;
          throw error;
        }
        let source: ReturnType<Selection["module"]["create"]>;
        try {
          source = selection.module.create({ env, selection, logger: silentLogger });
        } catch (error) {
          if (error instanceof ConfigurationError) return;
          throw error;
        }
        try {
          const outputs = [
            JSON.stringify(source.describe()),
            inspect(source, { depth: 20 }),
            JSON.stringify(source),
          ];
          const leak = leaked(outputs, m);
          expect(leak, `describe() holds the secret: ${leak}`).toBeUndefined();
        } finally {
          void source.dispose?.();
        }
      }),
      { numRuns: 3_000 },
    );
  });

  // Fixed (azure-entra): its detection showed a scope URI as given ("token scope api://app/.default?code=<secret>
  // (from COPILOT_PROVIDER_TOKEN_SCOPE)") and so did its audience problem; now through showScope.
  it("selection's reasons and errors never hold a secret of the model, the deployment or the scope", () => {
    fc.assert(
      fc.property(environmentWithSettingSecrets, ({ marker: m, env }) => {
        let messages: string[];
        try {
          const selection = selectProviderConfigSource(env, MODULES);
          messages = [...selection.reasons, inspect(selection, { depth: 10 })];
        } catch (error) {
          if (!(error instanceof ConfigurationError)) throw error;
          messages = messagesOf(error);
        }
        const leak = leaked(messages, m);
        expect(leak, `a message holds the secret: ${leak}`).toBeUndefined();
      }),
      { numRuns: 3_000 },
    );
  });
});
