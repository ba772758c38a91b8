#!/usr/bin/env node
import { main } from "./main.js";

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(`copilot-byok: unexpected failure: ${error instanceof Error ? error.name : typeof error}`);
    process.exitCode = 1;
  },
);
