import { relayManagedIdentity } from "./relayManagedIdentity.js";
import { reportFailure } from "./reportFailure.js";
import { startTokenBroker, type TokenBroker } from "./startTokenBroker.js";

// A stand-in token broker for trying the example on this machine: it hands out the tokens of the managed
// identity endpoint in IDENTITY_ENDPOINT and IDENTITY_HEADER (those `copilot-byok emulators` prints), which the
// Foundry emulator accepts. Runs until Ctrl-C.
let broker: TokenBroker | undefined;
try {
  broker = await startTokenBroker({ mint: relayManagedIdentity(process.env) });
} catch (error) {
  process.exitCode = reportFailure(error);
}
if (broker) {
  const running = broker;
  console.log(`stand-in token broker on ${running.url} (tokens of IDENTITY_ENDPOINT); Ctrl-C stops it`);
  console.log(`export TOKEN_BROKER_URL='${running.url}'`);
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.once(signal, () => {
      running.close().then(
        () => process.exit(0),
        () => process.exit(1),
      );
    });
  }
}
