import { ConfigurationError } from "@copilot-byok/core";
import { showValue } from "@copilot-byok/core/plugin";
import { reportFailure } from "./reportFailure.js";
import { type ChatServer, startChatServer } from "./startChatServer.js";

/** PORT: 0 to 65535 (0: any free port); default 3000. */
function port(value = "3000"): number {
  const n = Number(value);
  if (value.trim() === "" || !Number.isInteger(n) || n < 0 || n > 65_535)
    throw new ConfigurationError([
      `PORT has ${showValue(value)}: use a whole number from 0 to 65535 (0: any free port)`,
    ]);
  return n;
}

let server: ChatServer | undefined;
try {
  server = await startChatServer(process.env, { port: port(process.env.PORT) });
} catch (error) {
  process.exitCode = reportFailure(error);
}
if (server) {
  const running = server;
  console.log(
    `chat server on ${running.url} (mode ${running.mode}); POST /ask {"prompt": "..."}; Ctrl-C stops it`,
  );
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.once(signal, () => {
      console.log(`${signal}: draining and shutting down`);
      running.close().then(
        () => process.exit(0),
        () => process.exit(1),
      );
    });
  }
}
