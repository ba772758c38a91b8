#!/usr/bin/env node
// Runs the README snippets marked runnable against the emulators of @copilot-byok/testing, and fails the
// build when one stops running. check-snippets.mjs type-checks every ```ts block; this runs the marked ones.
//
// The convention. A ```ts block (or a ```sh block of commands, run by bash -e at the repository root, as the
// examples' READMEs say to run them) is runnable when the line right before its fence is a marker:
//
//   <!-- runnable: SETUP… [NAME=value…] [expect="text"] [timeout=ms] -->
//
//   SETUP              what the runner starts and which variables it sets, the same ones
//                      `copilot-byok emulators` prints:
//     emulators:entra        AZURE_AI_FOUNDRY_RESOURCE_URL, IDENTITY_ENDPOINT, IDENTITY_HEADER (managed identity)
//     emulators:static-key   AZURE_AI_FOUNDRY_RESOURCE_URL, COPILOT_PROVIDER_API_KEY (the emulator's key)
//     token-broker           TOKEN_BROKER_URL: examples/custom-source's stand-in broker (with emulators:entra)
//     none                   nothing (a snippet that starts what it needs itself)
//   NAME=value         a variable of the snippet's own, e.g. COPILOT_PROVIDER_MODEL_ID=gpt-4.1
//   expect="text"      its stdout must contain text (the Foundry emulator answers "Echo: <prompt>")
//   timeout=ms         default 30000; the snippet (and what it spawned) is killed then
//
// Several runs of one snippet are separated by " | " (the same code in static-key and Entra ID mode). The doc
// must state the environment: every variable a run sets has to be named in the prose within the
// 12 lines above the marker, or the snippet fails. Each run gets a clean environment (no COPILOT_*,
// AZURE_*, IDENTITY_*, MSI_*, proxy variables of this shell) plus the run's variables; the snippet is
// transpiled to an ES module under .tsbuild/run-snippets/, where the workspace packages resolve to their
// built dist (build first). A run passes when it exits 0 within its timeout and prints what `expect` says.
//
// Also checked: no Markdown file outside node_modules says `npx copilot-byok` (the package is
// @copilot-byok/cli: `npx @copilot-byok/cli …`). Before the real docs, the runner checks itself on a README
// of broken snippets, each of which must be reported (`--self-test`: only that; `--no-self-test`: skip it).
// Exit 1 names the README, the line and the reason. `node scripts/run-snippets.mjs [README …]` runs those only.
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const outDir = join(root, ".tsbuild", "run-snippets");
const ts = (
  await import(pathToFileURL(join(root, "node_modules", "typescript", "lib", "typescript.js")).href)
).default;
const CONCURRENCY = 2;
const STATED_WITHIN_LINES = 12;
const SETUPS = {
  "emulators:entra": ["AZURE_AI_FOUNDRY_RESOURCE_URL", "IDENTITY_ENDPOINT", "IDENTITY_HEADER"],
  "emulators:static-key": ["AZURE_AI_FOUNDRY_RESOURCE_URL", "COPILOT_PROVIDER_API_KEY"],
  "token-broker": ["TOKEN_BROKER_URL"],
  none: [],
};

function readmes() {
  const list = [join(root, "README.md")];
  for (const group of ["packages", "examples"]) {
    const dir = join(root, group);
    if (!existsSync(dir)) continue;
    for (const name of readdirSync(dir).sort()) {
      const readme = join(dir, name, "README.md");
      if (existsSync(readme)) list.push(readme);
    }
  }
  return list;
}

function markdownFiles(dir, found = []) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (["node_modules", ".git", ".tsbuild", "dist", ".test-results", "coverage"].includes(entry.name))
      continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) markdownFiles(path, found);
    else if (entry.name.endsWith(".md")) found.push(path);
  }
  return found;
}

/** `npx copilot-byok` in any doc: the command is `npx @copilot-byok/cli …` (the package's name). */
function findBareNpx(files) {
  const problems = [];
  for (const file of files) {
    readFileSync(file, "utf8")
      .split("\n")
      .forEach((line, i) => {
        if (/npx\s+copilot-byok\b/.test(line))
          problems.push(
            `${relative(root, file)}:${i + 1}: says "npx copilot-byok": write "npx @copilot-byok/cli …"`,
          );
      });
  }
  return problems;
}

