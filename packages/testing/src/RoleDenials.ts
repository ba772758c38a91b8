import type { WireApi } from "./writeModelReply.js";

/** How `denyRole` refuses the principal. */
export interface DenyRoleOptions {
  /**
   * The status of the refusal. Default 403. Azure OpenAI was seen answering this `PermissionDenied` body with
   * 401 too (e.g. `openai.AuthenticationError: Error code: 401`); a client then tells it from an invalid token
   * only by the body's `code`.
   */
  readonly status?: 401 | 403;
}

/**
 * The data action and operation Azure names when a principal lacks the role, per route. The chat one is
 * Azure OpenAI's wording; the Claude one was reported for `/anthropic/v1/*`; the Responses one is the
 * emulator's guess in the same style.
 */
const DATA_ACTIONS: Readonly<Record<WireApi, readonly [action: string, operation: string]>> = {
  completions: [
    "Microsoft.CognitiveServices/accounts/OpenAI/deployments/chat/completions/action",
    "POST /openai/deployments/{deployment-id}/chat/completions",
  ],
  responses: ["Microsoft.CognitiveServices/accounts/OpenAI/responses/write", "POST /openai/v1/responses"],
  messages: ["Microsoft.CognitiveServices/accounts/AIServices/providers/action", "POST /anthropic/v1/*"],
};

/** Azure's `PermissionDenied` message for a principal without the data action of `wireApi`'s route. */
export function permissionDeniedMessage(objectId: string, wireApi: WireApi): string {
  const [action, operation] = DATA_ACTIONS[wireApi];
  return `The principal \`${objectId}\` lacks the required data action \`${action}\` to perform \`${operation}\` operation.`;
}

/** How a principal without the role is answered. */
export interface RoleRefusal {
  readonly status: 401 | 403;
  readonly code: "PermissionDenied";
  readonly message: string;
  /** For the request record. */
  readonly rejectReason: "permission denied";
}

/** Principals (`oid`) whose tokens authenticate but lack the role that allows inference on the resource. */
export class RoleDenials {
  #denied = new Map<string, 401 | 403>();

  deny(objectId: string, options: DenyRoleOptions = {}): void {
    this.#denied.set(objectId, options.status ?? 403);
  }

  /** Gives the role back. */
  grant(objectId: string): void {
    this.#denied.delete(objectId);
  }

  /** The refusal of `objectId` on `wireApi`'s route, `undefined` when it has the role. */
  refusal(objectId: unknown, wireApi: WireApi): RoleRefusal | undefined {
    const status = typeof objectId === "string" ? this.#denied.get(objectId) : undefined;
    if (status === undefined) return undefined;
    const message = permissionDeniedMessage(String(objectId), wireApi);
    return { status, code: "PermissionDenied", message, rejectReason: "permission denied" };
  }

  clear(): void {
    this.#denied.clear();
  }
}
