import { type Env, type ProviderCredential, REDACTED, redactText, redactUrl } from "@copilot-byok/core";
import { checkCredentialUrl } from "@copilot-byok/core/plugin";
import type { ProviderConfig } from "@github/copilot-sdk";
import { untilAborted } from "./deadline.js";
import { fetchThroughProxy, proxyFor } from "./fetchThroughProxy.js";

/** The outcome of one minimal model request. */
export interface ProbeResult {
  readonly ok: boolean;
  readonly url: string;
  readonly status?: number;
  /**
   * The provider's own error message, redacted, cut to 500 characters ("… (N more characters)"); at most
   * 16 KiB of the body are read.
   */
  readonly message?: string;
  /** What to do about it, for a person. */
  readonly advice?: string;
  readonly retryAfterSeconds?: number;
  /**
   * Why the provider may have refused the credential, for a 401 or a 403: the source's own sentences
   * (`explainRejection` of {@link ProbeOptions}) about the credential the probe sent, masked like the message.
   */
  readonly explanation?: readonly string[];
  readonly durationMs: number;
  /**
   * Why no request was sent, when the probe cannot speak the provider's API (a type it does not know): neither
   * success nor failure of the provider. `ok` is `false`, `status` absent.
   */
  readonly notProbed?: string;
}

export interface ProbeOptions {
  readonly model: string;
  /** Where `HTTPS_PROXY` / `NO_PROXY` are read (the request goes through the proxy as the runtime's do). Default `process.env`. */
  readonly env?: Env;
  readonly timeoutMs: number;
  readonly signal?: AbortSignal;
  /** The identity's object id, for role-assignment advice. */
  readonly objectId?: string;
  /** The token's audience, for 401 advice. */
  readonly audience?: string;
  /** What the credential is: an API key (possibly sent as a bearer) or an Entra token. Default: guessed from the config. */
  readonly credentialKind?: "key" | "token";
  /**
   * Settings a key may have been pasted into (the model, the deployment, the scope) with their safe renderings:
   * replaced by those before the provider's message is cut, and masked wherever else they show.
   */
  readonly settings?: readonly { readonly value: string; readonly shown: string }[];
  /**
   * The source's `explainRejection`: asked, when the provider answers 401 or 403, about the credential the probe
   * sent (`kind` `bearer` for a token, `api-key` for a key); its lines become the result's `explanation`, with
   * every secret the probe sent masked. One that throws gives no explanation.
   */
  readonly explainRejection?: (credential: ProviderCredential, status: number) => readonly string[];
}

const ROLE = "Cognitive Services OpenAI User";
/**
 * Claude on Foundry is a partner model (data actions `Microsoft.CognitiveServices/accounts/MaaS/*`), which
 * "Cognitive Services OpenAI User" does not grant: Microsoft's Entra ID guide for Foundry Models names this role.
 */
const CLAUDE_ROLE = "Cognitive Services User";
/** The Messages API version every request names (`anthropic-version`), as the runtime sends it. */
export const ANTHROPIC_VERSION = "2023-06-01";
/** The provider types the probe speaks to. */
const PROBED_TYPES: readonly string[] = ["openai", "azure", "anthropic"];

/**
 * Sends one minimal model request the way the Copilot runtime would, and turns failures into advice:
 * `openai` and `azure`: a Responses or Chat Completions request (`azure`: at `<base>/openai/v1/`, key in
 * `api-key`); `anthropic`: a Messages request at `<base>/v1/messages` (Claude on Azure AI Foundry:
 * `<resource>/anthropic/v1/messages`) with `anthropic-version`, a key in `x-api-key`. Another type is not
 * probed (`notProbed` says why).
 * The credential it sends (API key, bearer token) is masked wherever it shows in the result, e.g. a
 * provider answering "Incorrect API key provided: <key>".
 */
