import { REDACTED, showModelName, showScope } from "@copilot-byok/core/plugin";

// How the doctor shows the model, the deployment (wire model) and the scope: values a person typed, where a
// key pasted by mistake is still a secret (docs/security.md). Each renderer is idempotent: what it returns is
// returned unchanged when rendered again (formatDoctorReport renders what runDoctor already rendered).

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
