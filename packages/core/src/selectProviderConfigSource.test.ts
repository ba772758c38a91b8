import "reflect-metadata";
import { container } from "tsyringe";
import { describe, expect, expectTypeOf, it } from "vitest";
import { ConfigurationError } from "./ConfigurationError.js";
import { registerCopilotByok } from "./registerCopilotByok.js";
import { selectProviderConfigSource } from "./selectProviderConfigSource.js";
import { FakeCopilotClient } from "./test-support/FakeCopilotClient.js";
import { CANARY_KEY, identityLikeModule, keyLikeModule, testModule } from "./test-support/testModules.js";
import type { Env, ProviderConfigSourceModule, Selection } from "./types.js";

const FOUNDRY = { AZURE_AI_FOUNDRY_RESOURCE_URL: "https://r.services.ai.azure.com" };
const modules = () => [keyLikeModule(), identityLikeModule()];

function problemsOf(fn: () => unknown): readonly string[] {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigurationError);
    const e = error as ConfigurationError;
    expect(e.code).toBe("COPILOT_BYOK_CONFIGURATION");
    expect(e.name).toBe("ConfigurationError");
    for (const p of e.problems) expect(e.message).toContain(p);
    return e.problems;
  }
  throw new Error("expected a ConfigurationError");
}

describe("selectProviderConfigSource: auto", () => {
  it.each<[string, Env, string, string]>([
    [
      "a key",
      { ...FOUNDRY, COPILOT_PROVIDER_API_KEY: CANARY_KEY },
      "static-key",
      "static key found in COPILOT_PROVIDER_API_KEY",
    ],
    [
      "a key file",
      { ...FOUNDRY, COPILOT_PROVIDER_API_KEY_FILE: "/run/secrets/k" },
      "static-key",
      "COPILOT_PROVIDER_API_KEY_FILE",
    ],
    [
      "AZURE_OPENAI_API_KEY",
      { ...FOUNDRY, AZURE_OPENAI_API_KEY: CANARY_KEY },
      "static-key",
      "AZURE_OPENAI_API_KEY",
    ],
    [
      "identity signals",
      { ...FOUNDRY, IDENTITY_ENDPOINT: "http://127.0.0.1:1/msi" },
      "azure-entra",
      "IDENTITY_ENDPOINT",
    ],
    [
      "workload identity",
      { ...FOUNDRY, AZURE_FEDERATED_TOKEN_FILE: "/var/run/t" },
      "azure-entra",
      "AZURE_FEDERATED_TOKEN_FILE",
    ],
    ["nothing", { ...FOUNDRY }, "azure-entra", "no identity signals"],
    [
      "auto spelled out",
      { ...FOUNDRY, COPILOT_PROVIDER_AUTH: "auto" },
      "azure-entra",
      "COPILOT_PROVIDER_AUTH=auto",
    ],
  ])("with %s chooses %s", (_, env, mode, reason) => {
    const s = selectProviderConfigSource(env, modules());
    expect(s.mode).toBe(mode);
    expect(s.module.mode).toBe(mode);
    expect(s.reasons.join("\n")).toContain(reason);
    expect(s.reasons.join("\n")).not.toContain(CANARY_KEY);
  });

  it("says when a key wins over identity signals, and what to set to use them", () => {
    const s = selectProviderConfigSource(
      {
        ...FOUNDRY,
        AZURE_OPENAI_API_KEY: CANARY_KEY,
        IDENTITY_ENDPOINT: "http://127.0.0.1:1/msi",
        IDENTITY_HEADER: "h",
      },
      modules(),
    );
    expect(s.mode).toBe("static-key");
    expect(s.reasons).toContain("static key found in AZURE_OPENAI_API_KEY");
    expect(s.reasons).toContain(
      "also present: managed identity signals (IDENTITY_ENDPOINT): set COPILOT_PROVIDER_AUTH=azure-entra to use azure-entra instead",
    );
  });

  it("does not depend on module order when strengths differ, and breaks ties by order", () => {
    const env = { ...FOUNDRY, COPILOT_PROVIDER_API_KEY: "k" };
    expect(selectProviderConfigSource(env, [identityLikeModule(), keyLikeModule()]).mode).toBe("static-key");
    const a = testModule("vault-a", () => ({ applicable: true, strength: "explicit", reasons: ["a"] }));
    const b = testModule("vault-b", () => ({ applicable: true, strength: "explicit", reasons: ["b"] }));
    expect(selectProviderConfigSource(env, [a, b, keyLikeModule()]).mode).toBe("vault-a");
    expect(selectProviderConfigSource(env, [b, a]).mode).toBe("vault-b");
  });

  it("reports the base URL variable that won and the ones ignored", () => {
    const s = selectProviderConfigSource(
      { COPILOT_PROVIDER_BASE_URL: "https://gw.example/v1/", AZURE_OPENAI_ENDPOINT: "https://r.example" },
      modules(),
    );
    expect(s.reasons.join("\n")).toContain(
      "base URL from COPILOT_PROVIDER_BASE_URL; AZURE_OPENAI_ENDPOINT also set and ignored",
    );
  });

  it("fails when no module applies, saying what each saw", () => {
    const problems = problemsOf(() => selectProviderConfigSource({ ...FOUNDRY }, [keyLikeModule()]));
    expect(problems.join()).toContain("found no applicable mode (static-key: no static key variable set)");
  });
});

