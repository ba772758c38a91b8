#!/usr/bin/env node
// By hand (not in the test suite, which must hold on a loaded machine): the built `copilot-byok doctor` ends
// within --timeout + 1 s when the token endpoint refuses connections or accepts and never answers, with and
// without --probe. Build first (npm run setup), then from the repository root:
//   node packages/cli/scripts/doctor-exit-timing.mjs [timeoutMs ...]      (default: 2000 3000)
// Prints one line per case and exits 1 when any case took longer than its bound.
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { createServer } from "node:net";
import { fileURLToPath } from "node:url";

const BIN = fileURLToPath(new URL("../dist/esm/bin.js", import.meta.url));
if (!existsSync(BIN)) {
  console.error(`${BIN} is missing: build first (npm run setup)`);
  process.exit(2);
}
const timeouts = process.argv.slice(2).map(Number);
const GRACE_MS = 1_000;

const listen = (server) =>
  new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(server.address().port)));

const refusing = createServer();
const refusingPort = await listen(refusing);
await new Promise((resolve) => refusing.close(resolve));

const sockets = new Set();
const silent = createServer((socket) => {
  sockets.add(socket);
  socket.on("error", () => undefined);
});
const silentPort = await listen(silent);

function run(args, env) {
  return new Promise((resolve) => {
    const started = performance.now();
    const child = spawn(process.execPath, [BIN, ...args], {
      env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let reportAt;
    child.stdout.on("data", (d) => {
      reportAt ??= performance.now() - started;
      stdout += d;
    });
    child.stderr.resume();
    const kill = setTimeout(() => child.kill("SIGKILL"), 120_000);
    child.on("close", (code, signal) => {
      clearTimeout(kill);
      resolve({ code, signal, stdout, reportAt, exitAt: performance.now() - started });
    });
  });
}

let failed = 0;
for (const timeoutMs of timeouts.length > 0 ? timeouts : [2_000, 3_000]) {
  for (const [name, port] of [
    ["refusing port", refusingPort],
    ["silent TCP server", silentPort],
  ]) {
    for (const probe of [false, true]) {
      const args = ["doctor", ...(probe ? ["--probe"] : []), "--timeout", String(timeoutMs)];
      const r = await run(args, {
        AZURE_AI_FOUNDRY_RESOURCE_URL: "https://res.services.ai.azure.com",
        IDENTITY_ENDPOINT: `http://127.0.0.1:${port}/msi/token`,
        IDENTITY_HEADER: "doctor-exit-timing",
        COPILOT_PROVIDER_MODEL_ID: "gpt-4.1",
      });
      const ok =
        r.exitAt <= timeoutMs + GRACE_MS &&
        r.code === 1 &&
        r.stdout.includes(`within ${timeoutMs} ms (--timeout)`);
      if (!ok) failed += 1;
      console.log(
        `${ok ? "ok    " : "FAILED"} ${name.padEnd(17)} ${args.join(" ").padEnd(38)} report at ${Math.round(r.reportAt ?? -1)} ms, exit at ${Math.round(r.exitAt)} ms (bound ${timeoutMs + GRACE_MS} ms), code ${r.code ?? r.signal}`,
      );
    }
  }
}
for (const socket of sockets) socket.destroy();
silent.close();
process.exit(failed > 0 ? 1 : 0);
