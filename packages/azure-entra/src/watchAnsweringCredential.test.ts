import { AzureLogger, createClientLogger, getLogLevel, setLogLevel } from "@azure/logger";
import { afterEach, describe, expect, it } from "vitest";
import { watchAnsweringCredential } from "./watchAnsweringCredential.js";

const identity = createClientLogger("identity");
const original = AzureLogger.log;
afterEach(() => {
  AzureLogger.log = original;
  setLogLevel(undefined as never);
});

describe("watchAnsweringCredential", () => {
  it("names the credential that answered, and restores the app's logger after overlapping watches", async () => {
    const appLines: string[] = [];
    const appLog = (...args: unknown[]) => void appLines.push(args.map(String).join(" "));
    AzureLogger.log = appLog;
    setLogLevel("warning");
    const a = await watchAnsweringCredential();
    const b = await watchAnsweringCredential();
    identity.info("ChainedTokenCredential => Result for ManagedIdentityCredential: SUCCESS");
    identity.warning("a warning the app asked for");
    expect(a.stop()).toBe("ManagedIdentityCredential");
    expect(AzureLogger.log).not.toBe(appLog); // b still listens
    expect(b.stop()).toBe("ManagedIdentityCredential");
    expect(AzureLogger.log).toBe(appLog);
    expect(getLogLevel()).toBe("warning");
    expect(appLines).toEqual(["azure:identity:warning a warning the app asked for"]);
  });
});
