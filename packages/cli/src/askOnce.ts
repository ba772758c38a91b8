import type { CopilotSessionFactory } from "@copilot-byok/core";
import { approveAll } from "@github/copilot-sdk";

/**
 * The session code of the demo: the same in every mode. Creates a session (provider filled by the selected
 * source), asks once, disconnects, returns the reply text.
 */
export async function askOnce(
  sessions: CopilotSessionFactory,
  prompt: string,
  timeoutMs: number,
): Promise<string> {
  const session = await sessions.createSession({ onPermissionRequest: approveAll });
  try {
    const reply = await session.sendAndWait(prompt, timeoutMs);
    return reply?.data.content ?? "(no reply)";
  } finally {
    await session.disconnect();
  }
}
