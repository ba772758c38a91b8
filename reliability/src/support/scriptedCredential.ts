import type { AccessToken, GetTokenOptions, TokenCredential } from "@azure/core-auth";

/** One scripted answer of {@link ScriptedCredential}: what the next `getToken` call does. */
export type Step =
  | { readonly token: string; readonly expiresInMs: number; readonly delayMs?: number }
  | { readonly accessToken: (now: number) => AccessToken | null; readonly delayMs?: number }
  | { readonly error: unknown; readonly delayMs?: number }
  | { readonly hang: true };

/** A call seen by {@link ScriptedCredential}. */
export interface RecordedCall {
  readonly scopes: string | string[];
  readonly options: GetTokenOptions | undefined;
  readonly at: number;
}

/**
 * A `TokenCredential` that answers from a script, one step per call (the last step repeats), and records every
 * call. `now` is the credential's (the identity endpoint's) clock; delays run on `sleep` (e.g. a manual clock).
 */
export class ScriptedCredential implements TokenCredential {
  readonly calls: RecordedCall[] = [];
  private steps: Step[];

  constructor(
    steps: Step[],
    private readonly now: () => number,
    private readonly sleep: (ms: number) => Promise<void> = (ms) =>
      new Promise((resolve) => setTimeout(resolve, ms)),
  ) {
    this.steps = [...steps];
  }

  /** Replaces the remaining script. */
  script(...steps: Step[]): this {
    this.steps = [...steps];
    return this;
  }

  async getToken(scopes: string | string[], options?: GetTokenOptions): Promise<AccessToken | null> {
    this.calls.push({ scopes, options, at: this.now() });
    const step = this.steps.length > 1 ? this.steps.shift() : this.steps[0];
    if (!step) throw new Error("ScriptedCredential: no step scripted");
    if ("hang" in step) return new Promise<never>(() => {});
    if (step.delayMs) await this.sleep(step.delayMs);
    if ("error" in step) throw step.error;
    if ("accessToken" in step) return step.accessToken(this.now());
    return { token: step.token, expiresOnTimestamp: this.now() + step.expiresInMs };
  }
}

/** An unsigned, JWT-shaped token with the given payload claims. */
export function makeJwt(claims: Record<string, unknown>): string {
  const encode = (value: unknown) => Buffer.from(JSON.stringify(value), "utf8").toString("base64url");
  return `${encode({ alg: "RS256", typ: "JWT" })}.${encode(claims)}.${Buffer.from("unsigned-test-signature").toString("base64url")}`;
}

/** An error shaped like `@azure/identity`'s failures: a name, a message, an HTTP status and a cause. */
export function credentialFailure(
  name: string,
  message: string,
  extra: { statusCode?: number; code?: string; cause?: unknown } = {},
): Error {
  const error = new Error(message, extra.cause === undefined ? undefined : { cause: extra.cause });
  error.name = name;
  if (extra.statusCode !== undefined) Object.assign(error, { statusCode: extra.statusCode });
  if (extra.code !== undefined) Object.assign(error, { code: extra.code });
  return error;
}
