// Shapes shared by the bench orchestrator (run.ts) and the per-run child process (runOne.ts).

export type Method = 'first-fit' | 'auto' | 'highs' | 'jsl';
export const OPTIMIZER_METHODS: readonly Exclude<Method, 'first-fit'>[] = ['auto', 'highs', 'jsl'];

/** One run: what the child process is told (as JSON on argv). */
export type RunConfig = {
  providers: number;
  /** Seed of the generated clinic; the optimizer's search seed too. */
  seed: number;
  load: number;
  method: Method;
  /** The optimizer's time limit (ignored by first-fit). */
  timeLimitMs: number;
};

/** One onProgress event, without the schedule it may carry. */
export type ProgressPoint = { elapsedMs: number; gap: number; objective: number; bound: number };

/** What the child prints (one JSON line, after RESULT_MARKER). */
export type ChildReport =
  | {
      ok: true;
      requests: number;
      /** Distinct requests scheduled, per the validator. */
      scheduled: number;
      /** The schedule's score, recomputed by the validator. */
      score: number;
      status: string;
      objective: number;
      bound: number;
      gap: number;
      /** Wall time of the optimize / firstFit call, measured by the bench. */
      elapsedMs: number;
      /** Clinic generation and parsing (not in elapsedMs; loading the backend is, inside the time limit). */
      setupMs: number;
      /** process.resourceUsage().maxRSS right after the call, in MiB. */
      peakMB: number;
      /** Hard-constraint violations found by validateResult. */
      violations: number;
      /** Result numbers that break the contract (objective ≠ score, gap formula, bound < objective, schema). */
      contractProblems: number;
      /** The first few violations and contract problems, as text. */
      problems: string[];
      stats?: Record<string, unknown>;
      progress: ProgressPoint[];
    }
  | { ok: false; error: string };

export const RESULT_MARKER = '@@bench-result ';

/** One run as the orchestrator saw it. */
export type RunOutcome = {
  config: RunConfig;
  kind: 'ok' | 'timeout' | 'crash';
  /** Wall time of the child process, start-up included. */
  wallMs: number;
  report?: Extract<ChildReport, { ok: true }>;
  error?: string;
};

export const isValid = (o: RunOutcome) =>
  o.kind === 'ok' && o.report !== undefined && o.report.violations === 0 && o.report.contractProblems === 0;
