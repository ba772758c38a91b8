#!/usr/bin/env node
// Every message a doc quotes must be one the code produces. Finds the quoted messages in every *.md (outside
// node_modules, .tsbuild, packages/*/review and .changeset) and fails when no source, test or script holds them.
//
// What counts as a quoted message (fenced code blocks are skipped, but for the comments of shell blocks):
//   1. in a table whose column header is "you see" or starts with "message": every `backticked` span and
//      "double-quoted" span of that column;
//   2. in a paragraph, table cell or list item with a trigger word (says, prints, reads, fails with, rejects,
//      throws, ends with, warns, warning, error, message, logs, reports, answers): every `backticked` or
//      "double-quoted" span (test names included: they are checked against the tests), and every *italic* span
//      right after "says:", of at least three words, that is not a command line, an assignment or code.
//   HTML comments on a line of their own (directives for scripts/run-snippets.mjs) are skipped.
// Matching: `…` (or `...`) in a quote matches anything, as do `<placeholder>` and a lone `N`; in the code,
// `${…}`, `" + x + "` and it.each's `%s` match any run of up to 100 characters (but at least 30% of a quote, and
// 12 characters, must match literally). Whitespace is collapsed on both sides. A quote matches when all its
// pieces occur, in order, in one file (sources and tests alike, dist excluded) of packages, examples, e2e,
// reliability, bench/src, test-utils, scripts or .ci.
// Messages from third parties (the Copilot runtime, Azure, MSAL, Node) are listed in THIRD_PARTY with a reason, the
// few quoted spans that are prose rather than a message in NOT_MESSAGES.
//
// Usage: node scripts/check-quoted-messages.mjs [--self-test] [file.md …]
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");

/** Quotes produced outside this repository: a pattern (`…` wildcards) and why it cannot be asserted here. */
export const THIRD_PARTY = [
  {
    quote: "Authentication failed with provider …",
    reason: "the Copilot runtime's (bundled in @github/copilot-sdk) error for a 401 from the provider",
  },
  {
    quote: "Failed to get response from the AI model; retried 5 times …",
    reason: "the Copilot runtime's error for a failed model request (docs/runtime-behaviour.md, observed)",
  },
  {
    quote: "Provider token request failed: …",
    reason: "the Copilot runtime's prefix for a bearerTokenProvider that threw (observed)",
  },
  { quote: "AADSTS…", reason: "Entra ID's (login.microsoftonline.com) error codes" },
  { quote: "DeploymentNotFound", reason: "Azure OpenAI's error code for an unknown deployment" },
  {
    quote: "node16 (from CJS)",
    reason: "@arethetypeswrong/cli's name of a resolution mode, in the build evidence",
  },
  {
    quote: "ESM (dynamic import only)",
    reason: "@arethetypeswrong/cli's verdict, quoted in the README's build evidence",
  },
];

/** Quoted spans in trigger paragraphs that are prose, not a message anyone sees, with why. */
export const NOT_MESSAGES = [
  { quote: "try the next source", reason: "core README: names a flag that does not exist, on purpose" },
];

const SKIP_DIRS = new Set(["node_modules", ".tsbuild", ".git", "dist", "review", ".changeset", "results"]);
const TRIGGER =
  /\b(says?|said|prints?|printed|reads|fails? with|failed with|rejects?( with)?|throws?|ends with|warns?|warning|errors?|messages?|logs?|logged|reports?|reported|answers?)\b/i;

function walk(dir, pick, out = []) {
  for (const name of readdirSync(dir)) {
    if (SKIP_DIRS.has(name)) continue;
    const path = join(dir, name);
    const st = statSync(path);
    if (st.isDirectory()) walk(path, pick, out);
    else if (pick(path)) out.push(path);
  }
  return out;
}

const collapse = (text) => text.replace(/\s+/g, " ").trim();

