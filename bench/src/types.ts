/** One target of a benchmark, checked against what was measured. */
export interface Check {
  /** Short name, e.g. `hot path vs getBearerTokenProvider`. */
  readonly name: string;
  /** The target, in words, e.g. `≥ 15× faster`. */
  readonly target: string;
  /** What was measured, in words, e.g. `10.6× faster (171 ns vs 1,812 ns per call)`. */
  readonly measured: string;
  readonly pass: boolean;
  /**
   * `speed`: a timing target (reported in smoke runs but not failing them: tiny counts are noise);
   * `correctness`: a count or a fact (upstream calls, modules loaded) that must hold in every run.
   */
  readonly kind: "speed" | "correctness";
}

/** One row of a benchmark's details table. */
export interface DetailRow {
  readonly label: string;
  readonly values: readonly string[];
}

/** A further table of a benchmark's details, under its own heading. */
export interface DetailTable {
  readonly title: string;
  /** Column headers (after the label column). */
  readonly columns: readonly string[];
  readonly rows: readonly DetailRow[];
}

/** What a benchmark returns: raw numbers for the JSON, checks for pass/fail, a table for people. */
export interface BenchmarkResult {
  /** Id used by `--only`, e.g. `hot-path`. */
  readonly name: string;
  readonly title: string;
  /** The counts and settings it ran with. */
  readonly settings: Readonly<Record<string, unknown>>;
  /** Raw results: medians, ratios, counts. */
  readonly metrics: Readonly<Record<string, unknown>>;
  readonly checks: readonly Check[];
  /** Column headers of `details` (after the label column). */
  readonly detailColumns: readonly string[];
  readonly details: readonly DetailRow[];
  /** Further tables, printed after `details`. */
  readonly moreDetails?: readonly DetailTable[];
  /** Wall time of the benchmark. */
  readonly durationMs: number;
}

/** Progress lines (stderr in the CLI, nothing in tests). */
export type Log = (line: string) => void;
