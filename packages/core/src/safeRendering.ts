import { redact } from "./redact.js";

/** Node's `util.inspect.custom` symbol, without importing `node:util`. */
export const INSPECT_CUSTOM: unique symbol = Symbol.for("nodejs.util.inspect.custom") as never;

/**
 * Makes `target` render through `render()` (redacted again for safety) in `util.inspect`,
 * `console.log` and `JSON.stringify`, so that secrets it holds in fields never reach a log.
 * Adds non-enumerable `toJSON` and `util.inspect.custom` members; returns `target`.
 */
export function withSafeRendering<T extends object>(target: T, render: () => unknown, label?: string): T {
  const name = label ?? target.constructor?.name ?? "Object";
  Object.defineProperty(target, "toJSON", {
    value: () => redact(render()),
    enumerable: false,
    configurable: true,
  });
  Object.defineProperty(target, INSPECT_CUSTOM, {
    value: (_depth: number, options: unknown, inspect?: (value: unknown, options: unknown) => string) => {
      const shown = redact(render());
      return `${name} ${inspect ? inspect(shown, options) : JSON.stringify(shown)}`;
    },
    enumerable: false,
    configurable: true,
  });
  return target;
}

/**
 * Makes a provider config print without its secrets in `util.inspect` / `console.log`.
 * `JSON.stringify` is left alone on purpose: the SDK serializes the config to hand the key to its runtime.
 */
export function withSafeInspect<T extends object>(config: T, label = "ProviderConfig"): T {
  Object.defineProperty(config, INSPECT_CUSTOM, {
    value: (_depth: number, options: unknown, inspect?: (value: unknown, options: unknown) => string) => {
      const shown = redact({ ...config });
      return `${label} ${inspect ? inspect(shown, options) : JSON.stringify(shown)}`;
    },
    enumerable: false,
    configurable: true,
  });
  return config;
}
