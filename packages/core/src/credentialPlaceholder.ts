import { randomBytes } from "node:crypto";

// The request edge hands the runtime a placeholder instead of a credential: one per source, random, so that a
// request carrying it names the source whose credential to apply, and a request that carries none (to another
// host, or of a session made without the edge) is not ours to touch.

const PREFIX = "copilot-byok-edge-";

/** The headers the Copilot runtime puts a provider credential in: `Authorization: Bearer`, Azure's, Anthropic's. */
export const CREDENTIAL_HEADERS = ["authorization", "api-key", "x-api-key"] as const;
export type CredentialHeader = (typeof CREDENTIAL_HEADERS)[number];

/** A new placeholder: not a credential, never accepted by a provider. */
export function createPlaceholder(): string {
  return `${PREFIX}${randomBytes(12).toString("hex")}`;
}

/** The placeholder a request carries and the header it is in, if any. */
export function findPlaceholder(
  headers: Headers,
): { readonly header: CredentialHeader; readonly placeholder: string } | undefined {
  for (const header of CREDENTIAL_HEADERS) {
    const raw = headers.get(header);
    if (raw === null) continue;
    const value = header === "authorization" && /^bearer /i.test(raw) ? raw.slice(7).trim() : raw.trim();
    if (value.startsWith(PREFIX)) return { header, placeholder: value };
  }
  return undefined;
}
