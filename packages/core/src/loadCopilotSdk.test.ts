import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { COPILOT_SDK_RANGE, loadCopilotSdk } from "./loadCopilotSdk.js";
import { createSdkFreeNode, type SdkFreeNode } from "./test-support/withoutCopilotSdk.js";

// The built package, as an app imports it, in a process where @github/copilot-sdk is not installed.
const PACKAGE_DIR = fileURLToPath(new URL("..", import.meta.url));
const ESM = new URL("../dist/esm/index.js", import.meta.url);
const ESM_PLUGIN = new URL("../dist/esm/plugin.js", import.meta.url);
const CJS = fileURLToPath(new URL("../dist/cjs/index.js", import.meta.url));
let node: SdkFreeNode;

beforeAll(async () => {
  for (const file of [fileURLToPath(ESM), CJS]) {
    if (!existsSync(file)) throw new Error(`${file} is missing: build first (npm run setup)`);
  }
  node = await createSdkFreeNode();
});
afterAll(async () => {
  await node?.close();
});

/** Registers a one-mode app and creates a session: everything but the client works without the SDK. */
const APP = `
import "reflect-metadata";
import { container } from "tsyringe";
const core = await import(${JSON.stringify(ESM.href)});
const plugin = await import(${JSON.stringify(ESM_PLUGIN.href)});
const out = { exports: Object.keys(core).length };
try {
  await import("@github/copilot-sdk");
  out.sdk = "loaded";
} catch (error) {
  out.sdk = error.code;
}
const module = {
  mode: "fixed",
  detect: () => ({ applicable: true, reasons: ["always"] }),
  create: () => ({
    mode: "fixed",
    getProviderConfig: async () => ({ baseUrl: "https://example.test/v1/", apiKey: "k" }),
    describe: () => ({ mode: "fixed" }),
  }),
};
const app = container.createChildContainer();
out.mode = core.registerCopilotByok(app, { env: {}, modules: [module] }).mode;
out.source = app.resolve(core.PROVIDER_CONFIG_SOURCE).describe().mode;
try {
  await app.resolve(core.CopilotSessionFactory).createSession({ model: "m" });
} catch (error) {
  out.session = { code: error.code, problems: error.problems };
}
try {
  await plugin.loadCopilotSdk();
} catch (error) {
  out.load = { name: error.name, code: error.code };
}
console.log(JSON.stringify(out));
`;

describe("@github/copilot-sdk is loaded only when a client is needed", () => {
  it("ESM: importing core, selecting, registering and resolving the source work without the SDK; a session says what to install", async () => {
    const r = await node.run(["--input-type=module", "-e", APP], { cwd: PACKAGE_DIR });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.exports).toBeGreaterThan(10);
    expect(out.sdk).toBe("ERR_MODULE_NOT_FOUND"); // the SDK is out of reach indeed
    expect(out).toMatchObject({ mode: "fixed", source: "fixed" });
    expect(out.session).toEqual({
      code: "COPILOT_BYOK_CONFIGURATION",
      problems: [
        `@github/copilot-sdk is not installed (a peer dependency of copilot-byok: the app installs it): npm install @github/copilot-sdk@${COPILOT_SDK_RANGE}`,
      ],
    });
    expect(out.load).toEqual({ name: "ConfigurationError", code: "COPILOT_BYOK_CONFIGURATION" });
  });

  it("CommonJS: require() of core loads no module of the SDK", async () => {
    const script = `
      const core = require(${JSON.stringify(CJS)});
      const plugin = require(${JSON.stringify(CJS.replace(/index\.js$/, "plugin.js"))});
      const loaded = Object.keys(require.cache).filter((file) => file.includes("copilot-sdk"));
      let sdk = "loaded";
      try { require("@github/copilot-sdk"); } catch (error) { sdk = error.code; }
      plugin.loadCopilotSdk().catch((error) => {
        console.log(JSON.stringify({ exports: Object.keys(core).length, loaded, sdk, load: error.problems }));
      });
    `;
    const r = await node.run(["-e", script], { cwd: PACKAGE_DIR });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.exports).toBeGreaterThan(10);
    expect(out.loaded).toEqual([]);
    expect(out.sdk).toBe("MODULE_NOT_FOUND");
    expect(out.load).toEqual([
      expect.stringContaining(`npm install @github/copilot-sdk@${COPILOT_SDK_RANGE}`),
    ]);
  });

  it("where the SDK is installed, loads it once", async () => {
    const sdk = await loadCopilotSdk();
    expect(typeof sdk.CopilotClient).toBe("function");
    expect(await loadCopilotSdk()).toBe(sdk);
  });

  it("names the range of the peer dependency", () => {
    const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8"));
    expect(pkg.peerDependencies["@github/copilot-sdk"]).toBe(COPILOT_SDK_RANGE);
  });
});
