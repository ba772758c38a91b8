import { ConfigurationError } from "./ConfigurationError.js";
import { editDistance } from "./editDistance.js";
import { AUTO_MODE, COPILOT_PROVIDER_AUTH } from "./envNames.js";
import { readProviderEnv } from "./readProviderEnv.js";
import { showValue } from "./showValue.js";
import type { Detection, DetectionStrength, Env, ProviderConfigSourceModule, Selection } from "./types.js";

const STRENGTH_RANK: Record<DetectionStrength, number> = { explicit: 3, signals: 2, fallback: 1 };

/**
 * Chooses the provider config source module from the environment, and says why. Pure: reads only
 * `env` and the modules' `detect`.
 *
 * - `COPILOT_PROVIDER_AUTH=<mode>` picks that module.
 * - `auto` (the default) picks the applicable module whose detection is strongest (`explicit` > `signals`
 *   > `fallback`), the earlier one on a tie: with the built-in modules, a configured static key means
 *   `static-key`, otherwise `azure-entra`. Other applicable modules are named in the reasons, with the
 *   variable to set to choose them instead.
 *
 * The selection's `mode` is typed as the union of the modules' modes when they declare them as literal types
 * (`ProviderConfigSourceModule<"azure-entra">`), else as `string`.
 *
 * @throws ConfigurationError listing every problem at once: unknown mode, bad shared variables, and the
 *   chosen module's own problems.
 */
export function selectProviderConfigSource<Mode extends string = string>(
  env: Env,
  modules: readonly ProviderConfigSourceModule<Mode>[],
): Selection<Mode> {
  const problems: string[] = [];
  const modes = modules.map((m) => m.mode);
  problems.push(...checkModules(modes));

  const common = readProviderEnv(env);
  problems.push(...common.problems);

  const raw = env[COPILOT_PROVIDER_AUTH];
  const requested = raw === undefined || raw.trim() === "" ? AUTO_MODE : raw.trim();
  const acceptedModes = [AUTO_MODE, ...modes];
  const accepted = acceptedModes.join(", ");

  const detections = modules.map((module) => ({ module, detection: safeDetect(module, env, problems) }));

  let chosen: { module: ProviderConfigSourceModule<Mode>; detection: Detection } | undefined;
  const reasons: string[] = [];

  if (requested !== AUTO_MODE) {
    chosen = detections.find((d) => d.module.mode === requested);
    if (!chosen) {
      const guess = closestMode(requested, acceptedModes);
      problems.push(
        `${COPILOT_PROVIDER_AUTH} has ${showValue(raw ?? "", acceptedModes)}, which is not a registered mode: ${guess ? `did you mean ${guess}? Use` : "use"} one of ${accepted} (or pass the module that serves it in modules)`,
      );
    } else {
      reasons.push(`${COPILOT_PROVIDER_AUTH}=${requested} chooses ${requested}`, ...chosen.detection.reasons);
    }
  } else {
    const applicable = detections
      .map((d, index) => ({ ...d, index, rank: STRENGTH_RANK[d.detection.strength ?? "fallback"] }))
      .filter((d) => d.detection.applicable)
      .sort((a, b) => b.rank - a.rank || a.index - b.index);
    chosen = applicable[0];
    if (!chosen) {
      if (modules.length > 0) {
        const why = detections.map(
          (d) => `${d.module.mode}: ${d.detection.reasons.join("; ") || "not applicable"}`,
        );
        problems.push(`${COPILOT_PROVIDER_AUTH}=auto found no applicable mode (${why.join(" | ")})`);
      }
    } else {
      const how =
        raw === undefined ? `${COPILOT_PROVIDER_AUTH} not set (auto)` : `${COPILOT_PROVIDER_AUTH}=auto`;
      reasons.push(`${how}: chose ${chosen.module.mode}`, ...chosen.detection.reasons);
      for (const other of applicable.slice(1)) {
        if ((other.detection.strength ?? "fallback") === "fallback") continue;
        const what =
          other.detection.summary ?? other.detection.reasons[0] ?? `${other.module.mode} is applicable`;
        reasons.push(
          `also present: ${what}: set ${COPILOT_PROVIDER_AUTH}=${other.module.mode} to use ${other.module.mode} instead`,
        );
      }
    }
  }

  if (chosen) problems.push(...(chosen.detection.problems ?? []));
  else problems.push(...sharedProblems(detections.map((d) => d.detection)));
  if (problems.length > 0) throw new ConfigurationError(dedupe(problems));

  reasons.push(...common.notes);
  const module = (chosen as { module: ProviderConfigSourceModule<Mode> }).module;
  return Object.freeze({ mode: module.mode, reasons: Object.freeze(dedupe(reasons)), module });
}

function checkModules(modes: string[]): string[] {
  const problems: string[] = [];
  if (modes.length === 0) {
    problems.push(
      "no provider config source modules given: pass the modules to choose from, e.g. [staticKeyModule, azureEntraModule] (from @copilot-byok/static-key and @copilot-byok/azure-entra)",
    );
  }
  const seen = new Set<string>();
  for (const mode of modes) {
    if (typeof mode !== "string" || !/^[a-z][a-z0-9-]*$/.test(mode)) {
      problems.push(
        `a module has an invalid mode name ${showValue(String(mode))}: use lowercase letters, digits and '-'`,
      );
    } else if (mode === AUTO_MODE) {
      problems.push(`a module uses the reserved mode name "${AUTO_MODE}"`);
    } else if (seen.has(mode)) {
      problems.push(`two modules share the mode "${mode}": each mode must be registered once`);
    }
    seen.add(mode);
  }
  return problems;
}

function safeDetect(module: ProviderConfigSourceModule, env: Env, problems: string[]): Detection {
  try {
    return module.detect(env);
  } catch (error) {
    if (error instanceof ConfigurationError) {
      problems.push(...error.problems);
      return { applicable: false, reasons: [] };
    }
    const name = error instanceof Error ? error.name : typeof error;
    problems.push(`module "${module.mode}" failed to inspect the environment (${name})`);
    return { applicable: false, reasons: [] };
  }
}

/** Problems every module reports: they hold whichever mode is chosen once the mode itself is fixed. */
function sharedProblems(detections: readonly Detection[]): string[] {
  const [first, ...rest] = detections.map((d) => d.problems ?? []);
  return (first ?? []).filter((p) => rest.every((other) => other.includes(p)));
}

function dedupe(items: string[]): string[] {
  return [...new Set(items)];
}

/**
 * The mode `typed` most likely misspells, for "did you mean": the only one within an edit distance of 2 (1 for
 * a name of up to 5 characters), case and separators aside.
 */
function closestMode(typed: string, modes: readonly string[]): string | undefined {
  const norm = (s: string) => s.toLowerCase().replace(/[\s._]+/g, "-");
  const near = modes.filter((m) => editDistance(norm(typed), norm(m)) <= (m.length <= 5 ? 1 : 2));
  return near.length === 1 ? near[0] : undefined;
}
