// The SERVICE section's HTTP load generator: autocannon (programmatic) sends a list of requests over a
// fixed number of keep-alive connections spread evenly over the API processes, each connection taking
// the next request of the list as soon as its last one is answered (the list is cycled when the run is
// timed). Every response time is kept, so the percentiles are exact, not autocannon's histogram's.
import { performance } from 'node:perf_hooks';
import autocannon from 'autocannon';
import { defaultAuthFor } from '../test/support/auth.js';
import { percentile } from './replanTable.js';
import type { Latency, LoadRun, StatusCounts } from './serviceTypes.js';

export type Shot = { method: 'GET' | 'POST'; path: string; body?: unknown };
export type Answer = { status: number; body: string };

export type Fired = {
  run: LoadRun;
  /** Every response time, ms (for merging runs). */
  times: number[];
  /** The answer to each shot of the list (the first one when the list was cycled); kept only when asked. */
  answers: (Answer | undefined)[];
};

export type FireOptions = {
  connections: number;
  /** Send exactly this many requests (the list cycled) … */
  amount?: number;
  /** … or keep sending for this many seconds. */
  seconds?: number;
  /** Keep the answers' bodies (for the shots of the list, not the repeats). */
  keepAnswers?: boolean;
};

export const NO_ANSWER = 'no answer';

export function latencyOf(times: number[]): Latency {
  return {
    count: times.length,
    mean: times.length > 0 ? times.reduce((a, b) => a + b, 0) / times.length : NaN,
    p50: percentile(times, 0.5),
    p95: percentile(times, 0.95),
    p99: percentile(times, 0.99),
    max: times.length > 0 ? Math.max(...times) : NaN,
  };
}

/** Sends `shots` to `urls` as FireOptions say; resolves when the run is over. */
export function fire(urls: string[], shots: Shot[], options: FireOptions): Promise<Fired> {
  if (shots.length === 0) throw new Error('nothing to send');
  const bodies = shots.map((s) => (s.body === undefined ? undefined : JSON.stringify(s.body)));
  // Never more connections than requests (autocannon refuses), and a multiple of the URLs when it can.
  const connections = Math.max(1, Math.min(options.connections, options.amount ?? Infinity));
  let next = 0;
  const sent: number[] = [];
  const answered = new Set<number>();
  const answers: (Answer | undefined)[] = new Array(shots.length);
  const statuses: StatusCounts = {};
  const times: number[] = [];
  type Context = { shot?: number };

  const request: autocannon.Request = {
    method: 'POST',
    setupRequest: (req, context) => {
      const i = next++;
      const shot = shots[i % shots.length]!;
      (context as Context).shot = i;
      sent.push(i);
      const body = bodies[i % shots.length];
      return {
        ...req,
        method: shot.method,
        path: shot.path,
        // Authenticated as every client must be: a token for the clinic the path names (cached, so minting costs nothing per request).
        headers: { authorization: defaultAuthFor(shot.path), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        ...(body === undefined ? {} : { body }),
      };
    },
    onResponse: (status, body, context) => {
      const i = (context as Context).shot;
      if (i === undefined) return;
      answered.add(i);
      statuses[String(status)] = (statuses[String(status)] ?? 0) + 1;
      if (options.keepAnswers && i < shots.length) answers[i] = { status, body };
    },
  };

  // The run's length is ours, first request to last answer: autocannon notices the end of an `amount`
  // run only at its next sample tick, and its own duration rounds up to that.
  const started = performance.now();
  let lastAnswer = started;
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        // One URL per connection in turn: autocannon takes a list (its types say a string).
        url: urls as unknown as string,
        connections,
        ...(options.amount !== undefined ? { amount: options.amount } : { duration: options.seconds ?? 10 }),
        requests: [request],
        timeout: 30,
        sampleInt: 100,
        // A dead API process would have its connections reconnect forever: give up after this many errors.
        bailout: 50,
      },
      (error: unknown, result) => {
        if (error) return reject(error instanceof Error ? error : new Error(String(error)));
        const unanswered = sent.filter((i) => !answered.has(i)).length;
        // A timed run stops with requests in flight: those are not "no answer"s of the server's.
        if (options.amount !== undefined && unanswered > 0) statuses[NO_ANSWER] = unanswered;
        resolve({
          run: {
            answered: times.length,
            statuses,
            errors: result.errors,
            seconds: (lastAnswer - started) / 1000,
            connections,
            latency: latencyOf(times),
          },
          times,
          answers,
        });
      },
    );
    instance.on('response', (_client, _status, _bytes, responseTime) => {
      times.push(responseTime);
      lastAnswer = performance.now();
    });
  });
}

/** Runs `work` on every item with at most `limit` at once; results in item order. */
export async function pool<T, R>(items: readonly T[], limit: number, work: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await work(items[i]!, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/** One JSON call (outside the timed runs): status and parsed body. */
export async function callJson(base: string, method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
  const response = await fetch(base + path, {
    method,
    headers: { authorization: defaultAuthFor(path), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = text === '' ? null : JSON.parse(text);
  } catch {
    // not JSON: the caller reports the text
  }
  return { status: response.status, body: parsed };
}
