import type { CopilotClient, ResumeSessionConfig, SessionConfig } from "@github/copilot-sdk";

/** Records what would reach the SDK, without starting a runtime. */
export class FakeCopilotClient {
  readonly created: SessionConfig[] = [];
  readonly resumed: { sessionId: string; config: ResumeSessionConfig }[] = [];
  stops = 0;
  async createSession(config: SessionConfig) {
    this.created.push(config);
    return { sessionId: `s${this.created.length}` };
  }
  async resumeSession(sessionId: string, config: ResumeSessionConfig) {
    this.resumed.push({ sessionId, config });
    return { sessionId };
  }
  async stop() {
    this.stops++;
    return [];
  }
  asClient(): CopilotClient {
    return this as unknown as CopilotClient;
  }
}
