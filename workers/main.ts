// `npm run worker -- --queues optimize,replan,bookings,reminders`: one worker process serving the named queues.
// Optimizations and re-plans run in BullMQ sandboxed processors (a child process each), so this
// process's event loop stays free to renew job locks however long a solve computes; a killed worker
// stops renewing, and another worker picks its job up once the lock lapses. SIGTERM/SIGINT drain:
// no new jobs are taken, the running ones finish (each solve has a deadline shorter than the drain
// grace, see workerConfig.ts), then the process exits. Reminders (src/reminders/) and bulk bookings run
// in this process: each job is a few short Redis scripts and one delivery.
import { parseArgs } from 'node:util';
import { Worker } from 'bullmq';
import { queuePrefix } from '../src/jobs/queues.js';
import { WORKER_QUEUES, WorkerQueue } from '../src/jobs/jobIds.js';
import { startHeartbeat } from '../src/jobs/heartbeat.js';
import { pino } from 'pino';
import { LOG_REDACT } from '../src/runtime/logRedaction.js';
import { loadWorkerConfig, type WorkerConfig } from '../src/jobs/workerConfig.js';
import { blockingClient } from '../src/store/redisClient.js';
import { connectStore } from '../src/store/store.js';
import { processBookingsWithReminders } from '../src/reminders/bulkBookingReminders.js';
import { processReminderJob } from '../src/reminders/deliverReminder.js';
import { loadReminderWorkerConfig } from '../src/reminders/reminderConfig.js';
import { remindersQueue } from '../src/reminders/reminderQueue.js';
import { reminderScheduler, reminderWorkerContext } from '../src/reminders/reminderWorker.js';

function usage(message: string): never {
  process.stderr.write(`medsched worker: ${message}\nusage: npm run worker -- --queues ${WORKER_QUEUES.join(',')}\n`);
  process.exit(2);
}

function readQueues(argv: string[]): WorkerQueue[] {
  let values: { queues?: string | undefined };
  try {
    ({ values } = parseArgs({ args: argv, options: { queues: { type: 'string' } }, strict: true }));
  } catch (error) {
    usage((error as Error).message);
  }
  const names = (values.queues ?? WORKER_QUEUES.join(',')).split(',').map((s) => s.trim()).filter((s) => s !== '');
  if (names.length === 0) usage('--queues names no queue');
  const unknown = names.filter((n) => !WorkerQueue.safeParse(n).success);
  if (unknown.length > 0) usage(`unknown queue ${unknown.map((n) => `'${n}'`).join(', ')}; the queues are ${WORKER_QUEUES.join(', ')}`);
  return [...new Set(names)] as WorkerQueue[];
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
  // Reminders' settings (SMTP, webhooks, links), validated at start; a worker that books schedules reminders too.
  const reminding = loadReminderWorkerConfig(process.env, queues.includes('reminders'));
  if (!reminding.ok) {
    process.stderr.write(`medsched worker: invalid configuration:\n${reminding.problems.map((p) => `  ${p.path}: ${p.message}`).join('\n')}\n`);
    process.exit(2);
  }
  // The same structured logger as the API (fastify's pino), so both read alike in one collector, with the
  // same redaction (patient fields, credentials). It says who it is as `service`: `name` is a patient field.
  const log = pino({ level: config.logLevel, base: { service: 'medsched-worker', workerId: config.workerId, pid: process.pid }, redact: LOG_REDACT });
  const connection = blockingClient(config.redis);
  connection.on('error', (error: Error) => log.warn({ err: error }, 'redis connection problem'));
  const store = connectStore(config.redis, config.prefix);
  store.redis.on('error', () => {}); // a failing command reports it
  const reminderQueue = remindersQueue(connection, config.prefix);
  const scheduler = reminderScheduler(store, reminderQueue, reminding.config);
  const reminders = reminderWorkerContext(scheduler, reminding.config, config.workerId, config.patientCipher);
  if (queues.includes('reminders') && reminders.off.length > 0)
    log.warn({ off: reminders.off }, 'reminder channels not configured: their reminders are recorded as skipped');

  const common = {
    connection,
    name: config.workerId,
    lockDuration: config.lockMs,
    stalledInterval: config.stalledIntervalMs,
    maxStalledCount: config.maxStalled,
  };
  const workers = queues.map((queue) => {
    const prefix = queuePrefix(config.prefix, queue);
    const worker =
      queue === 'bookings'
        ? new Worker(queue, (job) => processBookingsWithReminders(scheduler, job, log), { ...common, prefix, concurrency: config.bookingsConcurrency })
        : queue === 'reminders'
          ? new Worker(queue, (job, token) => processReminderJob(reminders, job, token), { ...common, prefix, concurrency: reminding.config.concurrency })
          : new Worker(queue, processorFile(queue === 'optimize' ? 'optimizeProcessor' : 'replanProcessor'), { ...common, prefix, concurrency: 1 });
    worker.on('active', (job) => log.info({ queue, jobId: job.id, attempt: job.attemptsStarted }, 'job started'));
    // A reminder's outcome (sent, skipped and why, stood down) names no patient data.
    worker.on('completed', (job, result) => log.info({ queue, jobId: job.id, ...(queue === 'reminders' ? { result } : {}) }, 'job completed'));
    worker.on('failed', (job, error) =>
      log[error.name === 'UnrecoverableError' ? 'warn' : 'error']({ queue, jobId: job?.id, attempt: job?.attemptsMade, err: error }, 'job failed'),
    );
    worker.on('stalled', (jobId) => log.warn({ queue, jobId }, 'job stalled (its worker stopped renewing the lock); it runs again'));
    worker.on('error', (error) => log.error({ queue, err: error }, 'worker error'));
    return worker;
  });
  const stopHeartbeat = startHeartbeat(
    connection,
    config.prefix,
    config.heartbeatSeconds,
    { workerId: config.workerId, queues, pid: process.pid, startedAt: new Date().toISOString() },
    (error) => log.warn({ err: error }, 'heartbeat not written'),
  );
  log.info({ queues, optimizeMs: config.optimizeMs, drainGraceMs: config.drainGraceMs }, 'worker started');

  let draining = false;
  const drain = (signal: string) => {
    if (draining) return;
    draining = true;
    log.info({ signal, graceMs: config.drainGraceMs }, 'draining: no new jobs; finishing the running ones');
    // Past the grace the process exits anyway; a job still running is picked up again by another
    // worker once its lock lapses.
    const force = setTimeout(() => {
      log.error('jobs still running after the drain grace; exiting');
      process.exit(1);
    }, config.drainGraceMs);
    force.unref();
    void stopHeartbeat()
      .then(() => Promise.all(workers.map((w) => w.close())))
      .then(async () => {
        await reminders.close();
        await reminderQueue.close().catch(() => {});
        await store.redis.quit().catch(() => store.redis.disconnect());
        await connection.quit().catch(() => connection.disconnect());
        log.info('drained; exiting');
        process.exit(0);
      })
      .catch((error: unknown) => {
        log.error({ err: error }, 'drain failed');
        process.exit(1);
      });
  };
  process.on('SIGTERM', () => drain('SIGTERM'));
  process.on('SIGINT', () => drain('SIGINT'));
}

main();
