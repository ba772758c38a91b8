import { fingerprint } from "@copilot-byok/core/plugin";

/** Longest value accepted as an API key. Real keys are 32 to about 200 characters. */
export const MAX_API_KEY_LENGTH = 4096;
/**
 * Shortest value accepted as an API key. The shortest real formats are 32 characters (Azure OpenAI and Foundry
 * keys: 32 hex digits, the newer ones 84 characters; Mistral's 32); OpenAI (`sk-…`, `sk-proj-…`), Anthropic
 * (`sk-ant-…`), Gemini (`AIza…`, 39) and GitHub tokens are longer. Anything shorter is a placeholder, a typo or
 * the first bytes of a key being written.
 */
export const MIN_API_KEY_LENGTH = 20;

/** The outcome of {@link checkApiKey}. Only `key` holds the secret; the rest is safe to log. */
export interface ApiKeyCheck {
  /** The key with trailing line breaks removed (as written by `echo`, editors, Docker and Kubernetes). */
  readonly key: string;
  /** `sha256:` and 8 hex digits of `key`: tells keys apart without showing them. */
  readonly fingerprint: string;
  /** Why the value cannot be used as a key; empty when it can. Never contains the value. */
  readonly problems: readonly string[];
  /** Doubts that do not stop the key from being used. Never contain the value. */
  readonly warnings: readonly string[];
}

const JWT = /^eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;
const AUTH_SCHEME = /^(Bearer|Basic)(\s|$)/i;
const LINE_BREAK = /[\r\n]/;
const WHITESPACE = /[\t\v\f ]/;
// biome-ignore lint/suspicious/noControlCharactersInRegex: rejecting control characters is the point
const CONTROL = /[\u0000-\u0008\u000e-\u001f\u007f]/;
const NON_ASCII = /\P{ASCII}/u;
const QUOTED = /^(["'`]).*\1$/s;
const PATH_LIKE = /^(\/|\.{1,2}\/|~\/)[\w.-]+(\/[\w.-]+)+$/;

/**
 * Checks a value meant as a static API key. Trailing line breaks (`\n`, `\r\n`) are removed first;
 * everything else is the caller's value. Problems: empty, a JWT (a bearer token is not a key), an
 * `Authorization` scheme prefix, line breaks, whitespace, control or non-ASCII characters (a byte-order
 * mark, typographic quotes), surrounding quotes, fewer than {@link MIN_API_KEY_LENGTH} characters (no hosted provider
 * issues shorter keys; with `localProvider`, a server on this machine, only a warning), an absurd length. Messages name `label` and at most
 * the key's fingerprint, never the value.
 *
 * @param label What to call the value in messages, e.g. `COPILOT_PROVIDER_API_KEY` or `the key file /run/secrets/key`.
 */
export function checkApiKey(
  raw: string,
  label: string,
  { localProvider = false }: { localProvider?: boolean } = {},
): ApiKeyCheck {
  const key = raw.replace(/[\r\n]+$/, "");
  const fp = fingerprint(key);
  const problems: string[] = [];
  const warnings: string[] = [];
  const named = `${label} (fingerprint ${fp})`;

  if (key.length === 0) {
    problems.push(`${label} is empty: it must hold the API key`);
  } else if (JWT.test(key)) {
    problems.push(
      `${named} looks like a bearer token (JWT), not an API key: use COPILOT_PROVIDER_AUTH=azure-entra for Entra tokens`,
    );
  } else {
    if (AUTH_SCHEME.test(key)) {
      problems.push(
        `${named} starts with an Authorization scheme ("Bearer" or "Basic"): give the key alone, the runtime adds the header`,
      );
    } else if (QUOTED.test(key)) {
      problems.push(`${named} is wrapped in quotes: remove them`);
    }
    if (LINE_BREAK.test(key)) {
      problems.push(
        `${named} spans several lines: it must hold the key alone (a trailing line break is fine)`,
      );
    }
    if (WHITESPACE.test(key) && !AUTH_SCHEME.test(key)) {
      problems.push(`${named} contains spaces or tabs: an API key has none; remove them`);
    }
    if (CONTROL.test(key)) problems.push(`${named} contains control characters: remove them`);
    if (NON_ASCII.test(key)) {
      problems.push(
        `${named} contains non-ASCII characters (a byte-order mark, typographic quotes, a non-breaking space?): save it as plain ASCII`,
      );
    }
    const length = `${named} is ${key.length} character${key.length === 1 ? "" : "s"} long`;
    // A local server (vLLM, LiteLLM, Ollama on 127.0.0.1) takes any key, "sk-1234" or "ollama" included.
    if (key.length < MIN_API_KEY_LENGTH && !localProvider) {
      problems.push(
        `${length}: no provider issues keys shorter than ${MIN_API_KEY_LENGTH} characters; is it the right value?`,
      );
    } else if (key.length < MIN_API_KEY_LENGTH && problems.length === 0) {
      warnings.push(
        `${length}: fine for a local server, but no hosted provider issues keys shorter than ${MIN_API_KEY_LENGTH} characters`,
      );
    }
    if (key.length > MAX_API_KEY_LENGTH) {
      problems.push(
        `${named} is ${key.length} characters long, more than any API key (at most ${MAX_API_KEY_LENGTH}): is it the right value?`,
      );
    }
    if (problems.length === 0 && PATH_LIKE.test(key)) {
      warnings.push(
        `${named} looks like a file path, not a key: to read the key from a file, set COPILOT_PROVIDER_API_KEY_FILE (or the apiKeyFile option) instead`,
      );
    }
  }
  return { key, fingerprint: fp, problems, warnings };
}
