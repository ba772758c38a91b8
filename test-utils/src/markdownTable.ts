import { readFileSync } from "node:fs";

/** One row of a Markdown table: its cells by column header (lower-cased, trimmed). */
export type MarkdownRow = Readonly<Record<string, string>>;

/** Splits one `| a | b |` line into its trimmed cells (a `|` inside backticks stays in its cell). */
function cellsOf(line: string): string[] {
  const cells: string[] = [];
  let cell = "";
  let inCode = false;
  const body = line.trim().replace(/^\|/, "").replace(/\|$/, "");
  for (const char of body) {
    if (char === "`") inCode = !inCode;
    if (char === "|" && !inCode) {
      cells.push(cell.trim());
      cell = "";
    } else cell += char;
  }
  cells.push(cell.trim());
  return cells;
}

/**
 * Every table of a Markdown text whose header row has a column named `column` (case-insensitive), as rows
 * keyed by the lower-cased headers. Tables inside fenced code blocks are skipped.
 */
export function markdownTablesWithColumn(markdown: string, column: string): MarkdownRow[][] {
  const lines = markdown.split(/\r?\n/);
  const tables: MarkdownRow[][] = [];
  let fenced = false;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string;
    if (/^\s*(```|~~~)/.test(line)) fenced = !fenced;
    if (fenced || !line.trim().startsWith("|")) continue;
    const separator = lines[i + 1] ?? "";
    if (!/^\s*\|?\s*:?-{3,}/.test(separator)) continue;
    const headers = cellsOf(line).map((h) => h.toLowerCase());
    const rows: MarkdownRow[] = [];
    let j = i + 2;
    for (; j < lines.length && (lines[j] as string).trim().startsWith("|"); j++) {
      const cells = cellsOf(lines[j] as string);
      rows.push(Object.fromEntries(headers.map((h, k) => [h, cells[k] ?? ""])));
    }
    if (headers.includes(column.toLowerCase())) tables.push(rows);
    i = j - 1;
  }
  return tables;
}

/** {@link markdownTablesWithColumn} of a file, e.g. `new URL("../README.md", import.meta.url)`. */
export function markdownTablesInFile(file: URL, column: string): MarkdownRow[][] {
  return markdownTablesWithColumn(readFileSync(file, "utf8"), column);
}

/** The names in backticks of a cell, e.g. `` `credential`, `credentialName` `` gives both. */
export function codeSpansOf(cell: string): string[] {
  return [...cell.matchAll(/`([^`]+)`/g)].map((m) => m[1] as string);
}
