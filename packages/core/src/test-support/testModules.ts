import type { ProviderConfig } from "@github/copilot-sdk";
import { API_KEY_VARIABLES, MANAGED_IDENTITY_SIGNAL_VARIABLES } from "../envNames.js";
import { isSet, NO_ENDPOINT_PROBLEM, readProviderEnv } from "../readProviderEnv.js";
import { withSafeRendering } from "../safeRendering.js";
import type {
  Detection,
  Env,
  ModuleContext,
  ProviderConfigSource,
  ProviderConfigSourceModule,
} from "../types.js";

/** A source that hands out a fixed config, counting calls and disposals. */
export class TestSource implements ProviderConfigSource {
  calls = 0;
  disposed = 0;
  lastSignal: AbortSignal | undefined;
  constructor(
    readonly mode: string,
    private readonly config: ProviderConfig,
  ) {
    withSafeRendering(this, () => this.describe());
  }
  async getProviderConfig(options: { signal?: AbortSignal } = {}): Promise<ProviderConfig> {
    this.calls++;
    this.lastSignal = options.signal;
    options.signal?.throwIfAborted();
    return { ...this.config };
  }
  describe() {
    return { mode: this.mode, baseUrl: this.config.baseUrl };
  }
  dispose() {
    this.disposed++;
  }
}

/** A module built from a detect function; `created` records every source it made. */
export function testModule(
  mode: string,
  detect: (env: Env) => Detection,
  config: (context: ModuleContext) => ProviderConfig = (c) => ({
    baseUrl: readProviderEnv(c.env).settings.baseUrl ?? "http://127.0.0.1:1/openai/v1/",
  }),
): ProviderConfigSourceModule & { created: TestSource[]; contexts: ModuleContext[] } {
  const created: TestSource[] = [];
  const contexts: ModuleContext[] = [];
  return {
    mode,
    detect,
    create(context) {
      contexts.push(context);
      const source = new TestSource(mode, config(context));
      created.push(source);
      return source;
    },
    created,
    contexts,
  };
}

/** Mimics the static-key module's detection: explicit when a key variable is set. */
export const keyLikeModule = () =>
  testModule("static-key", (env) => {
    const found = API_KEY_VARIABLES.find((n) => isSet(env, n));
    return {
      applicable: found !== undefined,
      strength: "explicit",
      reasons: found ? [`static key found in ${found}`] : ["no static key variable set"],
      ...(found ? { summary: `a static key (${found})` } : {}),
      problems: [
        ...(readProviderEnv(env).settings.baseUrl ? [] : [NO_ENDPOINT_PROBLEM]),
        ...(found ? [] : ["no key"]),
      ],
    };
  });

/** Mimics the azure-entra module's detection: signals when managed identity variables are set, else fallback. */
export const identityLikeModule = () =>
  testModule("azure-entra", (env) => {
    const signals = MANAGED_IDENTITY_SIGNAL_VARIABLES.filter((n) => isSet(env, n));
    return {
      applicable: true,
      strength: signals.length > 0 ? "signals" : "fallback",
      reasons:
        signals.length > 0 ? [`managed identity signals: ${signals.join(", ")}`] : ["no identity signals"],
      ...(signals.length > 0 ? { summary: `managed identity signals (${signals.join(", ")})` } : {}),
      problems: readProviderEnv(env).settings.baseUrlVariable ? [] : [NO_ENDPOINT_PROBLEM],
    };
  });

export const CANARY_KEY = "canary-key-7f3a9c1e2b4d6f8091a3c5e7";
