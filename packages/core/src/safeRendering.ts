import { REDACTED, redact, redactUrl } from "./redact.js";

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
 * Makes a provider config print without its secrets in `util.inspect` / `console.log`: keys, tokens, every
 * header value, and the base URL's user info, query values and fragment are masked.
 * `JSON.stringify` is left alone on purpose: the SDK serializes the config to hand the key to its runtime.
 */
export function withSafeInspect<T extends object>(config: T, label = "ProviderConfig"): T {
  Object.defineProperty(config, INSPECT_CUSTOM, {
    value: (_depth: number, options: unknown, inspect?: (value: unknown, options: unknown) => string) => {
      const shown = redact(safeConfigView(config));
      return `${label} ${inspect ? inspect(shown, options) : JSON.stringify(shown)}`;
    },
    enumerable: false,
    configurable: true,
  });
  return config;
}

/** A provider config as it may be shown: base URL through `redactUrl`, every header value masked. */
function safeConfigView(config: object): Record<string, unknown> {
  const view: Record<string, unknown> = { ...config };
  if (typeof view.baseUrl === "string") view.baseUrl = redactUrl(view.baseUrl);
  const headers = view.headers;
  if (typeof headers === "object" && headers !== null)
    view.headers = Object.fromEntries(Object.keys(headers).map((name) => [name, REDACTED]));
  return view;
}
