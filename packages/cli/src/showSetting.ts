import { REDACTED, redactUrl } from "@copilot-byok/core";

// How the doctor shows the model, the deployment (wire model) and the scope: values a person typed, where a
// key pasted by mistake is still a secret (docs/security.md). Each renderer is idempotent: what it returns is
// returned unchanged when rendered again (formatDoctorReport renders what runDoctor already rendered).

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

/** The fields (of a report, a description, facts) naming a model, a deployment or a scope, and their renderers. */
export const SETTING_RENDERERS: Readonly<Record<string, (value: string) => string>> = {
  model: showModelName,
  modelId: showModelName,
  wireModel: showModelName,
  deployment: showModelName,
  scope: showScope,
};

/**
 * Replaces, in any text, each value whose rendering differs from it (at least 8 characters: shorter ones are no
 * key, and replacing them would mangle prose) by its rendering, and each run of 12+ letters and digits of such
 * a value that its rendering hides (a query value of a scope, say) by `[REDACTED]`: for texts the doctor did not
 * write, such as a source's reasons and errors, which may quote the value whole or in part.
 */
export function createScrubber(
  values: readonly { value: string | undefined; render: (value: string) => string }[],
): (text: string) => string {
  const replacements = new Map<string, string>();
  const runs = new Map<string, string>();
  for (const { value, render } of values) {
    if (value === undefined) continue;
    for (const form of new Set([value, value.trim()])) {
      const shown = render(form.trim());
      if (form.length < 8 || shown === form) continue;
      replacements.set(form, shown);
      for (const run of form.match(/[A-Za-z0-9]{12,}/g) ?? [])
        if (!shown.includes(run)) runs.set(run, REDACTED);
    }
  }
  // A whole value's rendering wins over the mask of a run that is also a whole value.
  for (const [run, mask] of runs) if (!replacements.has(run)) replacements.set(run, mask);
  const order = [...replacements.keys()].sort((a, b) => b.length - a.length);
  return (text) => {
    let result = text;
    for (const form of order) {
      if (result.includes(form)) result = result.split(form).join(replacements.get(form) as string);
    }
    return result;
  };
}
