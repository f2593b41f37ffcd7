// `npm run worker -- --queues optimize,replan,bookings`: one worker process serving the named queues.
// Optimizations and re-plans run in BullMQ sandboxed processors (a child process each), so this
// process's event loop stays free to renew job locks however long a solve computes; a killed worker
// stops renewing, and another worker picks its job up once the lock lapses. SIGTERM/SIGINT drain:
// no new jobs are taken, the running ones finish (each solve has a deadline shorter than the drain
// grace, see workerConfig.ts), then the process exits.
import { parseArgs } from 'node:util';
import { Worker } from 'bullmq';
import { blockingConnection } from '../src/jobs/queues.js';
import { QUEUE_NAMES, QueueName } from '../src/jobs/jobIds.js';
import { startHeartbeat } from '../src/jobs/heartbeat.js';
import { jsonLog } from '../src/jobs/log.js';
import { loadWorkerConfig, type WorkerConfig } from '../src/jobs/workerConfig.js';
import { connectStore } from '../src/store/store.js';
import { processBookingsJob } from '../src/jobs/bulkBookings.js';

function usage(message: string): never {
  process.stderr.write(`medsched worker: ${message}\nusage: npm run worker -- --queues ${QUEUE_NAMES.join(',')}\n`);
  process.exit(2);
}

function readQueues(argv: string[]): QueueName[] {
  let values: { queues?: string | undefined };
  try {
    ({ values } = parseArgs({ args: argv, options: { queues: { type: 'string' } }, strict: true }));
  } catch (error) {
    usage((error as Error).message);
  }
  const names = (values.queues ?? QUEUE_NAMES.join(',')).split(',').map((s) => s.trim()).filter((s) => s !== '');
  if (names.length === 0) usage('--queues names no queue');
  const unknown = names.filter((n) => !QueueName.safeParse(n).success);
  if (unknown.length > 0) usage(`unknown queue ${unknown.map((n) => `'${n}'`).join(', ')}; the queues are ${QUEUE_NAMES.join(', ')}`);
  return [...new Set(names)] as QueueName[];
}

/** From the sources (tsx) a processor is NAME.ts, from the compiled dist/ NAME.js. */
const processorFile = (name: string) => new URL(`./${name}.${import.meta.url.endsWith('.ts') ? 'ts' : 'js'}`, import.meta.url);

function main(): void {
  const queues = readQueues(process.argv.slice(2));
  const loaded = loadWorkerConfig(process.env);
  if (!loaded.ok) {
    process.stderr.write(`medsched worker: invalid configuration:\n${loaded.problems.map((p) => `  ${p.path}: ${p.message}`).join('\n')}\n`);
    process.exit(2);
  }
  const config: WorkerConfig = loaded.config;
  const log = jsonLog({ name: 'medsched-worker', workerId: config.workerId, pid: process.pid });
  const connection = blockingConnection(config.redisUrl);
  connection.on('error', (error: Error) => log('warn', 'redis connection problem', { err: error }));
  const store = connectStore(config.redisUrl, config.prefix);
  store.redis.on('error', () => {}); // a failing command reports it

  const common = {
    connection,
    prefix: config.prefix,
    name: config.workerId,
    lockDuration: config.lockMs,
    stalledInterval: config.stalledIntervalMs,
    maxStalledCount: config.maxStalled,
  };
  const workers = queues.map((queue) => {
    const worker =
      queue === 'bookings'
        ? new Worker(queue, (job) => processBookingsJob(store, job), { ...common, concurrency: config.bookingsConcurrency })
        : new Worker(queue, processorFile(queue === 'optimize' ? 'optimizeProcessor' : 'replanProcessor'), { ...common, concurrency: 1 });
    worker.on('active', (job) => log('info', 'job started', { queue, jobId: job.id, attempt: job.attemptsStarted }));
    worker.on('completed', (job) => log('info', 'job completed', { queue, jobId: job.id }));
    worker.on('failed', (job, error) =>
      log(error.name === 'UnrecoverableError' ? 'warn' : 'error', 'job failed', { queue, jobId: job?.id, attempt: job?.attemptsMade, err: error }),
    );
    worker.on('stalled', (jobId) => log('warn', 'job stalled (its worker stopped renewing the lock); it runs again', { queue, jobId }));
    worker.on('error', (error) => log('error', 'worker error', { queue, err: error }));
    return worker;
  });
  const stopHeartbeat = startHeartbeat(
    connection,
    config.prefix,
    config.heartbeatSeconds,
    { workerId: config.workerId, queues, pid: process.pid, startedAt: new Date().toISOString() },
    (error) => log('warn', 'heartbeat not written', { err: error }),
  );
  log('info', 'worker started', { queues, optimizeMs: config.optimizeMs, drainGraceMs: config.drainGraceMs });

  let draining = false;
  const drain = (signal: string) => {
    if (draining) return;
    draining = true;
    log('info', 'draining: no new jobs; finishing the running ones', { signal, graceMs: config.drainGraceMs });
    // Past the grace the process exits anyway; a job still running is picked up again by another
    // worker once its lock lapses.
    const force = setTimeout(() => {
      log('error', 'jobs still running after the drain grace; exiting', {});
      process.exit(1);
    }, config.drainGraceMs);
    force.unref();
    void stopHeartbeat()
      .then(() => Promise.all(workers.map((w) => w.close())))
      .then(async () => {
        await store.redis.quit().catch(() => store.redis.disconnect());
        await connection.quit().catch(() => connection.disconnect());
        log('info', 'drained; exiting', {});
        process.exit(0);
      })
      .catch((error: unknown) => {
        log('error', 'drain failed', { err: error });
        process.exit(1);
      });
  };
  process.on('SIGTERM', () => drain('SIGTERM'));
  process.on('SIGINT', () => drain('SIGINT'));
}

main();
