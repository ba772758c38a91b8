/**
 * Learns which credential of `DefaultAzureCredential`'s chain answered, from `@azure/identity`'s own log line
 * ("Result for ManagedIdentityCredential: SUCCESS…"), by listening to `@azure/logger` for the duration of one
 * token request. Only the credential's class name is kept; nothing else from the log is stored or printed.
 *
 * `@azure/logger` is process-wide: one hook serves every watch at once, the app's own log function still
 * receives every line, and the logger is restored when the last watch stops (whatever the order of stops).
 * With `scope`, only the lines of a request for that scope count ("… SUCCESS. Scopes: <scope>."): a request
 * for another scope running meanwhile is not taken for this one.
 */
export async function watchAnsweringCredential(
  options: { scope?: string } = {},
): Promise<{ stop(): string | undefined }> {
  let logger: typeof import("@azure/logger");
  try {
    logger = await import("@azure/logger");
  } catch {
    return { stop: () => undefined };
  }
  let answered: string | undefined;
  const { scope } = options;
  const listener = (line: string) => {
    const match = /Result for (\w+): SUCCESS/.exec(line);
    if (scope !== undefined && !line.includes(`SUCCESS. Scopes: ${scope}.`)) return;
    if (match?.[1] && match[1] !== "DefaultAzureCredential" && match[1] !== "ChainedTokenCredential") {
      answered = match[1];
    }
  };
  hook(logger, listener);
  let stopped = false;
  return {
    stop() {
      if (!stopped) unhook(logger, listener);
      stopped = true;
      return answered;
    },
  };
}

type AzureLogger = typeof import("@azure/logger");
type Listener = (line: string) => void;

const RANK: Record<string, number> = { verbose: 0, info: 1, warning: 2, error: 3 };
const listeners = new Set<Listener>();
let saved:
  | { log: AzureLogger["AzureLogger"]["log"]; level: ReturnType<AzureLogger["getLogLevel"]> }
  | undefined;

function hook({ AzureLogger, getLogLevel, setLogLevel }: AzureLogger, listener: Listener): void {
  listeners.add(listener);
  if (saved) return;
  saved = { log: AzureLogger.log, level: getLogLevel() };
  const appLog = saved.log;
  const appLevel = saved.level;
  AzureLogger.log = (...args: unknown[]) => {
    const line = args.map(String).join(" ");
    for (const l of listeners) l(line);
    // The app still gets the lines of the levels it asked for (the line starts "azure:<client>:<level> ").
    const level = /^azure:[^ ]*:(verbose|info|warning|error) /.exec(line)?.[1];
    if (appLevel !== undefined && (level === undefined || (RANK[level] ?? 0) >= (RANK[appLevel] ?? 0)))
      appLog(...args);
  };
  setLogLevel("info");
}

function unhook({ AzureLogger, setLogLevel }: AzureLogger, listener: Listener): void {
  listeners.delete(listener);
  if (listeners.size > 0 || !saved) return;
  AzureLogger.log = saved.log;
  setLogLevel(saved.level);
  saved = undefined;
}
