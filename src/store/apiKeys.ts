// API key records in Redis: one hash per deployment (`<prefix>:apikeys`, field = key id), each record the
// secret's hash, the role and clinics it grants, a name, when it was created and, once revoked, when.
// One key keeps it to one Redis Cluster slot; revoking keeps the record (list shows it, it no longer works).
import type { RedisClient } from './redisClient.js';
import { z } from 'zod';
import { Role } from '../auth/claims.js';

export const apiKeysKey = (prefix: string) => `${prefix}:apikeys`;

export const ApiKeyRecord = z.object({
  keyId: z.string(),
  secretHash: z.string(),
  name: z.string(),
  role: Role,
  clinics: z.array(z.string()),
  providerId: z.string().optional(),
  created: z.string(),
  revoked: z.string().nullable(),
});
export type ApiKeyRecord = z.infer<typeof ApiKeyRecord>;

/** Stores a new record; false if the key id is taken already (then draw another). */
export async function saveApiKey(redis: RedisClient, prefix: string, record: ApiKeyRecord): Promise<boolean> {
  return (await redis.hsetnx(apiKeysKey(prefix), record.keyId, JSON.stringify(record))) === 1;
}

export async function getApiKey(redis: RedisClient, prefix: string, keyId: string): Promise<ApiKeyRecord | null> {
  const text = await redis.hget(apiKeysKey(prefix), keyId);
  return text === null ? null : parseRecord(text);
}

export async function listApiKeys(redis: RedisClient, prefix: string): Promise<ApiKeyRecord[]> {
  const all = await redis.hvals(apiKeysKey(prefix));
  return all.flatMap((text) => parseRecord(text) ?? []).sort((a, b) => a.created.localeCompare(b.created) || a.keyId.localeCompare(b.keyId));
}

/** Marks the key revoked (at `at`); the record stays. 'unknown' when there is none, 'already' when it was revoked before. */
export async function revokeApiKey(redis: RedisClient, prefix: string, keyId: string, at: string): Promise<'revoked' | 'already' | 'unknown'> {
  const record = await getApiKey(redis, prefix, keyId);
  if (!record) return 'unknown';
  if (record.revoked !== null) return 'already';
  await redis.hset(apiKeysKey(prefix), keyId, JSON.stringify({ ...record, revoked: at }));
  return 'revoked';
}

/** A record that does not parse grants nothing (it is treated as unknown). */
function parseRecord(text: string): ApiKeyRecord | null {
  try {
    const parsed = ApiKeyRecord.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}