export async function probeProvider(config: ProviderConfig, options: ProbeOptions): Promise<ProbeResult> {
  const started = Date.now();
  const type = config.type ?? "openai";
  const wireApi = config.wireApi ?? "completions";
  /**
   * Every secret this probe has or sends (the bearer token provider's token is added once fetched): masked
   * before anything is cut. (The settings given in `options.settings` are replaced by their renderings.)
   */
  const sent = [config.apiKey, config.bearerToken, ...Object.values(config.headers ?? {})].filter(
    (s): s is string => typeof s === "string" && s.length > 0,
  );
  if (!PROBED_TYPES.includes(type)) {
    return scrubResult(
      {
        ok: false,
        url: config.baseUrl,
        notProbed: `the provider type ${showType(type)} is not one the probe speaks (${PROBED_TYPES.join(", ")}): no request was sent`,
        durationMs: 0,
      },
      sent,
      options.settings,
    );
  }
  // The plaintext guard of the session factory: a credential never goes to http:// on another host.
  const plaintext = checkCredentialUrl("the provider base URL", config.baseUrl);
  if (plaintext.length > 0) {
    return scrubResult(
      { ok: false, url: config.baseUrl, advice: `not sent: ${plaintext.join("; ")}`, durationMs: 0 },
      sent,
      options.settings,
    );
  }
  // The paths the runtime sends to: the Anthropic SDK appends /v1/messages to the base URL.
  const path =
    type === "anthropic" ? "v1/messages" : wireApi === "responses" ? "responses" : "chat/completions";
  const base =
    type === "azure" ? `${config.baseUrl.replace(/\/+$/, "")}/openai/v1/` : withSlash(config.baseUrl);
  const url = new URL(path, base).href;
  // A plain controller and timer (cleared below), not AbortSignal.any(AbortSignal.timeout(…)): on Node 20 a
  // timeout signal held only by AbortSignal.any can be garbage-collected and never fire.
  const controller = new AbortController();
  const timer = setTimeout(
    () => controller.abort(new Error(`no answer within ${options.timeoutMs} ms`)),
    options.timeoutMs,
  );
  const onCallerAbort = () => controller.abort(options.signal?.reason);
  options.signal?.addEventListener("abort", onCallerAbort, { once: true });
  if (options.signal?.aborted) onCallerAbort();
  const signal = controller.signal;
  try {
    return scrubResult(
      await probe(config, options, type, wireApi, url, signal, started, sent),
      sent,
      options.settings,
    );
  } finally {
    clearTimeout(timer);
    options.signal?.removeEventListener("abort", onCallerAbort);
  }
}

