import { mkdir, mkdtemp, rename, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fingerprint } from "@copilot-byok/core";
import { type FoundryRequestRecord, startFoundryEmulator } from "@copilot-byok/testing";
import type { ResourceMetrics } from "@opentelemetry/sdk-metrics";
import type { ReadableSpan } from "@opentelemetry/sdk-trace-base";
import { askAcrossARotation } from "./app.js";
import { describeMetrics, describeSpans } from "./describeTelemetry.js";
import { startInMemoryTelemetry } from "./telemetry.js";

/** The emulator's keys before and after the rotation: no secrets ("CANARY": no output may ever hold them). */
export const OLD_KEY = "otel-example-CANARY-old-4f2a9c7e1b3d5a60";
export const NEW_KEY = "otel-example-CANARY-new-8e1d6b2f0a9c4e73";

/** What one run recorded. */
export interface ExampleRun {
  readonly replies: readonly [string, string];
  readonly metrics: ResourceMetrics | undefined;
  readonly spans: readonly ReadableSpan[];
  /** The emulator's log: what the provider was sent and answered (fingerprints, never keys). */
  readonly providerRequests: readonly FoundryRequestRecord[];
}

/**
 * The whole example on a Foundry emulator of `@copilot-byok/testing` (127.0.0.1): the in-memory SDK registered,
 * a turn, the key rotated on the emulator and in the key file, a second turn (401 → renewal → replay), then the
 * metrics and spans printed.
 */
export async function runExample(print: (line: string) => void = console.log): Promise<ExampleRun> {
  let keys = [OLD_KEY];
  const foundry = await startFoundryEmulator({ apiKeys: () => keys });
  const dir = await mkdtemp(join(tmpdir(), "example-opentelemetry-"));
  const telemetry = startInMemoryTelemetry();
  try {
    // The key file the app reads is a symlink into another directory (as a secret mount may be): a rewrite of
    // the target raises no event in the directory the app watches, and the poll is an hour away.
    await mkdir(join(dir, "secrets"));
    await mkdir(join(dir, "app"));
    await mkdir(join(dir, "copilot-home"));
    const target = join(dir, "secrets", "byok-key");
    const keyFile = join(dir, "app", "byok-key");
    await writeFile(target, `${OLD_KEY}\n`);
    await symlink(target, keyFile);
    const env = {
      AZURE_AI_FOUNDRY_RESOURCE_URL: foundry.resourceUrl,
      COPILOT_PROVIDER_MODEL_ID: "gpt-4.1",
      COPILOT_PROVIDER_API_KEY_FILE: keyFile,
      COPILOT_HOME: join(dir, "copilot-home"),
    };
    print(`Foundry emulator on ${foundry.resourceUrl}, accepting key ${fingerprint(OLD_KEY)} only`);
    const prompts = ["hello before the rotation", "hello after the rotation"] as const;
    const replies = await askAcrossARotation(env, prompts, async (firstReply) => {
      print(`reply 1: ${firstReply}`);
      keys = [NEW_KEY];
      await writeFile(`${target}.next`, `${NEW_KEY}\n`);
      await rename(`${target}.next`, target);
      print(
        `rotated: the emulator accepts ${fingerprint(NEW_KEY)} only, and the key file holds it (the app has not read it yet)`,
      );
    });
    print(`reply 2: ${replies[1]}`);
    const providerRequests = [...foundry.requests];
    print(
      `the provider answered: ${providerRequests.map((r) => `${r.status ?? "-"} (${r.keyFingerprint ?? "no key"})`).join(", ")}`,
    );
    const metrics = await telemetry.collectMetrics();
    const spans = telemetry.spans();
    print("");
    print("metrics:");
    for (const line of describeMetrics(metrics)) print(`  ${line}`);
    print("");
    print("spans:");
    for (const line of describeSpans(spans)) print(`  ${line}`);
    return { replies, metrics, spans, providerRequests };
  } finally {
    await telemetry.shutdown();
    await foundry.close();
    await rm(dir, { recursive: true, force: true });
  }
}
