import {
  ConfigurationError,
  checkCredentialUrl,
  createProviderConfigSource,
  type Env,
  type ProviderConfigSourceModule,
  providerSettingsFromEnv,
  RefreshingCache,
  redactUrl,
} from "@copilot-byok/core/plugin";

/** Where the broker answers `GET` with `{ "access_token": "…", "expires_on": <seconds since the epoch> }`. */
export const TOKEN_BROKER_URL = "TOKEN_BROKER_URL";

/** Asks the broker for a token; the cache calls this once per refresh, with a signal that bounds it. */
async function fetchToken(url: string, signal: AbortSignal) {
  const response = await fetch(url, { signal, headers: { accept: "application/json" } });
  if (!response.ok) throw new Error(`the token broker answered HTTP ${response.status}`);
  const body = (await response.json()) as { access_token?: unknown; expires_on?: unknown };
  if (typeof body.access_token !== "string" || typeof body.expires_on !== "number")
    throw new Error("the token broker's answer has no access_token and expires_on");
  return { value: body.access_token, expiresOnTimestamp: body.expires_on * 1000 };
}

const brokerUrl = (env: Env) => env[TOKEN_BROKER_URL]?.trim() || undefined;
const problemsOf = (env: Env) => [
  ...providerSettingsFromEnv(env).problems,
  ...checkCredentialUrl(TOKEN_BROKER_URL, brokerUrl(env)),
];

/** A plug-in mode: bearer tokens from a token broker, chosen by `auto` when TOKEN_BROKER_URL is set. */
export const tokenBrokerModule: ProviderConfigSourceModule = {
  mode: "token-broker",
  origin: "tokenBrokerModule from examples/custom-source",
  detect: (env) => ({
    applicable: brokerUrl(env) !== undefined,
    strength: "explicit",
    reasons: [
      `${TOKEN_BROKER_URL} ${brokerUrl(env) ? "is set: tokens come from that broker" : "is not set"}`,
    ],
    summary: `a token broker (${TOKEN_BROKER_URL})`,
    problems: problemsOf(env),
  }),
  create({ env, logger }) {
    const { settings } = providerSettingsFromEnv(env);
    const url = brokerUrl(env);
    if (!settings || !url) throw new ConfigurationError(problemsOf(env));
    const fetch = ({ signal }: { signal: AbortSignal }) => fetchToken(url, signal);
    const cache = new RefreshingCache({ name: "token broker", noun: "token", fetch, logger });
    const facts = () => ({ broker: redactUrl(url) });
    return createProviderConfigSource({
      mode: "token-broker",
      provider: settings,
      credentialKind: "bearer",
      credential: cache,
      facts,
    });
  },
};