async function probe(
  config: ProviderConfig,
  options: ProbeOptions,
  type: string,
  wireApi: string,
  url: string,
  signal: AbortSignal,
  started: number,
  sent: string[],
): Promise<ProbeResult> {
  let credential: Credential;
  try {
    // Raced against the signal: a bearer token provider that never answers (or ignores signals) must not
    // hold the probe past its timeout.
    credential = await untilAborted(credentialHeaders(config, type), signal);
    if (credential.secret) sent.push(credential.secret);
  } catch (error) {
    if (signal.aborted) {
      return {
        ok: false,
        url,
        message: `${abortMessage(signal)} (getting the token for the request)`,
        advice: "the credential did not answer in time: see the token section above",
        durationMs: Date.now() - started,
      };
    }
    return {
      ok: false,
      url,
      message: redactText(error instanceof Error ? error.message : String(error)),
      advice: "no credential could be had for the request: see the token section above",
      durationMs: Date.now() - started,
    };
  }
  const body =
    type === "anthropic" || wireApi !== "responses"
      ? { model: options.model, messages: [{ role: "user", content: "ping" }], max_tokens: 16 }
      : { model: options.model, input: "ping", max_output_tokens: 16, store: false };
  const protocolHeaders: Record<string, string> =
    type === "anthropic" ? { "anthropic-version": ANTHROPIC_VERSION } : {};

  let response: Response;
  try {
    response = await fetchThroughProxy(
      url,
      {
        method: "POST",
        headers: {
          "content-type": "application/json",
          ...protocolHeaders,
          ...config.headers,
          ...credential.headers,
        },
        body: JSON.stringify(body),
        // Never followed: the request carries the key or token, and a redirect would take it to the new
        // location (undici drops only Authorization across origins, not api-key or custom headers).
        redirect: "manual",
        signal,
      },
      options.env ?? process.env,
    );
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause?.code;
    return {
      ok: false,
      url,
      message: signal.aborted ? abortMessage(signal) : `request failed${cause ? ` (${cause})` : ""}`,
      advice: throughProxy(
        unreachableAdvice(new URL(url).host, signal.aborted ? undefined : cause),
        proxyFor(url, options.env ?? process.env),
      ),
      durationMs: Date.now() - started,
    };
  }
  if (response.status >= 300 && response.status < 400) {
    await response.body?.cancel().catch(() => undefined);
    const target = redirectTarget(response.headers.get("location"), url);
    return {
      ok: false,
      url,
      status: response.status,
      message: `redirected to ${target}`,
      advice: `the provider redirected the request to ${target} (HTTP ${response.status}); the probe does not follow redirects, which would carry the key or token there: point the base URL at the final endpoint`,
      durationMs: Date.now() - started,
    };
  }
  if (response.ok) {
    await response.body?.cancel().catch(() => undefined);
    return { ok: true, url, status: response.status, durationMs: Date.now() - started };
  }
  const read = await readCapped(response, MAX_BODY_BYTES);
  const durationMs = Date.now() - started;

  // Masked before the message is extracted and cut, so no part of a secret survives a cut. A body cut at the
  // byte limit may end in the first characters of a secret the probe sent: that tail is dropped.
  let text = read.text;
  const settings = [...(options.settings ?? [])].sort((a, b) => b.value.length - a.value.length);
  for (const { value, shown } of settings) text = text.split(value).join(shown);
  text = redactSecrets(text, sent);
  if (read.cut)
    text = text.slice(0, Math.max(0, text.length - Math.max(0, ...sent.map((s) => s.length * 3))));
  const extracted = errorMessage(text);
  const message = extracted
    ? cutMessage(redactText(extracted), read.cut)
    : read.cut
      ? `${response.statusText} (${CUT_NOTE[read.cut]})`
      : response.statusText;
  const retryAfterSeconds = retryAfter(response.headers);
  const explanation = explainRejection(options, credential, response.status);
  return {
    ok: false,
    url,
    status: response.status,
    message,
    advice: advise(
      response.status,
      options.credentialKind ?? (credential.kind === "bearer" ? "token" : "key"),
      options,
      url,
      type,
      retryAfterSeconds,
    ),
    ...(retryAfterSeconds !== undefined ? { retryAfterSeconds } : {}),
    ...(explanation.length > 0 ? { explanation } : {}),
    durationMs,
  };
}

/** At most this many lines of a source's explanation are kept (never cut: a cut could leave part of a secret unmasked). */
const MAX_EXPLANATION_LINES = 10;

/**
 * The source's explanation of a 401 or 403 for the credential the probe sent: its non-empty lines (masked later,
 * with the rest of the result). Empty for another status, without a credential, or when it throws.
 */
function explainRejection(options: ProbeOptions, credential: Credential, status: number): string[] {
  const explain = options.explainRejection;
  if ((status !== 401 && status !== 403) || !explain || !credential.secret) return [];
  // The value is kept out of rendering (not enumerable): a source that logs the credential logs its kind only.
  const refused = Object.defineProperty(
    { kind: credential.kind === "bearer" ? ("bearer" as const) : ("api-key" as const) },
    "value",
    { value: credential.secret, enumerable: false },
  ) as ProviderCredential;
  let lines: unknown;
  try {
    lines = explain(refused, status);
  } catch {
    return [];
  }
  if (!Array.isArray(lines)) return [];
  return lines
    .map((line) => String(line).trim())
    .filter((line) => line !== "")
    .slice(0, MAX_EXPLANATION_LINES);
}

/** At most this much of an error body is read; the rest is cancelled. */
const MAX_BODY_BYTES = 16 * 1024;
/** At most this much of the provider's message is shown. */
const MAX_MESSAGE_CHARS = 500;

