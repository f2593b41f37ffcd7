// A job's progress as Server-Sent Events, for a live progress bar: first `state` (where it stands),
// then `progress` (best score, bound, gap), `active` (it started, or started again after its worker
// died), and last `completed` or `failed`, after which the stream ends. A comment line every 15 s
// keeps proxies from closing an idle stream; a slow poll of the job's state covers a missed event.
import type { ServerResponse } from 'node:http';
import type { Queue, QueueEvents } from 'bullmq';
import { readProgress } from './jobProgress.js';

const KEEP_ALIVE_MS = 15_000;
const POLL_MS = 2_000;

export type StreamOptions = {
  headers: Record<string, string>;
  /** The plan's address, sent with `completed`. */
  self: string;
};

/** Streams the job's events to `raw` until it finishes or the client goes; returns a function that ends the stream now. */
export function streamJobEvents(raw: ServerResponse, queue: Queue, events: QueueEvents, jobId: string, options: StreamOptions): () => void {
  raw.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache, no-transform',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
    ...options.headers,
  });
  let ended = false;
  const send = (event: string, data: unknown) => {
    if (!ended) raw.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  };
  const end = () => {
    if (ended) return;
    ended = true;
    clearInterval(keepAlive);
    clearInterval(poll);
    events.off('progress', onProgress);
    events.off('active', onActive);
    events.off('completed', onCompleted);
    events.off('failed', onFailed);
    raw.end();
  };
  const finish = async (state: 'completed' | 'failed') => {
    if (ended) return;
    if (state === 'completed') send('completed', { jobId, plan: options.self });
    else {
      const job = await queue.getJob(jobId).catch(() => undefined);
      send('failed', { jobId, failedReason: job?.failedReason ?? 'failed', progress: readProgress(job?.progress) });
    }
    end();
  };
  const onProgress = (e: { jobId: string; data: unknown }) => e.jobId === jobId && send('progress', e.data);
  const onActive = (e: { jobId: string }) => e.jobId === jobId && send('active', { jobId });
  const onCompleted = (e: { jobId: string }) => e.jobId === jobId && void finish('completed');
  const onFailed = (e: { jobId: string }) => e.jobId === jobId && void finish('failed');
  events.on('progress', onProgress);
  events.on('active', onActive);
  events.on('completed', onCompleted);
  events.on('failed', onFailed);
  raw.on('close', end);

  const keepAlive = setInterval(() => !ended && raw.write(': keep-alive\n\n'), KEEP_ALIVE_MS);
  const check = async () => {
    const state = await queue.getJobState(jobId).catch(() => null);
    if (state === 'completed' || state === 'failed') await finish(state);
    return state;
  };
  const poll = setInterval(() => void check(), POLL_MS);
  void queue
    .getJob(jobId)
    .then(async (job) => {
      const state = await check();
      if (!ended && job) send('state', { jobId, state, progress: readProgress(job.progress) });
    })
    .catch(() => {});
  return end;
}
