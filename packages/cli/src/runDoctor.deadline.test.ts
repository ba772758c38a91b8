import type { ProviderConfigSource, ProviderConfigSourceModule } from "@copilot-byok/core";
import { describe, expect, it } from "vitest";
import { formatDoctorReport } from "./formatDoctorReport.js";
import { runDoctor } from "./runDoctor.js";

// Issue 16 (3): --timeout bounded each network step on its own, and only through the AbortSignal the source was
// given: a source (or credential) that ignores the signal held runDoctor forever. Now one deadline bounds the
// run: diagnose(), getProviderConfig() and the probe (its token included) each get what is left, raced against
// it, and the source is disposed. The bounds below are generous: the tests assert that runDoctor returns and
// what it says, not how fast a loaded machine is.

const never = <T>() => new Promise<T>(() => {});

/** A plug-in whose source ignores the signal: its diagnose() and getProviderConfig() never settle. */
function stuckModule(events: string[], parts: { config?: boolean } = {}): ProviderConfigSourceModule {
  return {
    mode: "stuck",
    detect: () => ({ applicable: true, strength: "explicit", reasons: ["always"] }),
    create: (): ProviderConfigSource => ({
      mode: "stuck",
      diagnose: () => never(),
      getProviderConfig: () =>
        parts.config
          ? Promise.resolve({
              type: "openai" as const,
              baseUrl: "https://stuck.example/v1/",
              // Its bearer token provider never answers either.
              bearerTokenProvider: () => never<string>(),
            })
          : never(),
      getCredential: () => never(),
      describe: () => ({ mode: "stuck" }),
      dispose: () => {
        events.push("disposed");
      },
    }),
  } as ProviderConfigSourceModule;
}

describe("runDoctor: one deadline for the whole run", () => {
  it("returns at the deadline when the source ignores its signal, saying so, and disposes the source", async () => {
    const events: string[] = [];
    const started = Date.now();
    const report = await runDoctor({
      env: { COPILOT_PROVIDER_MODEL_ID: "gpt-4.1" },
      modules: [stuckModule(events)],
      timeoutMs: 300,
    });
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(report).toMatchObject({ healthy: false, mode: "stuck" });
    expect(report.problems.join("\n")).toContain("within 300 ms (--timeout)");
    expect(formatDoctorReport(report).join("\n")).toContain("within 300 ms (--timeout)");
    expect(events).toEqual(["disposed"]);
  });

  it("bounds the probe's token by what is left of the deadline", async () => {
    const events: string[] = [];
    const report = await runDoctor({
      env: { COPILOT_PROVIDER_MODEL_ID: "gpt-4.1" },
      modules: [
        {
          ...stuckModule(events, { config: true }),
          create: () => {
            const source = stuckModule(events, { config: true }).create({} as never);
            // No diagnose(): the config comes at once, and only the probe's token hangs.
            return { ...source, diagnose: undefined };
          },
        } as ProviderConfigSourceModule,
      ],
      probe: true,
      timeoutMs: 300,
    });
    expect(report.probe).toMatchObject({ ok: false });
    expect(report.probe?.message).toContain("within 300 ms (--timeout)");
    expect(report.problems.join("\n")).toContain("within 300 ms (--timeout)");
    expect(events).toEqual(["disposed"]);
  });
});
