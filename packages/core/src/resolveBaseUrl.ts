import { credentialTransport } from "./credentialTransport.js";
import { COPILOT_PROVIDER_BASE_URL, COPILOT_PROVIDER_TYPE } from "./envNames.js";
import { redactUrl } from "./redact.js";

/** The outcome of {@link resolveBaseUrl}: a base URL, or the problems with the value (never the value itself if it could be a secret). */
export type BaseUrlResolution =
  | { readonly baseUrl: string; readonly problems: [] }
  | { readonly baseUrl?: undefined; readonly problems: string[] };

const OPENAI_V1 = "/openai/v1/";
/** Where Azure AI Foundry serves Claude: the runtime (the Anthropic SDK) appends `/v1/messages`. */
const ANTHROPIC = "/anthropic";

/**
 * Turns the value of a base URL variable into the provider base URL.
 * - `COPILOT_PROVIDER_BASE_URL` is used as is.
 * - A resource URL (`AZURE_AI_FOUNDRY_RESOURCE_URL`, `AZURE_OPENAI_ENDPOINT`) becomes, by `type`:
 *   - `openai` (default): `<url>/openai/v1/`; a URL already ending in `/openai/v1` (or `/openai`) is not doubled;
 *   - `azure`: the resource root, since the runtime appends `/openai/v1/` itself;
 *   - `anthropic`: `<resource root>/anthropic`, Foundry's Claude endpoint, since the runtime appends
 *     `/v1/messages` (so it sends `POST /anthropic/v1/messages`); a URL already ending in `/anthropic`,
 *     `/anthropic/v1` or `/anthropic/v1/messages` (or `/openai/v1`) gives the same.
 *   Trailing slashes are handled. A resource URL ending in `/anthropic` with another type is a problem: the
 *   runtime would send an OpenAI request to the Claude endpoint.
 * `label` names the value in messages (default: `variable`), e.g. an option name.
 * `http://` is accepted for loopback hosts only: keys and bearer tokens never cross a network in clear.
 */
export function resolveBaseUrl(
  variable: string,
  value: string,
  options: { type?: string; label?: string } = {},
): BaseUrlResolution {
  const name = options.label ?? variable;
  const trimmed = value.trim();
  if (trimmed === "") return { problems: [`${name} is set but empty: unset it or set an https:// URL`] };
  let url: URL;
  try {
    url = new URL(trimmed);
  } catch {
    return {
      problems: [
        `${name} is not a valid absolute URL (value of ${trimmed.length} characters not shown): expected e.g. https://<resource>.services.ai.azure.com`,
      ],
    };
  }
  const problems: string[] = [];
  const transport = credentialTransport(url);
  if (transport === "unsupported") {
    problems.push(`${name} must use https:// (or http:// for a loopback host), not ${url.protocol}//`);
  } else if (transport === "plaintext") {
    problems.push(
      `${name} uses http:// with the non-loopback host ${url.hostname}: keys and bearer tokens would cross the network in clear; use https:// (http:// is accepted only for localhost, 127.0.0.0/8 and ::1)`,
    );
  }
  if (url.username || url.password) {
    problems.push(`${name} must not carry user info (credentials) in the URL: ${redactUrl(url)}`);
  }
  if (variable !== COPILOT_PROVIDER_BASE_URL && (url.search || url.hash)) {
    // Origin and path only: a query or fragment may hold a key (`?code=<function key>`, `#access_token=…`).
    const hidden = url.search.length + url.hash.length;
    problems.push(
      `${name} is a resource URL and must not have a query or fragment: ${url.protocol}//${url.host}${url.pathname} (query/fragment of ${hidden} characters not shown); remove them`,
    );
  }
  if (
    variable !== COPILOT_PROVIDER_BASE_URL &&
    options.type !== "anthropic" &&
    ANTHROPIC_PATH.test(url.pathname)
  ) {
    problems.push(
      `${name} ends in /anthropic, Azure AI Foundry's endpoint for Claude, but the provider type is ${options.type ?? "openai"}: set ${COPILOT_PROVIDER_TYPE}=anthropic (type: "anthropic") for a Claude deployment, or give the resource URL (https://<resource>.services.ai.azure.com) for an OpenAI-compatible one`,
    );
  }
  if (problems.length > 0) return { problems };
  if (variable === COPILOT_PROVIDER_BASE_URL) return { baseUrl: trimmed, problems: [] };
  const baseUrl =
    options.type === "azure"
      ? toResourceRoot(url)
      : options.type === "anthropic"
        ? `${toResourceRoot(url)}${ANTHROPIC}`
        : toOpenAiV1(url);
  return { baseUrl, problems: [] };
}

/** A path ending in Foundry's Claude endpoint, `/anthropic`, `/anthropic/v1` or `/anthropic/v1/messages`. */
const ANTHROPIC_PATH = /\/anthropic(\/v1(\/messages)?)?\/*$/i;

/**
 * The resource root: the path without trailing slashes and without the endpoint a resource URL may already
 * name (`/openai`, `/openai/v1`, `/anthropic`, `/anthropic/v1`, `/anthropic/v1/messages`). For `type: "azure"`
 * the runtime appends `/openai/v1/` itself: it wants the resource root.
 */
function toResourceRoot(url: URL): string {
  const path = url.pathname
    .replace(/\/+$/, "")
    .replace(/\/openai(\/v1)?$/i, "")
    .replace(ANTHROPIC_PATH, "");
  return `${url.origin}${path}`;
}

function toOpenAiV1(url: URL): string {
  const path = url.pathname.replace(/\/+$/, "");
  const origin = url.origin;
  if (/\/openai\/v1$/i.test(path)) return `${origin}${path}/`;
  if (/\/openai$/i.test(path)) return `${origin}${path}/v1/`;
  return `${origin}${path}${OPENAI_V1}`;
}
