// Sandboxed processor of the `optimize` queue (runs in a child process of the worker; the solve itself
// in a worker thread of this child, with its deadline).
import type { SandboxedJob } from 'bullmq';
import { runOptimizeJob, type JobOutcome } from '../src/jobs/optimizeJob.js';
import { processorContext } from './processorContext.js';

export default async function optimizeProcessor(job: SandboxedJob, _token?: string, signal?: AbortSignal): Promise<JobOutcome> {
  const { config, store } = await processorContext();
  return runOptimizeJob(
    { store, jobId: String(job.id), report: (progress) => job.updateProgress(progress), ...(signal ? { signal } : {}), now: Date.now, noShowLookbackDays: config.noShowLookbackDays },
    job.data,
    config.optimizeMs,
  );
}