/** Source text with template holes and string concatenations turned into \0 (matches anything). */
function normalizeSource(text) {
  let out = text
    .replace(/\$\{(?:[^{}]|\{(?:[^{}]|\{[^{}]*\})*\})*\}/g, "\0")
    .replace(/(["'`])\s*\+\s*[^"'`;\n]{1,80}?\s*\+\s*\1/g, "\0") // "a " + x + " b"
    .replace(/(["'`])\s*\+\s*\n?\s*(["'`])/g, "") // "a " +\n "b"
    .replace(/\\(["'`])/g, "$1")
    .replace(/%[sdifjo]|\$[a-z]\w*/g, "\0") // it.each's "%s", "$name"
    .replace(/\\n/g, " ");
  out = collapse(out);
  return out;
}

/**
 * The most characters of `piece` that match literally in one place of `haystack`, where each \0 of the haystack
 * may stand for any run of at most 100 characters of the piece; -1 when the piece does not occur at all.
 */
function literalMatch(haystack, piece) {
  if (haystack.includes(piece)) return piece.length;
  if (!haystack.includes("\0")) return -1;
  // Only around the occurrences of the piece's words (a hole rarely swallows all of them), which keeps this fast.
  const words = [...new Set(piece.split(/[^A-Za-z0-9_-]+/).filter((w) => w.length >= 3))]
    .sort((a, b) => b.length - a.length)
    .slice(0, 2);
  let best = -1;
  for (const word of words) {
    for (let at = haystack.indexOf(word); at >= 0; at = haystack.indexOf(word, at + 1)) {
      const from = Math.max(0, at - piece.length - 60);
      best = Math.max(best, literalMatchIn(haystack.slice(from, at + piece.length + 60), piece));
    }
  }
  return best;
}

function literalMatchIn(haystack, piece) {
  const n = piece.length;
  let best = -1;
  let states = new Int16Array(n + 1).fill(-1); // state k: piece[0..k) matched, value: literal characters
  for (let i = 0; i < haystack.length; i += 1) {
    const c = haystack[i];
    states[0] = Math.max(states[0], 0);
    const next = new Int16Array(n + 1).fill(-1);
    for (let k = 0; k < n; k += 1) {
      const v = states[k];
      if (v < 0) continue;
      if (c === piece[k] && v + 1 > next[k + 1]) next[k + 1] = v + 1;
      if (c === "\0") for (let j = k; j <= Math.min(n, k + 100); j += 1) if (v > next[j]) next[j] = v;
    }
    if (next[n] > best) best = next[n];
    states = next;
  }
  return best;
}

/** The quote's literal pieces, in order. */
export function quotePieces(quote) {
  return collapse(quote)
    .replace(/<[^<>]{1,40}>/g, "…")
    .replace(/\bN\b/g, "…")
    .split(/…|\.\.\./)
    .map((p) => p.trim())
    .filter((p) => p.length > 0);
}

export function matches(normalizedText, quote) {
  const pieces = quotePieces(quote);
  if (pieces.length === 0) return true;
  let from = 0;
  let literal = 0;
  let total = 0;
  for (const piece of pieces) {
    total += piece.length;
    const rest = normalizedText.slice(from);
    const at = rest.indexOf(piece);
    if (at >= 0) {
      from += at + piece.length;
      literal += piece.length;
      continue;
    }
    const got = literalMatch(rest, piece);
    if (got < 0) return false;
    literal += got;
  }
  // A hole in the code may stand for a value the doc spells out, not for most of the message.
  return literal >= 0.3 * total && literal >= Math.min(12, 0.6 * total);
}

const isCommand = (s) =>
  /^(npx|npm|node|bash|az|pnpm|curl|export|printf|copilot-byok|doctor|demo|emulators|git|docker|kubectl)\b|^#/.test(
    s,
  ) ||
  /^\w+\??: [{[]/.test(s) || // a type's shape: `error: { name, message }`
  /^[A-Z][A-Z0-9_]*=/.test(s) ||
  /=>|^\{|^\[|^[\w.]+\(.*\);?$|^import |^await |^new /.test(s);
const words = (s) => s.trim().split(/\s+/).length;

/** The quoted messages of one Markdown text: { line, quote }. */
export function findQuotes(markdown) {
  const found = [];
  const lines = markdown.split("\n");
  let inFence = false;
  let columns = null; // indexes of "you see"/"message" columns of the current table
  let para = [];
  const flush = () => {
    if (para.length === 0) return;
    const text = para.map((p) => p.text).join(" ");
    if (TRIGGER.test(text)) {
      const spans = [];
      for (const m of text.matchAll(/`([^`]+)`|"([^"\n]+)"|(?:says|prints|reads):?\s+\*([^*]+)\*/g)) {
        spans.push({ quote: m[1] ?? m[2] ?? m[3], at: m.index });
      }
      for (const { quote, at } of spans) {
        const q = quote.trim();
        if (words(q) < 3 || isCommand(q)) continue;
        // the line of the span
        let offset = 0;
        let line = para[0].line;
        for (const p of para) {
          if (at < offset + p.text.length + 1) {
            line = p.line;
            break;
          }
          offset += p.text.length + 1;
        }
        found.push({ line, quote: q });
      }
    }
    para = [];
  };
  for (let i = 0; i < lines.length; i += 1) {
    const line = lines[i];
    if (/^\s*```/.test(line)) {
      flush();
      inFence = inFence ? false : /^\s*```(sh|bash|console|shell)?\s*$/.test(line) ? "shell" : "code";
      continue;
    }
    if (inFence) {
      // A shell block's comments are prose: `npm test  # … ends with "N passed, …"`.
      const comment = inFence === "shell" ? /(?:^|\s)#\s(.*)$/.exec(line) : null;
      if (comment) {
        para = [{ line: i + 1, text: comment[1] }];
        flush();
      }
      continue;
    }
    if (/^\s*<!--.*-->\s*$/.test(line)) continue; // a directive for a tool (runnable snippets), not shown
    if (/^\s*\|/.test(line)) {
      flush();
      const cells = line
        .trim()
        .replace(/^\||\|$/g, "")
        .split(/(?<!\\)\|/)
        .map((c) => c.trim());
      if (/^\s*\|[\s:|-]+\|\s*$/.test(line)) continue; // separator
      const next = lines[i + 1] ?? "";
      if (/^\s*\|[\s:|-]+\|\s*$/.test(next)) {
        columns = cells.flatMap((c, j) => (/^(you see|messages?)\b/i.test(c) ? [j] : []));
        continue;
      }
      cells.forEach((cell, j) => {
        if (columns?.includes(j)) {
          for (const m of cell.matchAll(/`([^`]+)`|"([^"]+)"/g))
            found.push({ line: i + 1, quote: m[1] ?? m[2] });
        } else {
          para = [{ line: i + 1, text: cell }];
          flush();
        }
      });
      continue;
    }
    columns = null;
    if (/^\s*$/.test(line) || /^\s*#/.test(line) || /^\s*[-*] |^\s*\d+\. /.test(line)) flush();
    if (!/^\s*$/.test(line)) para.push({ line: i + 1, text: line });
  }
  flush();
  return found;
}

function sourceFiles() {
  const dirs = ["packages", "examples", "e2e", "reliability", "bench/src", "test-utils", "scripts", ".ci"];
  const out = [];
  for (const d of dirs) {
    const dir = join(root, d);
    if (!existsSync(dir)) continue;
    walk(
      dir,
      (p) => /\.(ts|mts|mjs|js|cjs)$|\/\.ci\/run$/.test(p) && !p.endsWith("check-quoted-messages.mjs"),
      out,
    );
  }
  return out;
}

function markdownFiles() {
  return walk(root, (p) => p.endsWith(".md"));
}

export function check(mdFiles, sources, verbose = false) {
  const failures = [];
  let count = 0;
  for (const md of mdFiles) {
    for (const { line, quote } of findQuotes(readFileSync(md, "utf8"))) {
      count += 1;
      if (NOT_MESSAGES.some((t) => t.quote === quote)) continue;
      if (
        THIRD_PARTY.some(
          (t) => matches(collapse(quote), t.quote) || collapse(quote).startsWith(quotePieces(t.quote)[0]),
        )
      )
        continue;
      const by = sources.find((s) => matches(s.text, quote));
      if (by) {
        if (verbose) console.log(`${relative(root, md)}:${line}: ${quote}\n    ← ${relative(root, by.path)}`);
        continue;
      }
      failures.push(`${relative(root, md)}:${line}: no source or test produces \`${quote}\``);
    }
  }
  return { count, failures };
}

function selfTest() {
  const src = [
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a template literal's source text, on purpose
    { text: normalizeSource('throw new Error(`${name} has "${value}", which is not a registered mode`);') },
  ];
  const ok = (q) => src.some((s) => matches(s.text, q));
  const cases = [
    ['COPILOT_PROVIDER_AUTH has "…", which is not a registered mode', true],
    ['COPILOT_PROVIDER_AUTH has "azur", which is not a registered mode', true],
    ["… which is not a registered mode", true],
    ["which is not a known mode", false],
  ];
  let bad = 0;
  for (const [q, want] of cases) {
    if (ok(q) !== want) {
      console.error(`self-test: ${JSON.stringify(q)} should ${want ? "" : "not "}match`);
      bad += 1;
    }
  }
  const md =
    'The doctor says "the key is fine and valid".\n\n| you see | fix |\n| --- | --- |\n| `boom went it` | x |\n';
  const quotes = findQuotes(md).map((q) => q.quote);
  if (JSON.stringify(quotes) !== JSON.stringify(["the key is fine and valid", "boom went it"])) {
    console.error(`self-test: findQuotes gave ${JSON.stringify(quotes)}`);
    bad += 1;
  }
  if (bad) process.exit(1);
  console.log("check-quoted-messages self-test: ok");
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  if (args.includes("--self-test")) selfTest();
  const given = args.filter((a) => !a.startsWith("--")).map((a) => resolve(a));
  const sources = sourceFiles().map((path) => ({ path, text: normalizeSource(readFileSync(path, "utf8")) }));
  const { count, failures } = check(
    given.length ? given : markdownFiles(),
    sources,
    args.includes("--verbose"),
  );
  for (const f of failures) console.error(f);
  if (failures.length) {
    console.error(`quoted messages: ${failures.length} of ${count} not produced by any source or test`);
    process.exit(1);
  }
  console.log(`quoted messages: ${count} checked, all produced by the code or listed as third-party`);
}
