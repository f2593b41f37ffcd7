// Sandboxed processor of the `replan` queue. A re-plan waits (back to delayed, checked again every
// MEDSCHED_REPLAN_POLL_MS) while the clinic-day's previous re-plan is unfinished, so one runs at a time
// per clinic-day (see src/jobs/replanCoalescing.ts).
import { DelayedError, Queue, UnrecoverableError, type SandboxedJob } from 'bullmq';
import type { MipBackend } from '../solver/api.js';
import { loadBackend } from '../solver/backends/load.js';
import { parseJobId } from '../src/jobs/jobIds.js';
import type { JobOutcome } from '../src/jobs/optimizeJob.js';
import { queuePrefix } from '../src/jobs/queues.js';
import { previousReplanJobId } from '../src/jobs/replanCoalescing.js';
import { runReplanJob } from '../src/jobs/replanJob.js';
import { processorContext } from './processorContext.js';

const FINISHED = new Set(['completed', 'failed', 'unknown']);

let backend: Promise<MipBackend> | undefined;
let queue: Queue | undefined;

export default async function replanProcessor(job: SandboxedJob, token?: string, signal?: AbortSignal): Promise<JobOutcome> {
  const { config, store } = await processorContext();
  const jobId = String(job.id);
  const id = parseJobId(jobId);
  if (id?.queue !== 'replan') throw new UnrecoverableError(`'${jobId}' is not a re-plan job id`);
  const previous = previousReplanJobId(id.clinicId, id.date, id.n);
  if (previous !== null) {
    queue ??= new Queue('replan', { connection: store.redis, prefix: queuePrefix(config.prefix, 'replan') });
    const state = await queue.getJobState(previous);
    if (!FINISHED.has(state)) {
      await job.updateProgress({ stage: 'waiting', message: `waiting for ${previous} (${state}) to finish` });
      await job.moveToDelayed(Date.now() + config.replanPollMs, token);
      throw new DelayedError();
    }
  }
  // HiGHS compiles its WebAssembly once per child; a failed load is tried again by the next job.
  backend ??= loadBackend('auto').catch((error: unknown) => {
    backend = undefined;
    throw error;
  });
  return runReplanJob(
    { store, jobId, report: (progress) => job.updateProgress(progress), ...(signal ? { signal } : {}), now: Date.now, noShowLookbackDays: config.noShowLookbackDays },
    job.data,
    { timeLimitMs: config.replanMs, backend: await backend },
  );
}
