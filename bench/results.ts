// Looking runs up by clinic and method.
import type { Method, RunOutcome } from './types.js';
import { isValid } from './types.js';

export class Results {
  constructor(readonly outcomes: RunOutcome[]) {}

  find(providers: number, seed: number, method: Method): RunOutcome | undefined {
    return this.outcomes.find((o) => o.config.providers === providers && o.config.seed === seed && o.config.method === method);
  }

  /** Runs of one size and method, in seed order. */
  of(providers: number, method: Method): RunOutcome[] {
    return this.outcomes.filter((o) => o.config.providers === providers && o.config.method === method).sort((a, b) => a.config.seed - b.config.seed);
  }

  /** The first-fit run on the same clinic, if it produced a valid schedule. */
  baseline(run: RunOutcome): RunOutcome | undefined {
    const ff = this.find(run.config.providers, run.config.seed, 'first-fit');
    return ff && isValid(ff) ? ff : undefined;
  }
}

export function validLabel(o: RunOutcome): string {
  if (o.kind === 'timeout') return 'TIMEOUT';
  if (o.kind === 'crash' || !o.report) return 'CRASH';
  const n = o.report.violations + o.report.contractProblems;
  return n === 0 ? 'yes' : `INVALID (${n})`;
}
