/**
 * Learns which credential of `DefaultAzureCredential`'s chain answered, from `@azure/identity`'s own log line
 * ("Result for ManagedIdentityCredential: SUCCESS…"), by listening to `@azure/logger` for the duration of one
 * token request. Only the credential's class name is kept; nothing else from the log is stored or printed.
 */
export async function watchAnsweringCredential(): Promise<{ stop(): string | undefined }> {
  let logger: typeof import("@azure/logger");
  try {
    logger = await import("@azure/logger");
  } catch {
    return { stop: () => undefined };
  }
  const { AzureLogger, getLogLevel, setLogLevel } = logger;
  const previousLevel = getLogLevel();
  const previousLog = AzureLogger.log;
  let answered: string | undefined;
  AzureLogger.log = (...args: unknown[]) => {
    const match = /Result for (\w+): SUCCESS/.exec(args.map(String).join(" "));
    if (match?.[1] && match[1] !== "DefaultAzureCredential" && match[1] !== "ChainedTokenCredential") {
      answered = match[1];
    }
  };
  setLogLevel("info");
  return {
    stop() {
      AzureLogger.log = previousLog;
      setLogLevel(previousLevel);
      return answered;
    },
  };
}
