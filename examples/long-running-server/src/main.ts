import { startChatServer } from "./startChatServer.js";

const server = await startChatServer(process.env, { port: Number(process.env.PORT ?? 3000) });
console.log(
  `chat server on ${server.url} (mode ${server.mode}); POST /ask {"prompt": "..."}; Ctrl-C stops it`,
);
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    console.log(`${signal}: draining and shutting down`);
    server.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  });
}
