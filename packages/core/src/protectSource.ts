import { redactUrl } from "./redact.js";
import { INSPECT_CUSTOM, withSafeInspect, withSafeRendering } from "./safeRendering.js";
import type { ProviderConfigSource } from "./types.js";

const PROTECTED: unique symbol = Symbol.for("@copilot-byok/core:protected") as never;

/**
 * What core does to every source it hands out (registration, session factory), so that no plug-in author has
 * to remember it: the source renders (util.inspect, JSON) as its `describe()` with the base URL through
 * `redactUrl`, and every config it returns prints without secrets. Idempotent; a frozen source is wrapped
 * in a delegating object instead of being changed.
 */
export function protectSource<S extends ProviderConfigSource>(source: S): S {
  if ((source as { [PROTECTED]?: true })[PROTECTED]) return source;
  const target: S = Object.isExtensible(source) ? source : delegateTo(source);
  const getProviderConfig = source.getProviderConfig;
  Object.defineProperties(target, {
    [PROTECTED]: { value: true },
    getProviderConfig: {
      value: async (options?: Parameters<S["getProviderConfig"]>[0]) => {
        const config = await getProviderConfig.call(source, options);
        return Object.isExtensible(config) && !Object.hasOwn(config, INSPECT_CUSTOM)
          ? withSafeInspect(config)
          : config;
      },
      configurable: true,
      writable: true,
    },
  });
  if (!Object.hasOwn(target, INSPECT_CUSTOM)) {
    withSafeRendering(
      target,
      () => describeSafely(source),
      source.constructor?.name ?? "ProviderConfigSource",
    );
  }
  return target;
}

function describeSafely(source: ProviderConfigSource): unknown {
  const description = source.describe();
  return typeof description.baseUrl === "string"
    ? { ...description, baseUrl: redactUrl(description.baseUrl) }
    : description;
}

function delegateTo<S extends ProviderConfigSource>(source: S): S {
  const wrapper = Object.create(source) as S;
  for (const name of ["describe", "getCredential", "diagnose", "dispose"] as const) {
    const member = source[name];
    if (typeof member === "function") Object.defineProperty(wrapper, name, { value: member.bind(source) });
  }
  return wrapper;
}
