import { REDACTED, redactText } from "@copilot-byok/core";
import type { ProviderConfig } from "@github/copilot-sdk";

/** The outcome of one minimal model request. */
export interface ProbeResult {
  readonly ok: boolean;
  readonly url: string;
  readonly status?: number;
  /** The provider's own error message, redacted. */
  readonly message?: string;
  /** What to do about it, for a person. */
  readonly advice?: string;
  readonly retryAfterSeconds?: number;
  readonly durationMs: number;
}

export interface ProbeOptions {
  readonly model: string;
  readonly timeoutMs: number;
  readonly signal?: AbortSignal;
  /** The identity's object id, for role-assignment advice. */
  readonly objectId?: string;
  /** The token's audience, for 401 advice. */
  readonly audience?: string;
  /** What the credential is: an API key (possibly sent as a bearer) or an Entra token. Default: guessed from the config. */
  readonly credentialKind?: "key" | "token";
}

const ROLE = "Cognitive Services OpenAI User";

/**
 * Sends one minimal model request the way the Copilot runtime would, and turns failures into advice.
 * The credential it sends (API key, bearer token) is masked wherever it shows in the result, e.g. a
 * provider answering "Incorrect API key provided: <key>".
 */
export async function probeProvider(config: ProviderConfig, options: ProbeOptions): Promise<ProbeResult> {
  const started = Date.now();
  const type = config.type ?? "openai";
  const wireApi = config.wireApi ?? "completions";
  /** Every secret this probe has or sends; the bearer token provider's token is added once fetched. */
  const sent = [config.apiKey, config.bearerToken].filter((s): s is string => typeof s === "string");
  if (type === "anthropic") {
    return scrubResult(
      {
        ok: false,
        url: config.baseUrl,
        advice: "--probe supports openai and azure providers only",
        durationMs: 0,
      },
      sent,
    );
  }
  const path = wireApi === "responses" ? "responses" : "chat/completions";
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
    return scrubResult(await probe(config, options, type, wireApi, url, signal, started, sent), sent);
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
    credential = await credentialHeaders(config, type);
    if (credential.secret) sent.push(credential.secret);
  } catch (error) {
    return {
      ok: false,
      url,
      message: redactText(error instanceof Error ? error.message : String(error)),
      advice: "no credential could be had for the request: see the token section above",
      durationMs: Date.now() - started,
    };
  }
  const body =
    wireApi === "responses"
      ? { model: options.model, input: "ping", max_output_tokens: 16, store: false }
      : { model: options.model, messages: [{ role: "user", content: "ping" }], max_tokens: 16 };

  let response: Response;
  try {
    response = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json", ...credential.headers },
      body: JSON.stringify(body),
      signal,
    });
  } catch (error) {
    const timedOut = signal.aborted && !options.signal?.aborted;
    const cause = (error as { cause?: { code?: string } }).cause?.code;
    return {
      ok: false,
      url,
      message: timedOut
        ? `no answer within ${options.timeoutMs} ms`
        : `request failed${cause ? ` (${cause})` : ""}`,
      advice: `could not reach ${new URL(url).host}: check the base URL, DNS, firewall and private endpoint settings`,
      durationMs: Date.now() - started,
    };
  }
  const text = await response.text().catch(() => "");
  const durationMs = Date.now() - started;
  if (response.ok) return { ok: true, url, status: response.status, durationMs };

  // Masked before errorMessage shortens a non-JSON body, so no part of a secret survives the cut.
  const message = redactText(errorMessage(redactSecrets(text, sent)) ?? response.statusText);
  const retryAfterSeconds = retryAfter(response.headers);
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
      retryAfterSeconds,
    ),
    ...(retryAfterSeconds !== undefined ? { retryAfterSeconds } : {}),
    durationMs,
  };
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
    return type === "azure"
      ? { kind: "key", headers: { "api-key": key }, secret: key }
      : { kind: "key", headers: { authorization: `Bearer ${key}` }, secret: key };
  }
  return { kind: "key", headers: {} };
}

function advise(
  status: number,
  kind: "token" | "key",
  options: ProbeOptions,
  url: string,
  retry?: number,
): string {
  switch (status) {
    case 401:
      return kind === "token"
        ? `the token was rejected: check that its audience${options.audience ? ` (${options.audience})` : ""} is the one the provider expects (Azure AI Foundry and Azure OpenAI expect https://cognitiveservices.azure.com: scope https://cognitiveservices.azure.com/.default), that it has not expired, and that its tenant is the resource's tenant`
        : "the key was rejected: check that it belongs to this resource and was not rotated (regenerated keys invalidate the old ones)";
    case 403:
      return kind === "token"
        ? `authenticated but not authorized: grant the identity${options.objectId ? ` (object id ${options.objectId})` : ""} the role "${ROLE}" on the resource (az role assignment create --role "${ROLE}" --assignee-object-id <oid> --scope <resource id>); new assignments take a few minutes`
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
function scrubResult(result: ProbeResult, secrets: readonly string[]): ProbeResult {
  const hide = (text: string) => redactText(redactSecrets(text, secrets));
  return {
    ...result,
    url: redactSecrets(result.url, secrets),
    ...(result.message !== undefined ? { message: hide(result.message) } : {}),
    ...(result.advice !== undefined ? { advice: hide(result.advice) } : {}),
  };
}

function errorMessage(text: string): string | undefined {
  try {
    const body = JSON.parse(text) as {
      error?: { message?: string; code?: string } | string;
      message?: string;
    };
    if (typeof body.error === "string") return body.error;
    return body.error?.message ?? body.message;
  } catch {
    return text ? text.slice(0, 300) : undefined;
  }
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

function withSlash(url: string): string {
  return url.endsWith("/") ? url : `${url}/`;
}
