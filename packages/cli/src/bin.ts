#!/usr/bin/env node
import { main } from "./main.js";

main(process.argv.slice(2)).then(
  (code) => exit(code),
  (error: unknown) => {
    console.error(`copilot-byok: unexpected failure: ${error instanceof Error ? error.name : typeof error}`);
    exit(1);
  },
);

/**
 * Ends the process with `code` as soon as what was written to stdout and stderr is flushed: once the report is
 * printed, nothing left behind (an `@azure/identity` retry that ignores abort signals, a kept-alive socket, a
 * plug-in's timer) may hold the process. Should a stream never call back, the process ends a moment later
 * anyway.
 */
function exit(code: number): void {
  process.exitCode = code;
  let pending = 2;
  const flushed = () => {
    pending -= 1;
    if (pending === 0) process.exit(code);
  };
  for (const stream of [process.stdout, process.stderr]) {
    if (stream.destroyed || stream.writableEnded) flushed();
    else stream.write("", flushed);
  }
  setTimeout(() => process.exit(code), 1_000).unref();
}
