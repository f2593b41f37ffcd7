// `npm run api`: reads the configuration from the environment, connects to Redis, serves HTTP, and on
// SIGTERM/SIGINT stops taking requests, lets those in flight finish (up to SHUTDOWN_GRACE_MS), and exits.
import { connectStore } from '../store/store.js';
import { loadConfig } from './config.js';
import { buildServer } from './server.js';

async function main(): Promise<void> {
  const loaded = loadConfig(process.env);
  if (!loaded.ok) {
    process.stderr.write(
      `medsched api: invalid configuration:\n${loaded.problems.map((p) => `  ${p.path}: ${p.message}`).join('\n')}\n`,
    );
    process.exit(2);
  }
  const config = loaded.config;
  // The store connects in the background; until Redis answers, store routes answer 503.
  const store = connectStore(config.redis, config.prefix);
  const app = await buildServer(config, { store, now: () => Date.now() });
  store.redis.on('error', (error: Error) => app.log.warn({ err: error.message }, 'redis connection problem'));
  if (config.access.jwt.devSecret)
    app.log.warn(
      'MEDSCHED_JWT_SECRET is not set: tokens are checked with the development secret printed in the README, which anyone can use; ' +
        'this is allowed only off production and on a loopback HOST. Set MEDSCHED_JWT_SECRET before anyone else can reach this API.',
    );
  if (!config.patientCipher)
    app.log.warn('MEDSCHED_DATA_KEY is not set: patients\' names, phones, e-mails and birth dates are stored in Redis in the clear; set one in production (see "Privacy" in the README).');

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    app.log.info({ signal }, 'shutting down: finishing requests in flight');
    const force = setTimeout(() => {
      app.log.error('requests still in flight after the grace period; exiting anyway');
      process.exit(1);
    }, config.shutdownGraceMs);
    force.unref();
    // A keep-alive connection that just got its last answer would hold close() open: drop idle ones as they appear.
    const sweep = setInterval(() => app.server.closeIdleConnections(), 100);
    sweep.unref();
    app
      .close()
      .then(() => store.redis.quit().catch(() => store.redis.disconnect()))
      .then(() => {
        app.log.info('stopped');
        process.exit(0);
      })
      .catch((error: unknown) => {
        app.log.error({ err: error }, 'shutdown failed');
        process.exit(1);
      });
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));

  try {
    await app.listen({ port: config.port, host: config.host });
  } catch (error) {
    process.stderr.write(`medsched api: cannot listen on ${config.host}:${config.port}: ${(error as Error).message}\n`);
    process.exit(2);
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`medsched api: failed to start: ${(error as Error).message}\n`);
  process.exit(3);
});
