import "reflect-metadata";
import type { CopilotClient, CopilotSession, ResumeSessionConfig, SessionConfig } from "@github/copilot-sdk";
import { inject, injectable } from "tsyringe";
import { ConfigurationError } from "./ConfigurationError.js";
import { COPILOT_PROVIDER_MODEL_ID } from "./envNames.js";
import { COPILOT_BYOK_ENV, COPILOT_CLIENT, PROVIDER_CONFIG_SOURCE } from "./tokens.js";
import type { Env, ProviderConfigSource, SourceDescription } from "./types.js";

/** The SDK's `SessionConfig` without `provider` (filled from the source); `model` may come from the environment. */
export type CopilotSessionConfig = Omit<SessionConfig, "provider" | "model"> & { model?: string };

/** The SDK's `ResumeSessionConfig` without `provider` (filled from the source). */
export type CopilotResumeSessionConfig = Omit<ResumeSessionConfig, "provider">;

/** Options of a single `createSession` / `resumeSession` call. */
export interface CreateSessionOptions {
  /** Abandons waiting for credentials. */
  signal?: AbortSignal;
}

/**
 * Creates Copilot SDK sessions with the provider config of the chosen source: the same call serves
 * every mode. `model` comes from the call, else `COPILOT_PROVIDER_MODEL_ID`, else the source's `modelId`.
 *
 * With DI it needs `PROVIDER_CONFIG_SOURCE`, `COPILOT_CLIENT` and `COPILOT_BYOK_ENV` (all registered by
 * `registerCopilotByok`); without DI, `new CopilotSessionFactory(source, client, process.env)`.
 */
@injectable()
export class CopilotSessionFactory {
  constructor(
    @inject(PROVIDER_CONFIG_SOURCE) private readonly source: ProviderConfigSource,
    @inject(COPILOT_CLIENT) private readonly client: CopilotClient,
    @inject(COPILOT_BYOK_ENV) private readonly env: Env = process.env,
  ) {}

  /** Creates a session on the client, with `provider` from the source. */
  async createSession(
    config: CopilotSessionConfig,
    options: CreateSessionOptions = {},
  ): Promise<CopilotSession> {
    rejectProvider(config);
    const provider = await this.source.getProviderConfig(options.signal ? { signal: options.signal } : {});
    const model = config.model?.trim() || this.env[COPILOT_PROVIDER_MODEL_ID]?.trim() || provider.modelId;
    if (!model) {
      throw new ConfigurationError([
        `no model for the session: pass { model } to createSession or set ${COPILOT_PROVIDER_MODEL_ID}`,
      ]);
    }
    return this.client.createSession({ ...config, model, provider });
  }

  /** Resumes a session on the client, with fresh `provider` credentials from the source. */
  async resumeSession(
    sessionId: string,
    config: CopilotResumeSessionConfig,
    options: CreateSessionOptions = {},
  ): Promise<CopilotSession> {
    rejectProvider(config);
    const provider = await this.source.getProviderConfig(options.signal ? { signal: options.signal } : {});
    return this.client.resumeSession(sessionId, { ...config, provider });
  }

  /** The source's safe description (mode, base URL, …). */
  describe(): SourceDescription {
    return this.source.describe();
  }
}

function rejectProvider(config: object): void {
  if ("provider" in config && (config as { provider?: unknown }).provider !== undefined) {
    throw new ConfigurationError([
      "createSession got a provider: copilot-byok fills provider from the selected source; remove it from the session config",
    ]);
  }
}
