/**
 * What made the watcher adopt a new key: `change`, a poll or a directory event (once the key settled); `refusal`,
 * a re-read at once because the provider refused the previous key ({@link KeyFileWatcher.renew}).
 */
export type KeyRotationTrigger = "change" | "refusal";

/** A key file now holds a different valid key, which was adopted. Safe to log: fingerprints only. */
export interface KeyRotation {
  /** The key file, as shown in messages. */
  readonly path: string;
  readonly previousFingerprint: string;
  readonly fingerprint: string;
  /** When the new key was adopted. */
  readonly at: Date;
  /** Rotations seen so far, this one included. */
  readonly rotations: number;
  /** What made the watcher adopt it: a change of the file, or the provider's refusal of the previous key. */
  readonly trigger: KeyRotationTrigger;
}
