import { WRITES } from './prelude.js';

// Requests waiting to be scheduled. KEYS[1]: the clinic's requests (hash: id → JSON).

/** ARGV: 1 request id, 2 its JSON, 3 the most the hash may hold. Replaces or adds it; 0 when adding would pass the cap. */
export const PUT_REQUEST = WRITES + String.raw`
if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 0 and redis.call('HLEN', KEYS[1]) >= tonumber(ARGV[3]) then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
return 1
`;