const CUT_NOTE = {
  limit: `the body cut at ${MAX_BODY_BYTES / 1024} KiB`,
  broken: "the body broke off",
} as const;

/**
 * The first `max` bytes of the body (UTF-8), the rest cancelled. `cut`: `limit` when there was more,
 * `broken` when the body broke off (the timeout, a reset).
 */
async function readCapped(
  response: Response,
  max: number,
): Promise<{ text: string; cut: keyof typeof CUT_NOTE | undefined }> {
  const reader = response.body?.getReader();
  if (!reader) return { text: "", cut: undefined };
  const chunks: Uint8Array[] = [];
  let size = 0;
  let cut: keyof typeof CUT_NOTE | undefined;
  try {
    while (size <= max) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      size += value.byteLength;
    }
    if (size > max) cut = "limit";
  } catch {
    cut = "broken";
  } finally {
    reader.cancel().catch(() => undefined);
  }
  const bytes = new Uint8Array(Math.min(size, max));
  let offset = 0;
  for (const chunk of chunks) {
    if (offset >= bytes.length) break;
    const part = chunk.subarray(0, bytes.length - offset);
    bytes.set(part, offset);
    offset += part.length;
  }
  return { text: new TextDecoder().decode(bytes), cut };
}

/** The message cut to {@link MAX_MESSAGE_CHARS}, saying how much more there was (and whether the body was cut). */
function cutMessage(message: string, bodyCut: keyof typeof CUT_NOTE | undefined): string {
  if (message.length <= MAX_MESSAGE_CHARS) return bodyCut ? `${message}… (${CUT_NOTE[bodyCut]})` : message;
  const more = message.length - MAX_MESSAGE_CHARS;
  return `${message.slice(0, MAX_MESSAGE_CHARS)}… (${more} more characters${bodyCut ? `, ${CUT_NOTE[bodyCut]}` : ""})`;
}

/** The origin a redirect points to, through redactUrl; never its path or query. */
function redirectTarget(location: string | null, url: string): string {
  if (!location) return "an unnamed location (no Location header)";
  try {
    return redactUrl(new URL(location, url).origin);
  } catch {
    return "an invalid location";
  }
}

function abortMessage(signal: AbortSignal): string {
  const reason: unknown = signal.reason;
  return reason instanceof Error && reason.name !== "AbortError" && reason.message
    ? reason.message
    : "aborted";
}

interface Credential {
  kind: "bearer" | "key";
  headers: Record<string, string>;
  /** The key or token the headers carry. */
  secret?: string;
}

async function credentialHeaders(config: ProviderConfig, type: string): Promise<Credential> {
  if (config.bearerTokenProvider) {
    const token = await config.bearerTokenProvider({
      providerName: "default",
      sessionId: "copilot-byok-doctor",
    });
    return { kind: "bearer", headers: { authorization: `Bearer ${token}` }, secret: token };
  }
  if (config.bearerToken) {
    const token = config.bearerToken;
    return { kind: "bearer", headers: { authorization: `Bearer ${token}` }, secret: token };
  }
  if (config.apiKey) {
    const key = config.apiKey;
    // As the runtime sends it: azure in api-key, anthropic in x-api-key, openai as a bearer.
    const header: Record<string, string> =
      type === "azure"
        ? { "api-key": key }
        : type === "anthropic"
          ? { "x-api-key": key }
          : { authorization: `Bearer ${key}` };
    return { kind: "key", headers: header, secret: key };
  }
  return { kind: "key", headers: {} };
}