describe("selectProviderConfigSource: explicit mode", () => {
  it("chooses the named mode even when another is stronger, and says why", () => {
    const s = selectProviderConfigSource(
      { ...FOUNDRY, COPILOT_PROVIDER_AUTH: "azure-entra", COPILOT_PROVIDER_API_KEY: CANARY_KEY },
      modules(),
    );
    expect(s.mode).toBe("azure-entra");
    expect(s.reasons[0]).toBe("COPILOT_PROVIDER_AUTH=azure-entra chooses azure-entra");
  });

  it("selects a third-party module by its mode name", () => {
    const vault = testModule("key-vault", () => ({
      applicable: false,
      reasons: ["vault configured by app"],
    }));
    const s = selectProviderConfigSource({ ...FOUNDRY, COPILOT_PROVIDER_AUTH: "key-vault" }, [
      ...modules(),
      vault,
    ]);
    expect(s.mode).toBe("key-vault");
    expect(s.module).toBe(vault);
    expect(s.reasons).toContain("vault configured by app");
  });

  it("refuses an unknown mode, listing the accepted values", () => {
    const problems = problemsOf(() =>
      selectProviderConfigSource({ ...FOUNDRY, COPILOT_PROVIDER_AUTH: "managed" }, modules()),
    );
    expect(problems).toEqual([
      'COPILOT_PROVIDER_AUTH has "managed", which is not a registered mode: use one of auto, static-key, azure-entra (or pass the module that serves it in modules)',
    ]);
  });

  it("with an unknown mode, still reports the problems every mode would have", () => {
    const problems = problemsOf(() =>
      selectProviderConfigSource({ COPILOT_PROVIDER_AUTH: "managed" }, modules()),
    );
    expect(problems).toHaveLength(2);
    expect(problems[1]).toContain("no provider endpoint");
  });

  it("says how to get a mode that was not registered, without a table of built-in modes", () => {
    const problems = problemsOf(() =>
      selectProviderConfigSource({ ...FOUNDRY, COPILOT_PROVIDER_AUTH: "azure-entra" }, [keyLikeModule()]),
    );
    expect(problems[0]).toBe(
      `COPILOT_PROVIDER_AUTH has "azure-entra", which is not a registered mode: use one of auto, ${keyLikeModule().mode} (or pass the module that serves it in modules)`,
    );
  });

  it("refuses an empty COPILOT_PROVIDER_AUTH", () => {
    const problems = problemsOf(() =>
      selectProviderConfigSource({ ...FOUNDRY, COPILOT_PROVIDER_AUTH: " " }, modules()),
    );
    expect(problems).toEqual(["COPILOT_PROVIDER_AUTH is set but empty: unset it or give it a value"]);
  });

  it("never echoes a secret pasted into COPILOT_PROVIDER_AUTH", () => {
    const problems = problemsOf(() =>
      selectProviderConfigSource({ ...FOUNDRY, COPILOT_PROVIDER_AUTH: CANARY_KEY }, modules()),
    );
    expect(problems.join()).not.toContain(CANARY_KEY);
  });
});

