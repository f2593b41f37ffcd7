import { WRITES } from './prelude.js';

// Idempotency records. KEYS[1]: the record (JSON { state, hash, status?, body? }, with a TTL).

/** ARGV: 1 body hash, 2 in-flight TTL ms. Replies the record found, or nothing after claiming the key. */
export const BEGIN_IDEMPOTENT = WRITES + String.raw`
local found = redis.call('GET', KEYS[1])
if found then return found end
redis.call('SET', KEYS[1], cjson.encode({ state = 'in-flight', hash = ARGV[1] }), 'PX', ARGV[2])
return false
`;

/** ARGV: 1 body hash, 2 the done record JSON, 3 TTL ms. Only the holder of the key (same hash) finishes it. */
export const FINISH_IDEMPOTENT = WRITES + String.raw`
local found = redis.call('GET', KEYS[1])
if found and cjson.decode(found).hash ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
return 1
`;

/** ARGV: 1 body hash. Drops an in-flight record of that hash, so a retry can run. */
export const ABANDON_IDEMPOTENT = WRITES + String.raw`
local found = redis.call('GET', KEYS[1])
if not found then return 0 end
local rec = cjson.decode(found)
if rec.state ~= 'in-flight' or rec.hash ~= ARGV[1] then return 0 end
redis.call('DEL', KEYS[1])
return 1
`;
