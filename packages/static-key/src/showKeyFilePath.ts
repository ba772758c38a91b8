const PATH_CHARACTERS = /^[\w .@~:/\\-]+$/;
const RANDOM_RUN = /^[A-Za-z0-9_+=-]{24,}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * A key file path for messages and `describe()`. Paths are not secrets, but a key pasted into
 * `COPILOT_PROVIDER_API_KEY_FILE` by mistake would be: a value with a long random-looking segment or
 * characters paths rarely have is shown by its length only.
 */
export function showKeyFilePath(path: string): string {
  const segments = path.split(/[\\/]/);
  const plausible =
    path.length <= 1024 &&
    PATH_CHARACTERS.test(path) &&
    !segments.some((segment) => RANDOM_RUN.test(segment) && !UUID.test(segment));
  return plausible
    ? path
    : `<a path of ${path.length} characters, not shown: it looks like a key rather than a file path>`;
}
