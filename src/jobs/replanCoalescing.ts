// Re-plans of one clinic-day coalesce: at most one runs and at most one waits.
//
// How: a clinic-day has a small hash (jobKeys.replanSlots) with a counter `seq`, the id of the job that
// waits (`waiting`, not yet started) and, per job, the disruption set it is to work on (`ev:<jobId>`).
// - A new disruption set (submitReplan, one Lua script): if a job waits, its events are replaced by the
//   new set (a set is the integrator's whole current view of the day's disruptions, so the newest one
//   supersedes the one not yet started) and that job's id is answered; otherwise the n-th job
//   `replan:<clinic>:<date>.<n>` is created with this set. Both posters then follow the same job.
// - A job that starts claims its set (claimReplan): from then on it no longer waits, and the next set
//   creates job n+1, which waits.
// - Job n+1 does not start while job n is unfinished (waiting, running or retrying): its processor sees
//   that and puts itself back to delayed (workers/replanProcessor.ts). So one runs and one waits, even
//   with many worker processes; a job n+1 is only created once job n has claimed, so no third one exists.
import type { RedisClient } from '../store/redisClient.js';
import { jobKeys, RECORD_TTL_SECONDS } from './jobKeys.js';
import { replanJobId } from './jobIds.js';

const SUBMIT = `
local waiting = redis.call('HGET', KEYS[1], 'waiting')
if waiting then
  redis.call('HSET', KEYS[1], 'ev:' .. waiting, ARGV[1])
  redis.call('EXPIRE', KEYS[1], ARGV[2])
  return {waiting, 'replaced'}
end
local n = redis.call('HINCRBY', KEYS[1], 'seq', 1)
local id = ARGV[3] .. n
redis.call('HSET', KEYS[1], 'waiting', id, 'ev:' .. id, ARGV[1])
redis.call('EXPIRE', KEYS[1], ARGV[2])
return {id, 'created'}
`;

const CLAIM = `
if redis.call('HGET', KEYS[1], 'waiting') == ARGV[1] then redis.call('HDEL', KEYS[1], 'waiting') end
return redis.call('HGET', KEYS[1], 'ev:' .. ARGV[1])
`;

// A job that ended without ever claiming (it failed before it started its work) must not stay the
// waiting one, or later sets would be handed to a job that will never run.
const RELEASE = `
if redis.call('HGET', KEYS[1], 'waiting') == ARGV[1] then redis.call('HDEL', KEYS[1], 'waiting') return 1 end
return 0
`;

export type Submitted = { jobId: string; outcome: 'created' | 'replaced' };

export async function submitReplan(redis: RedisClient, prefix: string, clinicId: string, date: string, eventsId: string): Promise<Submitted> {
  const key = jobKeys(prefix, clinicId).replanSlots(date);
  // The id prefix of the clinic-day's jobs: replanJobId with the counter left off.
  const idPrefix = replanJobId(clinicId, date, 1).slice(0, -1);
  const [jobId, outcome] = (await redis.eval(SUBMIT, 1, key, eventsId, RECORD_TTL_SECONDS, idPrefix)) as [string, 'created' | 'replaced'];
  return { jobId, outcome };
}

/** The events id a starting re-plan job is to work on (null if it has none: not a job we created). */
export async function claimReplan(redis: RedisClient, prefix: string, clinicId: string, date: string, jobId: string): Promise<string | null> {
  return (await redis.eval(CLAIM, 1, jobKeys(prefix, clinicId).replanSlots(date), jobId)) as string | null;
}

export async function releaseWaitingReplan(redis: RedisClient, prefix: string, clinicId: string, date: string, jobId: string): Promise<boolean> {
  return (await redis.eval(RELEASE, 1, jobKeys(prefix, clinicId).replanSlots(date), jobId)) === 1;
}

/** The job that must finish before job `n` may start. */
export const previousReplanJobId = (clinicId: string, date: string, n: number): string | null => (n > 1 ? replanJobId(clinicId, date, n - 1) : null);