function tokenize(text) {
  return [...text.matchAll(/(\S+?)="([^"]*)"|(\S+)/g)].map((m) => (m[1] ? [m[1], m[2]] : [m[3], undefined]));
}

/** The runnable snippets of a README, each with its runs, or the problems of its markers. */
function parseReadme(readme) {
  const text = readFileSync(readme, "utf8");
  const lines = text.split("\n");
  const snippets = [];
  const problems = [];
  const where = (line) => `${relative(root, readme)}:${line}`;
  lines.forEach((line, i) => {
    const marker = /^<!--\s*runnable:(.*?)-->\s*$/.exec(line);
    if (!marker) return;
    const fenceLine = i + 2;
    const fence = /^```(ts|typescript|sh|bash)\b/.exec(lines[i + 1] ?? "");
    if (!fence) {
      problems.push(
        `${where(i + 1)}: a runnable marker must be the line right before a \`\`\`ts or \`\`\`sh fence`,
      );
      return;
    }
    const kind = fence[1] === "sh" || fence[1] === "bash" ? "sh" : "ts";
    const end = lines.findIndex((l, j) => j > i + 1 && /^```\s*$/.test(l));
    if (end === -1) {
      problems.push(`${where(fenceLine)}: the runnable snippet's fence is never closed`);
      return;
    }
    const code = lines.slice(i + 2, end).join("\n");
    const prose = lines.slice(Math.max(0, i - STATED_WITHIN_LINES), i).join("\n");
    const runs = [];
    for (const part of marker[1].split(" | ")) {
      const run = { setups: [], env: {}, expect: undefined, timeoutMs: 30_000 };
      for (const [key, value] of tokenize(part)) {
        const [name, given] = value === undefined && key.includes("=") ? key.split(/=(.*)/s) : [key, value];
        if (given === undefined && name in SETUPS) run.setups.push(name);
        else if (name === "expect" && given !== undefined) run.expect = given;
        else if (name === "timeout" && Number(given) > 0) run.timeoutMs = Number(given);
        else if (/^[A-Z][A-Z0-9_]*$/.test(name) && given !== undefined) run.env[name] = given;
        else
          problems.push(
            `${where(i + 1)}: unknown runnable marker word "${key}" (setups: ${Object.keys(SETUPS).join(", ")})`,
          );
      }
      if (run.setups.length === 0)
        problems.push(`${where(i + 1)}: a run names no setup (use "none" for none)`);
      const names = [...run.setups.flatMap((s) => SETUPS[s]), ...Object.keys(run.env)];
      const unstated = names.filter((name) => !prose.includes(name));
      if (unstated.length > 0)
        problems.push(
          `${where(fenceLine)}: the snippet runs with ${unstated.join(", ")}, which the text above it does not state`,
        );
      runs.push(run);
    }
    snippets.push({ readme, line: fenceLine, where: where(fenceLine), kind, code, runs });
  });
  return { snippets, problems };
}

async function startSetups() {
  const testing = join(root, "packages", "testing", "dist", "esm", "index.js");
  if (!existsSync(testing))
    throw new Error(`${relative(root, testing)} is missing: build first (npm run setup)`);
  const { startAzureEmulators } = await import(pathToFileURL(testing).href);
  const { EMULATOR_API_KEY } = await import(
    pathToFileURL(join(root, "packages", "cli", "dist", "esm", "index.js")).href
  ).catch(() => ({}));
  const apiKey = EMULATOR_API_KEY ?? "copilot-byok-emulator-key-not-a-secret";
  const emulators = await startAzureEmulators({ apiKeys: [apiKey] });
  const entra = { ...emulators.env("app-service") };
  const brokerDir = join(root, "examples", "custom-source", "dist");
  const { startTokenBroker } = await import(pathToFileURL(join(brokerDir, "startTokenBroker.js")).href);
  const { relayManagedIdentity } = await import(
    pathToFileURL(join(brokerDir, "relayManagedIdentity.js")).href
  );
  const broker = await startTokenBroker({ mint: relayManagedIdentity(entra) });
  return {
    env: {
      "emulators:entra": entra,
      "emulators:static-key": {
        AZURE_AI_FOUNDRY_RESOURCE_URL: entra.AZURE_AI_FOUNDRY_RESOURCE_URL,
        COPILOT_PROVIDER_API_KEY: apiKey,
      },
      "token-broker": { TOKEN_BROKER_URL: broker.url },
      none: {},
    },
    close: async () => {
      await broker.close();
      await emulators.close();
    },
  };
}

