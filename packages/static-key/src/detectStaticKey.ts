import {
  API_KEY_VARIABLES,
  BASE_URL_VARIABLES,
  COPILOT_PROVIDER_API_KEY_FILE,
  type Detection,
  type Env,
  hasControlCharacters,
  isLoopbackHost,
  isSet,
  NO_ENDPOINT_PROBLEM,
  readProviderEnv,
  showValue,
} from "@copilot-byok/core/plugin";
import { checkApiKey } from "./checkApiKey.js";
import { credentialHeader, defaultKeyPerRequest } from "./keyDelivery.js";
import { showKeyFilePath } from "./showKeyFilePath.js";

/** The precedence of the key variables, as shown in reasons. */
export const KEY_PRECEDENCE = API_KEY_VARIABLES.join(" > ");

/**
 * The values `DefaultAzureCredential` (`@azure/identity` 4.13) accepts in `AZURE_TOKEN_CREDENTIALS`, compared
 * case-insensitively: the same list as azure-entra's `AZURE_TOKEN_CREDENTIALS_VALUES`, which this package does
 * not depend on.
 */
const AZURE_TOKEN_CREDENTIALS_ACCEPTED = [
  "dev",
  "prod",
  "EnvironmentCredential",
  "WorkloadIdentityCredential",
  "ManagedIdentityCredential",
  "VisualStudioCodeCredential",
  "AzureCliCredential",
  "AzurePowerShellCredential",
  "AzureDeveloperCliCredential",
];

/** Options of {@link detectStaticKey} that change what it reports. */
export interface DetectStaticKeyOptions {
  /** See `StaticKeyProviderConfigSourceOptions.keyPerRequest`. */
  keyPerRequest?: boolean;
}

/**
 * What the static-key mode sees in the environment. Pure: reads `env` only (a key file is not opened
 * here; its problems surface when the source is created).
 *
 * Applicable (strength `explicit`) when a key variable is set: `COPILOT_PROVIDER_API_KEY` >
 * `COPILOT_PROVIDER_API_KEY_FILE` > `AZURE_OPENAI_API_KEY`; the reasons name the variable that won
 * (and the ones it won over), with the key's fingerprint, never its value.
 */
export function detectStaticKey(env: Env, options: DetectStaticKeyOptions = {}): Detection {
  const set = API_KEY_VARIABLES.filter((name) => isSet(env, name));
  const winner = set[0];
  const { settings } = readProviderEnv(env);
  const problems: string[] = [];
  if (settings.baseUrl === undefined && !BASE_URL_VARIABLES.some((name) => isSet(env, name))) {
    problems.push(NO_ENDPOINT_PROBLEM);
  }
  if (winner === undefined) {
    problems.push(`no static key: set ${API_KEY_VARIABLES.join(", ")} (in that precedence)`);
    return {
      applicable: false,
      strength: "explicit",
      reasons: [`no static key variable set (${API_KEY_VARIABLES.join(", ")})`],
      problems,
    };
  }

  const reasons: string[] = [];
  const value = env[winner] ?? "";
  const localProvider = settings.baseUrl !== undefined && isLoopbackHost(new URL(settings.baseUrl).hostname);
  if (winner === COPILOT_PROVIDER_API_KEY_FILE) {
    const path = value.trim();
    if (hasControlCharacters(path)) {
      problems.push(`${winner} contains control characters: it must be the path of the key file`);
      reasons.push(`static key to be read from ${winner} (a key file)`);
    } else {
      const relative = /^([\\/]|[A-Za-z]:[\\/])/.test(path) ? "" : ", relative to the working directory";
      // Not "found": the file is not opened here, and may not exist (create() says so).
      reasons.push(`static key to be read from ${winner} (a key file: ${showKeyFilePath(path)}${relative})`);
    }
  } else {
    const check = checkApiKey(value, winner, { localProvider });
    reasons.push(`static key found in ${winner} (fingerprint ${check.fingerprint})`);
    problems.push(...check.problems);
    reasons.push(...check.warnings);
  }
  if (set.length > 1) {
    reasons.push(`${winner} wins over ${set.slice(1).join(" and ")} (precedence ${KEY_PRECEDENCE})`);
    // A variable that loses is not used, but a bad value there is a trap for whoever removes the winner.
    for (const loser of set.slice(1)) {
      if (loser === COPILOT_PROVIDER_API_KEY_FILE) continue; // not opened here
      const { problems: wrong } = checkApiKey(env[loser] ?? "", loser, { localProvider });
      if (wrong.length > 0) {
        reasons.push(
          `warning: ${loser} is not used (${winner} wins), but its value would be refused as a key: ${wrong.join("; ")}`,
        );
      }
    }
  }
  const restriction = env.AZURE_TOKEN_CREDENTIALS;
  if (
    restriction !== undefined &&
    restriction.trim() !== "" &&
    !AZURE_TOKEN_CREDENTIALS_ACCEPTED.some((v) => v.toLowerCase() === restriction.trim().toLowerCase())
  ) {
    reasons.push(
      `warning: AZURE_TOKEN_CREDENTIALS has ${showValue(restriction, AZURE_TOKEN_CREDENTIALS_ACCEPTED)}, which DefaultAzureCredential does not accept (use one of ${AZURE_TOKEN_CREDENTIALS_ACCEPTED.join(", ")}): not used in static-key mode, but azure-entra mode would refuse it`,
    );
  }
  const perRequest = options.keyPerRequest ?? defaultKeyPerRequest(settings.type);
  reasons.push(
    `the runtime sends the key in the "${credentialHeader(settings.type, perRequest)}" header (provider type ${settings.type}${perRequest ? ", read before each request" : ""})`,
  );
  return { applicable: true, strength: "explicit", summary: `a static key (${winner})`, reasons, problems };
}
