import { REDACTED, redactUrl } from "./redact.js";

// How a model, a deployment (wire model) and a scope are shown anywhere (describe(), reasons, errors, the
// doctor): values a person typed, where a key pasted by mistake is still a secret (docs/security.md). Each
// renderer is idempotent: what it returns is returned unchanged when rendered again.

const HIDDEN = /^a value of \d+ characters \(not shown\)$/;

function byLength(value: string): string {
  return `a value of ${value.length} characters (not shown)`;
}

/** A run of letters and digits that looks random: 24+ characters, or 16+ mixing letters and digits. */
function looksRandom(run: string): boolean {
  return run.length >= 24 || (run.length >= 16 && /[0-9]/.test(run) && /[A-Za-z]/.test(run));
}

function hasRandomRun(value: string): boolean {
  return (value.match(/[A-Za-z0-9]+/g) ?? []).some(looksRandom);
}

/**
 * A model or deployment name as given when it looks like one: letters, digits, `.`, `-`, `_` (and `:`, `/`,
 * as in `anthropic.claude-3-5-sonnet-20240620-v1:0` or `openai/gpt-4o`), at most 64 characters, starting with a
 * letter or digit, without a long random-looking run (a hex or base64 key: 16+ letters and digits mixed, or
 * 24+ of them). Anything else, e.g. a key pasted into `COPILOT_PROVIDER_MODEL_ID`, by its length only.
 */
export function showModelName(value: string): string {
  if (HIDDEN.test(value)) return value;
  const shown = /^[A-Za-z0-9][A-Za-z0-9._:/-]{0,63}$/.test(value) && !hasRandomRun(value);
  return shown ? value : byLength(value);
}

/**
 * A scope as given when it is a URI without anything to hide (`https://cognitiveservices.azure.com/.default`,
 * `api://<app id>/.default`); through `redactUrl` when it has user info, a query or a fragment (every query
 * value and the fragment masked: `api://app/.default?code=[REDACTED]`); by its length only when it is not a
 * URI, is longer than 200 characters, or holds a long random-looking run (a key pasted as the scope).
 */
export function showScope(value: string): string {
  if (HIDDEN.test(value)) return value;
  if (value.length > 200 || /\s/.test(value) || !/^[A-Za-z][A-Za-z0-9+.-]*:/.test(value))
    return byLength(value);
  const shown = redactUrl(value);
  if (shown === REDACTED || hasRandomRun(shown)) return byLength(value);
  return shown;
}
