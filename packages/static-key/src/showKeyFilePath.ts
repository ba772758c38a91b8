import { isGuid } from "@copilot-byok/core/plugin";

const PATH_CHARACTERS = /^[\w .@~:/\\-]+$/;
const RANDOM_RUN = /^[A-Za-z0-9_+=-]{24,}$/;
/** The start of a base64url-encoded JSON object (`{"`): a JWT's header or payload. */
const JWT_PART = /eyJ[A-Za-z0-9_-]{8,}/;
/** An Authorization scheme followed by a credential: `Bearer <token>`, `Basic <…>`, …. */
const AUTHORIZATION_SCHEME = /^(bearer|basic|token|apikey|api-key|digest|sharedaccesssignature|sas)\s+\S/i;
/** A run of 16+ letters and digits that mixes both, or 16+ digits: a key's body, not a file name. */
const MIXED_RUN = /[A-Za-z0-9]{16,}/g;

/** A word of a plain file name: lower case, upper case or capitalised, up to three camel-case humps, a short number. */
const WORD = "(?:(?:[A-Z]?[a-z]+|[A-Z]+)(?:[A-Z][a-z]+){0,2}\\d{0,4}|\\d{1,4})";
/**
 * A plain file name, the only thing shown of a value with no path separator: words joined by `-`, `_`, `.` or a
 * space, an optional leading dot (`key`, `api-key`, `key.txt`, `.env`, `byok_key2.pem`, `My Key.txt`).
 */
const PLAIN_FILE_NAME = new RegExp(`^\\.?${WORD}(?:[-_. ]${WORD})*$`);
/** The prefix of a provider's key or token (`sk-…`, `sk-ant-…`, `sk-proj-…`, `gsk_…`, `ghp_…`, `xoxb-…`, `AIza…`). */
const KEY_PREFIX = /^(?:sk|pk|rk|ak|gsk|gh[opsur]|github_pat|xox[a-z]|glpat)[-_]|^AIza/i;

/** What {@link showKeyFilePath} shows instead of a value that looks like a credential. */
export const KEY_FILE_PATH_NOT_SHOWN = "(value not shown: looks like a key/token, not a path)";

/**
 * A key file path for messages and `describe()`. Paths are not secrets, but a key or token pasted into
 * `COPILOT_PROVIDER_API_KEY_FILE` by mistake would be, and the value is then not shown at all
 * ({@link KEY_FILE_PATH_NOT_SHOWN}).
 *
 * A value with a path separator (`/`, `\`) looks like a credential when it holds a JWT part, starts a segment
 * with an Authorization scheme (`Bearer …`), has whitespace other than single spaces between words, has a long
 * random-looking segment (24+ key characters, a UUID excepted), a run of 16+ letters and digits that mixes
 * both, or characters paths rarely have. A value without one is shown only when it is a plain file name
 * (words of letters joined by `-`, `_`, `.` or a space, short numbers: `key`, `api-key`, `key.txt`), and not
 * when it starts like a provider's key (`sk-…`): a short dashed key, a UUID alone, a hex or base64 run is hidden.
 *
 * @param given The value as configured, judged as above.
 * @param shown What to show when `given` is fine: by default `given`; a caller that resolved a relative path
 *   passes the absolute one (judged too), so that a key given as a bare name is not shown behind a directory.
 */
export function showKeyFilePath(given: string, shown: string = given): string {
  if (looksLikeCredential(given) || (shown !== given && looksLikeCredential(shown))) {
    return KEY_FILE_PATH_NOT_SHOWN;
  }
  return shown;
}

function looksLikeCredential(path: string): boolean {
  if (path.length > 1024 || !PATH_CHARACTERS.test(path) || JWT_PART.test(path)) return true;
  if (!/[\\/]/.test(path)) return !PLAIN_FILE_NAME.test(path) || KEY_PREFIX.test(path);
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
