import { inspect } from "node:util";

const CONSOLE_METHODS = ["log", "info", "warn", "error", "debug", "trace"] as const;

/**
 * Captures everything written to `console.*`, `process.stdout` and `process.stderr` until `stop()` (and keeps it
 * from the terminal).
 */
export function captureOutput(): { text(): string; stop(): void } {
  const chunks: string[] = [];
  const restore: (() => void)[] = [];
  for (const method of CONSOLE_METHODS) {
    const original = console[method];
    console[method] = (...args: unknown[]) => {
      chunks.push(args.map((a) => (typeof a === "string" ? a : inspect(a, { depth: 20 }))).join(" "));
    };
    restore.push(() => {
      console[method] = original;
    });
  }
  for (const stream of [process.stdout, process.stderr]) {
    const original = stream.write;
    stream.write = ((chunk: unknown, ...rest: unknown[]) => {
      chunks.push(typeof chunk === "string" ? chunk : Buffer.from(chunk as Uint8Array).toString("utf8"));
      const callback = rest.find((r) => typeof r === "function") as (() => void) | undefined;
      callback?.();
      return true;
    }) as typeof stream.write;
    restore.push(() => {
      stream.write = original;
    });
  }
  return {
    text: () => chunks.join("\n"),
    stop: () => {
      for (const undo of restore.splice(0).reverse()) undo();
    },
  };
}
