import type { CopilotClient, CopilotClientOptions } from "@github/copilot-sdk";
import { loadCopilotSdk, requireCopilotSdk } from "./loadCopilotSdk.js";

/**
 * The default `CopilotClient` of `registerCopilotByok`, created when a session first needs it: only then is
 * `@github/copilot-sdk` loaded (by dynamic `import()`), so that registering, selecting or importing core never
 * loads it. `own` takes the new client for `container.dispose()` to stop.
 */
export class DefaultCopilotClient {
  #client: CopilotClient | undefined;
  #creating: Promise<CopilotClient> | undefined;

  constructor(
    private readonly options: CopilotClientOptions,
    private readonly own: (client: CopilotClient) => CopilotClient,
  ) {}

  /** The client, created (and the SDK loaded) on the first call; a failure is tried again at the next one. */
  get(): Promise<CopilotClient> {
    if (this.#client) return Promise.resolve(this.#client);
    this.#creating ??= loadCopilotSdk()
      .then((sdk) => {
        this.#client ??= this.own(new sdk.CopilotClient(this.options));
        return this.#client;
      })
      .catch((error: unknown) => {
        this.#creating = undefined;
        throw error;
      });
    return this.#creating;
  }

  /**
   * The client, for a synchronous resolve of `COPILOT_CLIENT`: created now (the SDK loaded synchronously) when no
   * session created it yet, so that resolving the token works as it always has.
   *
   * @throws ConfigurationError when `@github/copilot-sdk` is not installed, saying what to install.
   */
  created(): CopilotClient {
    this.#client ??= this.own(new (requireCopilotSdk().CopilotClient)(this.options));
    return this.#client;
  }
}
