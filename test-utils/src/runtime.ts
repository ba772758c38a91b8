import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CopilotClient, type CopilotSession } from "@github/copilot-sdk";

/**
 * A real CopilotClient (the SDK's bundled runtime) in a temp home (`<os temp>/<prefix>…`); `close()` stops it
 * and removes the home.
 */
export async function startRuntime(
  prefix = "copilot-byok-runtime-",
): Promise<{ client: CopilotClient; close(): Promise<void> }> {
  const baseDirectory = await mkdtemp(join(tmpdir(), prefix));
  const client = new CopilotClient({ useLoggedInUser: false, baseDirectory, logLevel: "none" });
  await client.start();
  return {
    client,
    close: async () => {
      await client.stop().catch(() => []);
      await rm(baseDirectory, { recursive: true, force: true });
    },
  };
}

/** Sends `prompt` and returns the reply's text: the same session code in every mode. */
export async function ask(session: CopilotSession, prompt: string, timeoutMs = 30_000): Promise<string> {
  const reply = await session.sendAndWait(prompt, timeoutMs);
  return reply?.data.content ?? "";
}

/**
 * Resolves at the session's next `session.idle` event (or after `timeoutMs`). A failed `sendAndWait` rejects
 * on `session.error` before the failed turn's own `session.idle` arrives; wait for it before sending again,
 * or the next `sendAndWait` may resolve on that stale idle (docs/runtime-behaviour.md).
 */
export function nextIdle(session: CopilotSession, timeoutMs = 15_000): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, timeoutMs);
    const off = session.on((event) => {
      if (event.type === "session.idle") done();
    });
    function done() {
      clearTimeout(timer);
      off();
      resolve();
    }
  });
}