function cleanEnv() {
  const env = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (/^(COPILOT_|AZURE_|IDENTITY_|MSI_|TOKEN_BROKER_|NODE_EXTRA_CA_CERTS$)/.test(name)) continue;
    if (/^(https?|no|all)_proxy$/i.test(name)) continue;
    env[name] = value;
  }
  return env;
}

/** Process groups of the snippets running now: killed too when the runner is interrupted. */
const running = new Set();
for (const signal of ["SIGINT", "SIGTERM"]) {
  process.once(signal, () => {
    for (const pid of running) {
      try {
        process.kill(-pid, "SIGKILL");
      } catch {}
    }
    process.exit(130);
  });
}

function runOne([command, args, cwd], env, timeoutMs) {
  return new Promise((resolvePromise) => {
    const started = Date.now();
    // detached: its own process group, so a timeout kills the Copilot runtime it spawned too.
    const child = spawn(command, args, { cwd, env, detached: true, stdio: "pipe" });
    running.add(child.pid);
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => {
      stdout += d;
    });
    child.stderr.on("data", (d) => {
      stderr += d;
    });
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        process.kill(-child.pid, "SIGKILL");
      } catch {
        child.kill("SIGKILL");
      }
    }, timeoutMs);
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      running.delete(child.pid);
      // What it may have left running in its group (the runtime after an unclean exit).
      try {
        process.kill(-child.pid, "SIGKILL");
      } catch {}
      resolvePromise({ code, signal, timedOut, stdout, stderr, ms: Date.now() - started });
    });
  });
}

