/**
 * The `waitFor` bounds of static-key's tests, as they always were: fail after 3 s, look every 2 ms (a key
 * file change is seen within a poll).
 */
export const KEY_FILE_WAIT = { timeoutMs: 3_000, everyMs: 2 } as const;
