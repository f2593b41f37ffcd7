// A disruption set as posted to POST /clinics/{id}/disruptions: kept in Redis under its own id (a job
// carries ids only), for the re-plan job that takes it up.
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { Id, Instant } from '../contract/primitives.js';
import { ReplanEvent } from '../contract/replan.js';
import type { RedisClient } from '../store/redisClient.js';
import { LocalDate } from './jobIds.js';
import { jobKeys, RECORD_TTL_SECONDS } from './jobKeys.js';

export const DisruptionSet = z.object({
  eventsId: z.string(),
  clinicId: Id,
  date: LocalDate,
  now: Instant,
  events: z.array(ReplanEvent),
  postedAt: Instant,
});
export type DisruptionSet = z.infer<typeof DisruptionSet>;

export const newEventsId = () => randomUUID();

export async function saveDisruptionSet(redis: RedisClient, prefix: string, set: DisruptionSet): Promise<void> {
  await redis.set(jobKeys(prefix, set.clinicId).events(set.eventsId), JSON.stringify(set), 'EX', RECORD_TTL_SECONDS);
}

export async function loadDisruptionSet(redis: RedisClient, prefix: string, clinicId: string, eventsId: string): Promise<DisruptionSet | null> {
  const text = await redis.get(jobKeys(prefix, clinicId).events(eventsId));
  if (text === null) return null;
  const parsed = DisruptionSet.safeParse(JSON.parse(text));
  return parsed.success ? parsed.data : null;
}
