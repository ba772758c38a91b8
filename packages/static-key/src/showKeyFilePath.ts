import { isGuid } from "@copilot-byok/core/plugin";

const PATH_CHARACTERS = /^[\w .@~:/\\-]+$/;
const RANDOM_RUN = /^[A-Za-z0-9_+=-]{24,}$/;
/** The start of a base64url-encoded JSON object (`{"`): a JWT's header or payload. */
const JWT_PART = /eyJ[A-Za-z0-9_-]{8,}/;
/** An Authorization scheme followed by a credential: `Bearer <token>`, `Basic <…>`, …. */
const AUTHORIZATION_SCHEME = /^(bearer|basic|token|apikey|api-key|digest|sharedaccesssignature|sas)\s+\S/i;
/** A run of 16+ letters and digits that mixes both, or 16+ digits: a key's body, not a file name. */
const MIXED_RUN = /[A-Za-z0-9]{16,}/g;

/** What {@link showKeyFilePath} shows instead of a value that looks like a credential. */
export const KEY_FILE_PATH_NOT_SHOWN = "(value not shown: looks like a key/token, not a path)";

/**
 * A key file path for messages and `describe()`. Paths are not secrets, but a key or token pasted into
 * `COPILOT_PROVIDER_API_KEY_FILE` by mistake would be, and the value is then not shown at all
 * ({@link KEY_FILE_PATH_NOT_SHOWN}). A value looks like a credential when it holds a JWT part, starts a segment
 * with an Authorization scheme (`Bearer …`), has whitespace other than single spaces between words, has a long
 * random-looking segment (24+ key characters, a UUID excepted), a run of 16+ letters and digits that mixes
 * both, or characters paths rarely have.
 */
export function showKeyFilePath(path: string): string {
  return looksLikeCredential(path) ? KEY_FILE_PATH_NOT_SHOWN : path;
}

function looksLikeCredential(path: string): boolean {
  if (path.length > 1024 || !PATH_CHARACTERS.test(path) || JWT_PART.test(path)) return true;
  return path.split(/[\\/]/).some((segment) => {
    if (isGuid(segment)) return false;
    if (RANDOM_RUN.test(segment) || AUTHORIZATION_SCHEME.test(segment)) return true;
    // Whitespace: only single spaces between words, as in "My Keys/api key.txt".
    if (/\s/.test(segment) && !/^\S+( \S+)*$/.test(segment)) return true;
    return (segment.match(MIXED_RUN) ?? []).some(isKeyLikeRun);
  });
}

/** 16+ digits, or letters and digits mixed; not a word with a short number after it ("backupkeyfile2024"). */
function isKeyLikeRun(run: string): boolean {
  if (!/\d/.test(run)) return false;
  if (!/[A-Za-z]/.test(run)) return true;
  return !/^[A-Za-z]+\d{1,8}$/.test(run);
}
