// A third mode in a page of plain JavaScript, loaded by the doctor with --module in the CLI's tests: a "test
// broker" (a sidecar, say) hands the process a bearer token in TEST_BROKER_TOKEN, with its claims beside it.
// It imports nothing from copilot-byok so that it loads as it is, without a build; a real plug-in would use
// @copilot-byok/core/plugin (readProviderEnv for the endpoint, fingerprint, ConfigurationError).
import { createHash } from "node:crypto";

const TOKEN = "TEST_BROKER_TOKEN";
const DEFAULT_SCOPE = "api://test-broker/.default";

export const testBrokerModule = {
  mode: "test-broker",
  detect(env) {
    if (!env[TOKEN]) return { applicable: false, reasons: [`${TOKEN} is not set`] };
    return {
      applicable: true,
      strength: "explicit",
      reasons: [`${TOKEN} is set: the test broker's token is used`],
      summary: `a test broker token (${TOKEN})`,
    };
  },
  create({ env }) {
    return new TestBrokerSource(env);
  },
};

class TestBrokerSource {
  mode = "test-broker";
  #token;
  #baseUrl;
  #scope;
  #audience;
  #expiresOn;

  constructor(env) {
    this.#token = env[TOKEN];
    this.#baseUrl = env.COPILOT_PROVIDER_BASE_URL ?? "http://127.0.0.1:9/openai/v1/";
    this.#scope = env.TEST_BROKER_SCOPE ?? DEFAULT_SCOPE;
    this.#audience = env.TEST_BROKER_AUDIENCE ?? "api://test-broker";
    this.#expiresOn = env.TEST_BROKER_EXPIRES_ON ?? new Date(Date.now() + 3_600_000).toISOString();
  }

  async getProviderConfig() {
    return {
      type: "openai",
      wireApi: "responses",
      baseUrl: this.#baseUrl,
      bearerTokenProvider: this.#current,
    };
  }

  async getCredential() {
    return { kind: "bearer", value: this.#token };
  }

  describe() {
    return {
      mode: this.mode,
      baseUrl: this.#baseUrl,
      credential: "TestBrokerCredential",
      tokenVariable: TOKEN,
    };
  }

  async diagnose() {
    const audienceMatchesScope = this.#scope.replace(/\/\.default$/, "") === this.#audience;
    const expired = Date.parse(this.#expiresOn) <= Date.now();
    return {
      credentialKind: "bearer",
      facts: {
        credential: "TestBrokerCredential",
        "answered by": "broker replica b",
        scope: this.#scope,
        "token variable": TOKEN,
        fingerprint: `sha256:${createHash("sha256").update(this.#token).digest("hex").slice(0, 8)}`,
        "allowed tenants": ["contoso", "fabrikam"],
        renewals: 0,
      },
      token: {
        audience: this.#audience,
        audienceMatchesScope,
        tenantId: "7f3c1a2b-0000-4000-8000-00000000beef",
        objectId: "5e6d7c8b-0000-4000-8000-00000000cafe",
        appId: "0a1b2c3d-0000-4000-8000-00000000f00d",
        expiresOn: this.#expiresOn,
      },
      ...(this.#baseUrl.startsWith("http:")
        ? { warnings: ["the provider is reached over plain http: fine for an emulator, not for production"] }
        : {}),
      ...(!audienceMatchesScope || expired
        ? {
            problems: [
              ...(audienceMatchesScope
                ? []
                : [`the token's audience ${this.#audience} does not match the scope ${this.#scope}`]),
              ...(expired ? ["the broker's token has expired"] : []),
            ],
          }
        : {}),
    };
  }

  dispose() {}

  #current = async () => this.#token;
}