function advise(
  status: number,
  kind: "token" | "key",
  options: ProbeOptions,
  url: string,
  type: string,
  retry?: number,
): string {
  const role = type === "anthropic" ? CLAUDE_ROLE : ROLE;
  switch (status) {
    case 401:
      return kind === "token"
        ? `the token was rejected: check that its audience${options.audience ? ` (${options.audience})` : ""} is the one the provider expects (Azure AI Foundry and Azure OpenAI expect https://cognitiveservices.azure.com on the public cloud, https://cognitiveservices.azure.us in Azure Government, https://cognitiveservices.azure.cn in Azure China; a Foundry project https://ai.azure.com), that it has not expired, and that its tenant is the resource's tenant`
        : "the key was rejected: check that it belongs to this resource and was not rotated (regenerated keys invalidate the old ones)";
    case 403:
      return kind === "token"
        ? `authenticated but not authorized: grant the identity${options.objectId ? ` (object id ${options.objectId})` : ""} the role "${role}" on the resource (az role assignment create --role "${role}" --assignee-object-id <oid> --scope <resource id>); new assignments take a few minutes`
        : "the key was accepted but access is denied: check the resource's network rules and whether key (local) authentication is disabled";
    case 404:
      return `unknown deployment or model "${options.model}", or wrong path: check COPILOT_PROVIDER_WIRE_MODEL (the deployment name), COPILOT_PROVIDER_MODEL_ID and the base URL (${url})`;
    case 429:
      return `throttled: retry after ${retry ?? "a few"} s, or raise the deployment's tokens-per-minute quota`;
    default:
      return status >= 500
        ? "the provider failed: retry later, check the service health"
        : `unexpected HTTP ${status}`;
  }
}

/**
 * The TLS errors of a certificate this process does not trust: what a TLS-intercepting proxy (or a provider
 * behind a private CA) presents, fixed by trusting that CA (`NODE_EXTRA_CA_CERTS`), not by DNS or a firewall.
 */
const UNTRUSTED_CERTIFICATE_CODES: readonly string[] = [
  "SELF_SIGNED_CERT_IN_CHAIN",
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "UNABLE_TO_GET_ISSUER_CERT",
  "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
  "CERT_UNTRUSTED",
  "CERT_SIGNATURE_FAILURE",
];
/** A certificate outside its validity period: a stale certificate somewhere on the path, or this machine's clock. */
const CERTIFICATE_DATE_CODES: readonly string[] = ["CERT_HAS_EXPIRED", "CERT_NOT_YET_VALID"];
/** Resolving the host name failed. */
const DNS_CODES: readonly string[] = ["ENOTFOUND", "EAI_AGAIN"];

/** The advice, and when the request went through a proxy, which one (its credentials hidden) to check too. */
function throughProxy(advice: string, proxy: { name: string; url: string } | undefined): string {
  if (!proxy) return advice;
  let shown: string;
  try {
    shown = redactUrl(new URL(proxy.url).href);
  } catch {
    return `${advice}; ${proxy.name} is set but is not a URL (expected e.g. http://proxy.example:8080): fix or unset it`;
  }
  return `${advice}; the request went through the proxy ${shown} (${proxy.name}): check that it is up and lets the request through, or list the host in NO_PROXY`;
}

/** What to do when no provider answered at `host`, by the network error's code. */
function unreachableAdvice(host: string, code: string | undefined): string {
  const why = code ? ` (${code})` : "";
  if (code && UNTRUSTED_CERTIFICATE_CODES.includes(code))
    return `could not reach ${host}: its TLS certificate is not trusted here${why}: most often a TLS-intercepting proxy (a corporate one) or a private CA signs it: trust that CA: set NODE_EXTRA_CA_CERTS=<path of its PEM certificate> before Node starts (it is read at start only); do not turn certificate checks off`;
  if (code && CERTIFICATE_DATE_CODES.includes(code))
    return `could not reach ${host}: the TLS certificate it presents is outside its validity period${why}: check this machine's clock; otherwise a TLS-intercepting proxy or a private CA serves an outdated certificate: have it renewed (NODE_EXTRA_CA_CERTS cannot help)`;
  if (code === "ERR_TLS_CERT_ALTNAME_INVALID")
    return `could not reach ${host}: the TLS certificate it presents is for another host name${why}: check the base URL's host; a TLS-intercepting proxy may be answering for it`;
  if (code && DNS_CODES.includes(code))
    return `could not reach ${host}: the host name does not resolve${why}: check the base URL for a typo, and DNS (a private endpoint needs its private DNS zone)`;
  if (code === "ECONNREFUSED")
    return `could not reach ${host}: the connection was refused${why}: check the base URL's host and port, and that the provider (or HTTPS_PROXY) is up`;
  return `could not reach ${host}${why}: check the base URL, DNS, firewall and private endpoint settings`;
}

