import type { CopilotSessionFactory } from "@copilot-byok/core";
import { loadCopilotSdk } from "@copilot-byok/core/plugin";

/**
 * The session code of the demo: the same in every mode. Creates a session (provider filled by the selected
 * source), asks once, disconnects, returns the reply text. `approveAll` comes from the SDK loaded on the call, not
 * on import: importing `@copilot-byok/cli` (the doctor) must work where the SDK is not installed.
 */
export async function askOnce(
  sessions: CopilotSessionFactory,
  prompt: string,
  timeoutMs: number,
): Promise<string> {
  const { approveAll } = await loadCopilotSdk();
  const session = await sessions.createSession({ onPermissionRequest: approveAll });
  try {
    const reply = await session.sendAndWait(prompt, timeoutMs);
    return reply?.data.content ?? "(no reply)";
  } finally {
    await session.disconnect();
  }
}
