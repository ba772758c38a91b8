import type { ServerResponse } from "node:http";
import { sendJson } from "./sendJson.js";
import type { TestHttpServer } from "./startHttpServer.js";

/**
 * What an emulator does to one request instead of (or before) answering normally. Fields combine:
 * `{ delayMs: 300, status: 500 }` waits, then fails.
 */
export interface Fault {
  /** Answer this HTTP status with the protocol's error body. */
  readonly status?: number;
  /** `Retry-After` header in seconds (with `status`). */
  readonly retryAfter?: number;
  /** `Retry-After` header as an HTTP date (with `status`). */
  readonly retryAfterDate?: Date;
  /** Error message in the body (with `status`). */
  readonly message?: string;
  /** Wait this long before answering (normally, or as the rest of the fault says). */
  readonly delayMs?: number;
  /** Never answer: the socket stays open until the emulator closes. */
  readonly hang?: boolean;
  /** Answer 200 with a body that is not valid JSON. */
  readonly malformedBody?: boolean;
  /** Reset the connection (TCP RST) without answering. */
  readonly reset?: boolean;
  /** Token endpoints only: issue the token with this lifetime in seconds (negative: already expired). */
  readonly lifetimeSeconds?: number;
  /** Token endpoints only: write `expires_on` in this unit. */
  readonly expiresOnUnit?: "seconds" | "milliseconds";
}

/** Scripted faults, consumed one per request, and a persistent "down" fault that wins over them. */
export class FaultQueue {
  #queued: Fault[] = [];
  #down: Fault | undefined;

  enqueue(faults: readonly Fault[]): void {
    this.#queued.push(...faults);
  }

  /** `true`: answer every request 503; a `Fault`: apply it to every request; `false`: back up. */
  setDown(down: boolean | Fault): void {
    this.#down = down === true ? { status: 503 } : down === false ? undefined : down;
  }

  get isDown(): boolean {
    return this.#down !== undefined;
  }

  /** Scripted faults not consumed yet. */
  get pending(): number {
    return this.#queued.length;
  }

  next(): Fault | undefined {
    return this.#down ?? this.#queued.shift();
  }

  clear(): void {
    this.#queued = [];
    this.#down = undefined;
  }
}

/** A short description of a fault for request logs, e.g. `status 429`, `delay 300ms + hang`. */
export function describeFault(fault: Fault): string {
  const parts: string[] = [];
  if (fault.delayMs) parts.push(`delay ${fault.delayMs}ms`);
  if (fault.hang) parts.push("hang");
  else if (fault.reset) parts.push("reset");
  else if (fault.status !== undefined) parts.push(`status ${fault.status}`);
  else if (fault.malformedBody) parts.push("malformed body");
  if (fault.lifetimeSeconds !== undefined) parts.push(`lifetime ${fault.lifetimeSeconds}s`);
  if (fault.expiresOnUnit) parts.push(`expires_on in ${fault.expiresOnUnit}`);
  return parts.join(" + ");
}

/**
 * Applies the transport part of a fault (delay, hang, reset, status, malformed body). Returns the status
 * written, `"hang"` or `"reset"` when the fault answered, `undefined` when the request should be answered
 * normally (after any delay).
 */
export async function applyFault(
  server: TestHttpServer,
  res: ServerResponse,
  fault: Fault,
  errorBody: (status: number, message: string) => unknown,
): Promise<number | "hang" | "reset" | undefined> {
  if (fault.delayMs) await server.sleep(fault.delayMs);
  if (fault.hang) return "hang";
  if (fault.reset) {
    res.socket?.resetAndDestroy();
    return "reset";
  }
  if (fault.status !== undefined) {
    const headers: Record<string, string> = {};
    if (fault.retryAfter !== undefined) headers["retry-after"] = String(fault.retryAfter);
    else if (fault.retryAfterDate) headers["retry-after"] = fault.retryAfterDate.toUTCString();
    const message = fault.message ?? `injected fault: HTTP ${fault.status}`;
    sendJson(res, fault.status, errorBody(fault.status, message), headers);
    return fault.status;
  }
  if (fault.malformedBody) {
    res.writeHead(200, { "content-type": "application/json" });
    res.end('{"injected fault": "malformed bo');
    return 200;
  }
  return undefined;
}