/** Replaces every occurrence of each secret (as is and URL-encoded) in `text` with `[REDACTED]`. */
export function redactSecrets(text: string, secrets: readonly string[]): string {
  const forms = secrets
    .flatMap((secret) => [secret, encodeURIComponent(secret)])
    .filter((form) => form.length > 0)
    .sort((a, b) => b.length - a.length);
  let result = text;
  for (const form of forms) result = result.split(form).join(REDACTED);
  return result;
}

/** The result with the sent secrets masked in every text it holds, and redactText applied to them. */
function scrubResult(
  result: ProbeResult,
  secrets: readonly string[],
  settings: ProbeOptions["settings"] = [],
): ProbeResult {
  // Longest first: a value may contain another (`sk-<hex>` and `<hex>`).
  const longestFirst = [...settings].sort((a, b) => b.value.length - a.value.length);
  const rendered = (text: string) =>
    longestFirst.reduce((t, { value, shown }) => t.split(value).join(shown), text);
  const hide = (text: string) => redactText(redactSecrets(rendered(text), secrets));
  return {
    ...result,
    url: redactSecrets(result.url, secrets),
    ...(result.message !== undefined ? { message: hide(result.message) } : {}),
    ...(result.advice !== undefined ? { advice: hide(result.advice) } : {}),
    ...(result.explanation !== undefined ? { explanation: result.explanation.map(hide) } : {}),
  };
}

function errorMessage(text: string): string | undefined {
  try {
    const body = JSON.parse(text) as {
      error?: { message?: string; code?: string } | string;
      message?: string;
    };
    if (typeof body.error === "string") return body.error;
    const message = body.error?.message ?? body.message;
    return typeof message === "string" ? message : undefined;
  } catch {
    return partialJsonMessage(text) ?? (text || undefined);
  }
}

/**
 * The start of the `"message"` (or `"error"`) string of a JSON body cut short: the characters up to the
 * closing quote or the end of the text, escapes decoded. Undefined when the text does not look like JSON.
 */
function partialJsonMessage(text: string): string | undefined {
  if (!text.trimStart().startsWith("{")) return undefined;
  const match = /"(?:message|error)"\s*:\s*"/.exec(text);
  if (!match) return undefined;
  let out = "";
  for (let i = match.index + match[0].length; i < text.length; i++) {
    const c = text[i] as string;
    if (c === '"') break;
    if (c !== "\\") {
      out += c;
      continue;
    }
    const next = text[++i];
    if (next === undefined) break;
    if (next === "u") {
      const hex = text.slice(i + 1, i + 5);
      if (!/^[0-9a-fA-F]{4}$/.test(hex)) break;
      out += String.fromCharCode(Number.parseInt(hex, 16));
      i += 4;
    } else out += ({ n: "\n", r: "\r", t: "\t", b: "\b", f: "\f" } as Record<string, string>)[next] ?? next;
  }
  return out;
}

function retryAfter(headers: Headers): number | undefined {
  const ms = headers.get("retry-after-ms");
  if (ms && Number.isFinite(Number(ms))) return Math.ceil(Number(ms) / 1000);
  const value = headers.get("retry-after");
  if (!value) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim());
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, Math.ceil((date - Date.now()) / 1000));
}

/** A type name as shown: a plain word as is, anything else (a pasted value?) by its length only. */
function showType(type: string): string {
  return /^[a-z][a-z0-9-]{0,23}$/i.test(type) ? `"${type}"` : `of ${type.length} characters (not shown)`;
}

function withSlash(url: string): string {
  return url.endsWith("/") ? url : `${url}/`;
}
