// How a job reports bad input: it fails at once (no retry would help) with a message naming each problem,
// and the problems themselves go into the job's progress, where GET and the event stream read them.
import { UnrecoverableError } from 'bullmq';
import type { Problem } from '../contract/parse.js';
import type { JobProgress } from './jobProgress.js';

export async function failForInput(
  report: (progress: JobProgress) => Promise<void>,
  message: string,
  problems: Problem[] = [],
): Promise<never> {
  await report({ stage: 'invalid', message, problems });
  const detail = problems.length > 0 ? `: ${problems.map((p) => `${p.path}: ${p.message}`).join('; ')}` : '';
  throw new UnrecoverableError(`${message}${detail}`);
}