async function runSnippets(files, { label, quiet = false } = {}) {
  const failures = [];
  const parsed = files.map(parseReadme);
  failures.push(...parsed.flatMap((p) => p.problems));
  const snippets = parsed.flatMap((p) => p.snippets);
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  const jobs = [];
  for (const snippet of snippets) {
    const base = `${relative(root, snippet.readme).replace(/[\\/]/g, "_").replace(/\.md$/, "")}_L${snippet.line}`;
    if (snippet.kind === "sh") {
      const file = join(outDir, `${base}.sh`);
      writeFileSync(file, `${snippet.code}\n`);
      for (const run of snippet.runs)
        jobs.push({ snippet, run, file, command: ["bash", ["-e", file], root] });
      continue;
    }
    const name = `${base}.mjs`;
    const file = join(outDir, name);
    const { outputText } = ts.transpileModule(`${snippet.code}\nexport {};\n`, {
      compilerOptions: {
        module: ts.ModuleKind.ESNext,
        target: ts.ScriptTarget.ES2022,
        experimentalDecorators: true,
        emitDecoratorMetadata: true,
        verbatimModuleSyntax: true,
      },
      fileName: name.replace(/\.mjs$/, ".ts"),
    });
    writeFileSync(file, outputText);
    for (const run of snippet.runs)
      jobs.push({ snippet, run, file, command: [process.execPath, [file], outDir] });
  }
  const setups = jobs.length > 0 ? await startSetups() : undefined;
  const started = Date.now();
  try {
    const queue = [...jobs];
    const worker = async () => {
      for (let job = queue.shift(); job; job = queue.shift()) {
        const { snippet, run, command } = job;
        const env = {
          ...cleanEnv(),
          ...Object.assign({}, ...run.setups.map((s) => setups.env[s])),
          ...run.env,
        };
        const result = await runOne(command, env, run.timeoutMs);
        const what = `${snippet.where} [${run.setups.join(" ")}${Object.keys(run.env).length ? ` ${Object.keys(run.env).join(" ")}` : ""}]`;
        let reason;
        if (result.timedOut) reason = `still running after ${run.timeoutMs} ms (killed)`;
        else if (result.code !== 0) reason = `exited with ${result.code ?? result.signal}`;
        else if (run.expect !== undefined && !result.stdout.includes(run.expect))
          reason = `its output does not contain "${run.expect}"`;
        if (reason) {
          const tail = `${result.stdout}${result.stderr}`.trim().split("\n").slice(-12);
          failures.push(`${what}: ${reason}\n${tail.map((l) => `      ${l}`).join("\n")}`);
        }
        if (!quiet) console.log(`${reason ? "FAILED" : "ok"} ${what} ${(result.ms / 1000).toFixed(1)} s`);
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  } finally {
    await setups?.close();
  }
  if (!quiet)
    console.log(
      `${label}: ${jobs.length} runs of ${snippets.length} snippets in ${((Date.now() - started) / 1000).toFixed(1)} s`,
    );
  return { failures, runs: jobs.length };
}

/** The runner on a README of broken snippets: each must be reported, with its README and line. */
async function selfTest() {
  const dir = join(root, ".tsbuild", "run-snippets-self-test");
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const readme = join(dir, "README.md");
  writeFileSync(
    readme,
    [
      "# Broken on purpose",
      "",
      "Throws (no variables).",
      "",
      "<!-- runnable: none -->",
      "```ts",
      'throw new Error("this snippet broke");',
      "```",
      "",
      "Never ends.",
      "",
      "<!-- runnable: none timeout=1500 -->",
      "```ts",
      "setInterval(() => {}, 1000);",
      "```",
      "",
      "Prints something else.",
      "",
      '<!-- runnable: none expect="Echo: Hello" -->',
      "```ts",
      'console.log("Hi");',
      "```",
      "",
      "Runs with a variable the text does not name.",
      "",
      "<!-- runnable: none SECRET_SAUCE=1 -->",
      "```ts",
      "console.log(process.env.SECRET_SAUCE);",
      "```",
      "",
      "Imports a workspace package, as the READMEs do, and runs: this one passes.",
      "",
      '<!-- runnable: none expect="ok" -->',
      "```ts",
      'import { redactText } from "@copilot-byok/core";',
      'console.log(redactText("ok"));',
      "```",
      "",
      "Run it with npx copilot-byok doctor.",
      "",
      "A command that fails.",
      "",
      "<!-- runnable: none -->",
      "```sh",
      'echo "about to fail"; exit 4',
      "```",
      "",
    ].join("\n"),
  );
  const { failures } = await runSnippets([readme], { label: "self-test", quiet: true });
  failures.push(...findBareNpx([readme]));
  const expected = [
    [":6 [none]: exited with 1", "this snippet broke"],
    [":13 [none]: still running after 1500 ms (killed)"],
    [':20 [none]: its output does not contain "Echo: Hello"'],
    [":27: the snippet runs with SECRET_SAUCE, which the text above it does not state"],
    [':39: says "npx copilot-byok"'],
    [":44 [none]: exited with 4", "about to fail"],
  ];
  const missed = expected.filter((needles) => !failures.some((f) => needles.every((n) => f.includes(n))));
  const unexpected = failures.filter((f) => f.includes(":34 "));
  rmSync(dir, { recursive: true, force: true });
  if (missed.length > 0 || failures.length !== expected.length || unexpected.length > 0) {
    console.log("runner self-test FAILED: the broken snippets were not all reported as expected. Reported:");
    for (const f of failures) console.log(`  ✗ ${f}`);
    console.log(`Expected:\n${expected.map((e) => `  ${e.join(" … ")}`).join("\n")}`);
    return false;
  }
  console.log(`runner self-test: ${failures.length} broken snippets and docs reported, a good one passed`);
  return true;
}

const args = process.argv.slice(2);
if (!args.includes("--no-self-test") && !(await selfTest())) process.exit(1);
if (args.includes("--self-test")) process.exit(0);
const docs = args.filter((a) => !a.startsWith("--")).map((a) => resolve(a));
const files = docs.length > 0 ? docs : readmes();
const npxProblems = findBareNpx(docs.length > 0 ? docs : markdownFiles(root));
const { failures } = await runSnippets(files, { label: "runnable README snippets" });
failures.push(...npxProblems);
for (const failure of failures) console.log(`  ✗ ${failure}`);
if (failures.length > 0) {
  console.log(`runnable README snippets: ${failures.length} failed`);
  process.exit(1);
}
