import { createHash, randomBytes, timingSafeEqual } from "node:crypto";

/** What `apiKeys` may be: a list the emulator keeps (and `regenerate` edits), or a function read per request. */
export type ApiKeySource = readonly string[] | (() => readonly string[]);

/**
 * A key's fingerprint for request logs: `sha256:` and the first 8 hex digits of its SHA-256, the format of
 * `fingerprint` in `@copilot-byok/core/plugin`, so a test can compare the two. Not reversible.
 */
export function keyFingerprint(key: string): string {
  return `sha256:${createHash("sha256").update(key, "utf8").digest("hex").slice(0, 8)}`;
}

const digest = (value: string) => createHash("sha256").update(value).digest();
const sameSecret = (a: string, b: string) => timingSafeEqual(digest(a), digest(b));

/** The keys a resource accepts, compared in constant time; a list given as an array can be regenerated. */
export class ApiKeys {
  readonly #read: (() => readonly string[]) | undefined;
  readonly #initial: readonly string[];
  #list: string[];

  constructor(source: ApiKeySource | undefined) {
    this.#read = typeof source === "function" ? source : undefined;
    this.#initial = typeof source === "function" ? [] : [...(source ?? [])];
    this.#list = [...this.#initial];
  }

  /** The keys accepted now. */
  get current(): readonly string[] {
    return this.#read ? this.#read() : this.#list;
  }

  includes(value: string): boolean {
    return this.current.some((key) => sameSecret(key, value));
  }

  /**
   * Replaces `oldKey` (default: the first key, Azure's `key1`) with a new random key, as "Regenerate key"
   * does on the resource: the old key is refused from now on, the other keys keep working.
   */
  regenerate(oldKey?: string): string {
    if (this.#read)
      throw new Error("regenerateKey: apiKeys is a function; rotate by changing what it returns");
    const index = oldKey === undefined ? 0 : this.#list.findIndex((key) => sameSecret(key, oldKey));
    if (index < 0 || index >= this.#list.length) {
      throw new Error(
        oldKey === undefined
          ? "regenerateKey: the emulator has no key to regenerate (start it with apiKeys)"
          : `regenerateKey: ${keyFingerprint(oldKey)} is not a key of this resource`,
      );
    }
    const key = randomBytes(16).toString("hex");
    this.#list[index] = key;
    return key;
  }

  /** Back to the keys the emulator was started with (undoes `regenerate`). */
  restore(): void {
    this.#list = [...this.#initial];
  }
}
