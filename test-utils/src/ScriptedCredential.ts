import type { AccessToken, GetTokenOptions, TokenCredential } from "@azure/core-auth";

/** One scripted answer of {@link ScriptedCredential}: what the next `getToken` call does. */
export type Step =
  | {
      readonly token: string;
      readonly expiresInMs: number;
      readonly refreshAfterInMs?: number;
      readonly delayMs?: number;
    }
  | { readonly accessToken: (now: number) => AccessToken | null; readonly delayMs?: number }
  | { readonly error: unknown; readonly delayMs?: number }
  | { readonly hang: true }
  | { readonly deferred: Deferred<AccessToken | null> };

export interface Deferred<T> {
  readonly promise: Promise<T>;
  resolve(value: T): void;
  reject(error: unknown): void;
}

/** A promise settled from outside: script `{ deferred }` to answer a call when the test decides. */
export function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** A call seen by {@link ScriptedCredential}. */
export interface RecordedCall {
  readonly scopes: string | string[];
  readonly options: GetTokenOptions | undefined;
  readonly at: number;
}

/**
 * A `TokenCredential` that answers from a script, one step per call (the last step repeats), and records
 * every call. `now` is the credential's (the identity endpoint's) clock. Delays use the global `setTimeout`
 * (fake under `vi.useFakeTimers()`; the answer is computed in the timer's callback), or `sleep` when given
 * (e.g. a manual clock's timers).
 */
export class ScriptedCredential implements TokenCredential {
  readonly calls: RecordedCall[] = [];
  private steps: Step[];

  constructor(
    steps: Step[] = [],
    private readonly now: () => number = () => Date.now(),
    private readonly sleep?: (ms: number) => Promise<void>,
  ) {
    this.steps = [...steps];
  }

  /** Replaces the remaining script. */
  script(...steps: Step[]): this {
    this.steps = [...steps];
    return this;
  }

  getToken(scopes: string | string[], options?: GetTokenOptions): Promise<AccessToken | null> {
    this.calls.push({ scopes, options, at: this.now() });
    const step = this.steps.length > 1 ? this.steps.shift() : this.steps[0];
    if (!step) return Promise.reject(new Error("ScriptedCredential: no step scripted"));
    if ("hang" in step) return new Promise(() => {});
    if ("deferred" in step) return step.deferred.promise;
    const run = (): AccessToken | null => {
      if ("error" in step) throw step.error;
      if ("accessToken" in step) return step.accessToken(this.now());
      const now = this.now();
      return {
        token: step.token,
        expiresOnTimestamp: now + step.expiresInMs,
        ...(step.refreshAfterInMs !== undefined
          ? { refreshAfterTimestamp: now + step.refreshAfterInMs }
          : {}),
      };
    };
    if (!step.delayMs) {
      try {
        return Promise.resolve(run());
      } catch (error) {
        return Promise.reject(error);
      }
    }
    if (this.sleep) return this.sleep(step.delayMs).then(run);
    return new Promise((resolve, reject) => {
      setTimeout(() => {
        try {
          resolve(run());
        } catch (error) {
          reject(error);
        }
      }, step.delayMs);
    });
  }
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
