import { REDACTED, redact, redactText, redactUrl } from "./redact.js";
import { INSPECT_CUSTOM, withSafeInspect, withSafeRendering } from "./safeRendering.js";
import type {
  CredentialRejection,
  GetProviderConfigOptions,
  ProviderConfigSource,
  ProviderCredential,
  SourceDescription,
  SourceDiagnostics,
} from "./types.js";

const PROTECTED: unique symbol = Symbol.for("@copilot-byok/core:protected") as never;
const wrappers = new WeakMap<object, ProviderConfigSource>();

/**
 * What core does to every source it hands out (registration, session factory, doctor), so that no plug-in
 * author has to remember it:
 * - the source renders (util.inspect, JSON) as its description;
 * - `describe()` and `diagnose()` come back redacted: the base URL through `redactUrl`, values under
 *   secret-bearing names masked, JWTs and `Bearer` values masked in any string;
 * - every config it returns prints without secrets (a frozen one is copied to do so);
 * - a credential from `getCredential()` prints without its value.
 * Idempotent. A frozen source is wrapped in a delegating object (its methods still run on the source).
 */
export function protectSource<S extends ProviderConfigSource>(source: S): S {
  if ((source as { [PROTECTED]?: true })[PROTECTED]) return source;
  const known = wrappers.get(source);
  if (known) return known as S;
  const safe = safeMembers(source);
  if (Object.isExtensible(source)) {
    for (const [name, value] of Object.entries(safe))
      Object.defineProperty(source, name, { value, configurable: true, writable: true });
    Object.defineProperty(source, PROTECTED, { value: true });
    if (!Object.hasOwn(source, INSPECT_CUSTOM)) withSafeRendering(source, safe.describe, labelOf(source));
    return source;
  }
  const render = withSafeRendering({}, safe.describe, labelOf(source));
  const bound = new Map<PropertyKey, unknown>();
  const wrapper = new Proxy(Object.create(source) as S, {
    get(_target, property) {
      if (property === PROTECTED) return true;
      if (property in safe) return safe[property as keyof typeof safe];
      if (property === INSPECT_CUSTOM || property === "toJSON")
        return render[property as keyof typeof render];
      const value = Reflect.get(source, property, source);
      if (typeof value !== "function") return value;
      if (!bound.has(property)) bound.set(property, value.bind(source));
      return bound.get(property);
    },
  });
  wrappers.set(source, wrapper);
  return wrapper;
}

type SafeMembers = Pick<ProviderConfigSource, "getProviderConfig" | "describe"> &
  Partial<Pick<ProviderConfigSource, "getCredential" | "renewCredential" | "explainRejection" | "diagnose">>;

function safeMembers(source: ProviderConfigSource): SafeMembers {
  const { getProviderConfig, describe, getCredential, renewCredential, explainRejection, diagnose } = source;
  return {
    getProviderConfig: async (options?: GetProviderConfigOptions) => {
      const config = await getProviderConfig.call(source, options);
      if (Object.hasOwn(config, INSPECT_CUSTOM)) return config;
      return withSafeInspect(Object.isExtensible(config) ? config : { ...config });
    },
    describe: () => safeDescription(describe.call(source)),
    ...(getCredential
      ? {
          getCredential: async (options?: GetProviderConfigOptions) =>
            safeCredential(await getCredential.call(source, options)),
        }
      : {}),
    ...(renewCredential
      ? {
          renewCredential: async (rejection: CredentialRejection) =>
            safeCredential(await renewCredential.call(source, rejection)),
        }
      : {}),
    ...(explainRejection
      ? {
          explainRejection: (credential: ProviderCredential, status: number) =>
            explainRejection.call(source, credential, status).map((line) => redactText(String(line))),
        }
      : {}),
    ...(diagnose
      ? {
          diagnose: async (options?: GetProviderConfigOptions): Promise<SourceDiagnostics> => {
            const diagnostics = await diagnose.call(source, options);
            return { ...diagnostics, facts: redactFacts(diagnostics.facts) };
          },
        }
      : {}),
  };
}

function safeDescription(description: SourceDescription): SourceDescription {
  return redactFacts(description) as SourceDescription;
}

/** Facts as they may be shown: `redact`ed, and every URL (a base URL, a broker's) through `redactUrl`. */
function redactFacts<T extends Readonly<Record<string, unknown>>>(facts: T): T {
  const shown = redact(facts) as Record<string, unknown>;
  for (const [name, value] of Object.entries(shown))
    if (typeof value === "string" && /^[a-z][a-z0-9+.-]*:\/\//i.test(value)) shown[name] = redactUrl(value);
  return shown as T;
}

/** The credential with its value kept out of rendering: not enumerable, masked in inspect and JSON. */
function safeCredential(credential: ProviderCredential): ProviderCredential {
  const { expiresOn, obtainedOn } = credential;
  const safe = {
    kind: credential.kind,
    ...(typeof expiresOn === "number" ? { expiresOn } : {}),
    ...(typeof obtainedOn === "number" ? { obtainedOn } : {}),
  } as ProviderCredential;
  Object.defineProperty(safe, "value", { value: credential.value, enumerable: false });
  return withSafeRendering(safe, () => ({ kind: credential.kind, value: REDACTED }), "ProviderCredential");
}

function labelOf(source: ProviderConfigSource): string {
  const name = source.constructor?.name;
  return name && name !== "Object" ? name : `ProviderConfigSource(${String(source.mode)})`;
}
