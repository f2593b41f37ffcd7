// Waiting for a job to finish, up to a deadline: the queue's events say when, and a slow poll of the
// job's state covers an event missed while the listener was (re)connecting.
import type { Queue, QueueEvents } from 'bullmq';

export type Finished = 'completed' | 'failed' | 'timeout';

const POLL_MS = 1_000;

export function waitForJob(queue: Queue, events: QueueEvents, jobId: string, timeoutMs: number): Promise<Finished> {
  return new Promise((resolve) => {
    let settled = false;
    const done = (how: Finished) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      clearInterval(poll);
      events.off('completed', onCompleted);
      events.off('failed', onFailed);
      resolve(how);
    };
    const onCompleted = (e: { jobId: string }) => e.jobId === jobId && done('completed');
    const onFailed = (e: { jobId: string }) => e.jobId === jobId && done('failed');
    events.on('completed', onCompleted);
    events.on('failed', onFailed);
    const check = () =>
      queue
        .getJobState(jobId)
        .then((state) => (state === 'completed' || state === 'failed') && done(state))
        .catch(() => {});
    const timer = setTimeout(() => done('timeout'), timeoutMs);
    const poll = setInterval(check, POLL_MS);
    void check();
  });
}
