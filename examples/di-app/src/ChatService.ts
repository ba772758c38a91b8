import { COPILOT_BYOK_SELECTION, CopilotSessionFactory, type Selection } from "@copilot-byok/core";
import { approveAll } from "@github/copilot-sdk";
import { inject, injectable } from "tsyringe";

/**
 * An app service. It knows nothing of keys or identities: every constructor parameter names its
 * injection token, so it works without decorator metadata (esbuild, tsx, vitest).
 */
@injectable()
export class ChatService {
  constructor(
    @inject(CopilotSessionFactory) private readonly sessions: CopilotSessionFactory,
    @inject(COPILOT_BYOK_SELECTION) private readonly selection: Selection,
  ) {}

  get mode(): string {
    return this.selection.mode;
  }

  async ask(prompt: string): Promise<string> {
    const session = await this.sessions.createSession({ onPermissionRequest: approveAll });
    try {
      return (await session.sendAndWait(prompt, 60_000))?.data.content ?? "";
    } finally {
      await session.disconnect();
    }
  }
}
