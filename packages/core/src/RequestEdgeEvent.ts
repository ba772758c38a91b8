import type { Logger } from "./Logger.js";
import { deliverEvent } from "./RefreshingCacheEvent.js";

/**
 * What the request edge reports:
 * - `request-replayed`: the provider refused a credential (401), the source renewed it and the request was sent
 *   once more with the new one, which the provider accepted;
 * - `replay-rejected`: the provider refused the renewed credential too: its 401 is returned as is;
 * - `credential-rejected`: a 401 that was not replayed: the source had no other credential (its explanation says
 *   why the provider may refuse this one), its renewal failed, or this credential was renewed already;
 * - `access-denied`: a 403: a credential the provider knows, without the role; never replayed.
 */
export type RequestEdgeEventType =
  | "request-replayed"
  | "replay-rejected"
  | "credential-rejected"
  | "access-denied";

/** An event of the request edge: safe to log, never holds a credential. */
export interface RequestEdgeEvent {
  readonly type: RequestEdgeEventType;
  /** One sentence for a log line, redacted. */
  readonly message: string;
  /** The source's mode. */
  readonly mode: string;
  /** The provider's status for the request as it is returned to the runtime. */
  readonly status: number;
  /** Whether the request was sent a second time. */
  readonly replayed: boolean;
  /** The Copilot session the request belongs to, when the SDK says. */
  readonly sessionId?: string;
  /** Why the provider may have refused the credential, from the source (`explainRejection`). */
  readonly explanation?: readonly string[];
  /** Why the source could not renew the credential (redacted). */
  readonly renewalError?: string;
}

/** Logs `event` (replayed: info; the rest: warn) and hands it to `onEvent`; neither may break a request. */
export function deliverEdgeEvent(
  event: RequestEdgeEvent,
  logger: Logger,
  onEvent: ((event: RequestEdgeEvent) => void) | undefined,
): RequestEdgeEvent {
  return deliverEvent(
    event,
    "copilot-byok request edge",
    logger,
    onEvent,
    event.type === "request-replayed" ? "info" : "warn",
  );
}