describe("selectProviderConfigSource: problems", () => {
  it("lists every problem at once: shared variables and the chosen module's own", () => {
    const problems = problemsOf(() =>
      selectProviderConfigSource(
        {
          COPILOT_PROVIDER_TYPE: "bedrock",
          COPILOT_PROVIDER_WIRE_API: "",
          COPILOT_PROVIDER_API_KEY: CANARY_KEY,
        },
        modules(),
      ),
    );
    expect(problems).toHaveLength(3);
    expect(problems.join("\n")).toMatch(/COPILOT_PROVIDER_TYPE.*openai, azure, anthropic/);
    expect(problems.join("\n")).toContain("COPILOT_PROVIDER_WIRE_API is set but empty");
    expect(problems.join("\n")).toContain("no provider endpoint: set COPILOT_PROVIDER_BASE_URL");
    expect(problems.join("\n")).not.toContain(CANARY_KEY);
  });

  it("reports only the chosen module's problems", () => {
    const s = selectProviderConfigSource({ ...FOUNDRY }, modules());
    expect(s.mode).toBe("azure-entra"); // the key module's "no key" problem is not reported
  });

  it("turns a module whose detect throws into a problem", () => {
    const broken = testModule("broken", () => {
      throw new TypeError(`boom ${CANARY_KEY}`);
    });
    const problems = problemsOf(() =>
      selectProviderConfigSource({ ...FOUNDRY }, [broken, identityLikeModule()]),
    );
    expect(problems).toEqual(['module "broken" failed to inspect the environment (TypeError)']);
  });

  it("checks the modules list", () => {
    expect(problemsOf(() => selectProviderConfigSource(FOUNDRY, []))[0]).toContain(
      "no provider config source modules",
    );
    const dup = problemsOf(() =>
      selectProviderConfigSource(FOUNDRY, [identityLikeModule(), identityLikeModule()]),
    );
    expect(dup).toContain('two modules share the mode "azure-entra": each mode must be registered once');
    const bad = testModule("Bad Mode", () => ({ applicable: true, reasons: [] }));
    expect(problemsOf(() => selectProviderConfigSource(FOUNDRY, [bad]))[0]).toContain("invalid mode name");
    const auto = testModule("auto", () => ({ applicable: true, reasons: [] }));
    expect(problemsOf(() => selectProviderConfigSource(FOUNDRY, [auto]))[0]).toContain("reserved");
  });

  it("is pure: same input, same output, env untouched", () => {
    const env = Object.freeze({
      ...FOUNDRY,
      AZURE_OPENAI_API_KEY: "k",
      IDENTITY_ENDPOINT: "http://127.0.0.1:1",
    });
    const ms = modules();
    const a = selectProviderConfigSource(env, ms);
    const b = selectProviderConfigSource(env, ms);
    expect(a).toEqual(b);
    expect(Object.isFrozen(a.reasons)).toBe(true);
    expect(ms[0]?.created).toHaveLength(0);
  });
});

describe("the selection's mode type", () => {
  /** A module whose mode is declared as its literal type, as the built-in ones are. */
  function literal<Mode extends string>(mode: Mode, applicable: boolean): ProviderConfigSourceModule<Mode> {
    const { detect, create } = testModule(mode, () => ({ applicable, reasons: [`${mode} detected`] }));
    return { mode, detect, create };
  }
  const broker = literal("token-broker", true);
  const vault = literal("key-vault", false);

  it("is the union of the modules' modes when they declare them, in selection and registration alike", () => {
    const selection = selectProviderConfigSource(FOUNDRY, [broker, vault]);
    expectTypeOf(selection.mode).toEqualTypeOf<"token-broker" | "key-vault">();
    expectTypeOf(selection).toEqualTypeOf<Selection<"token-broker" | "key-vault">>();
    expect(selection.mode).toBe("token-broker");

    const registered = registerCopilotByok(container.createChildContainer(), {
      env: { ...FOUNDRY, COPILOT_PROVIDER_AUTH: "key-vault" },
      modules: [broker, vault],
      client: new FakeCopilotClient().asClient(),
    });
    expectTypeOf(registered.mode).toEqualTypeOf<"token-broker" | "key-vault">();
    expect(registered.mode).toBe("key-vault");
    // Narrowing works on it: each branch knows its mode.
    const label = registered.mode === "key-vault" ? "vault" : "broker";
    expect(label).toBe("vault");
  });

  it("stays string without a type argument, for modules typed loosely, or mixed with one", () => {
    expectTypeOf<Selection["mode"]>().toEqualTypeOf<string>();
    expectTypeOf<ProviderConfigSourceModule["mode"]>().toEqualTypeOf<string>();
    const loose: ProviderConfigSourceModule[] = [keyLikeModule(), identityLikeModule()];
    expectTypeOf(selectProviderConfigSource(FOUNDRY, loose).mode).toEqualTypeOf<string>();
    expectTypeOf(selectProviderConfigSource(FOUNDRY, [broker, keyLikeModule()]).mode).toEqualTypeOf<string>();
    // A literal-moded selection is still a Selection where one is expected.
    const typed: Selection = selectProviderConfigSource(FOUNDRY, [broker]);
    expect(typed.mode).toBe("token-broker");
  });
});
