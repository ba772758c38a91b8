import type { CopilotClient, CopilotClientOptions, CopilotRequestHandler } from "@github/copilot-sdk";
import { type CopilotSdk, loadCopilotSdk, requireCopilotSdk } from "./loadCopilotSdk.js";

/**
 * The default `CopilotClient` of `registerCopilotByok`, created when a session first needs it: only then is
 * `@github/copilot-sdk` loaded (by dynamic `import()`), so that registering, selecting or importing core never
 * loads it. `own` takes the new client for `container.dispose()` to stop.
 */
export class DefaultCopilotClient {
  #client: CopilotClient | undefined;
  #creating: Promise<CopilotClient> | undefined;

  /** `requestHandlerFor`: the request handler to create the client with, once the SDK is loaded. */
  constructor(
    private readonly options: CopilotClientOptions,
    private readonly own: (client: CopilotClient) => CopilotClient,
    private readonly requestHandlerFor: (sdk: CopilotSdk) => CopilotRequestHandler | undefined = () =>
      undefined,
  ) {}

  /** The client, created (and the SDK loaded) on the first call; a failure is tried again at the next one. */
  get(): Promise<CopilotClient> {
    if (this.#client) return Promise.resolve(this.#client);
    this.#creating ??= loadCopilotSdk()
      .then((sdk) => {
        this.#client ??= this.#create(sdk);
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
    this.#client ??= this.#create(requireCopilotSdk());
    return this.#client;
  }

  #create(sdk: CopilotSdk): CopilotClient {
    const requestHandler = this.requestHandlerFor(sdk);
    return this.own(
      new sdk.CopilotClient(requestHandler ? { ...this.options, requestHandler } : this.options),
    );
  }
}
