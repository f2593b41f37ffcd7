import { WRITES } from './prelude.js';

// The audit trail. KEYS: 1 the stream, 2 its head (hash: seq, hash, id), 3 the clinic's set-up (the head
// again for the deployment's stream, which checks no clinic). All under one hash tag: one slot.
//
// Why the hash is computed in Node and only checked-and-set here: the chain is SHA-256 so that an
// auditor can recompute it with any tool (an export verifies offline), and Redis's Lua has SHA-1 only
// (redis.sha1hex), which no longer resists forged collisions. So the API computes the entry's hash over
// the head it last saw, and this script appends only if the head is still that one, moving it in the
// same step; otherwise it answers the current head and the API hashes again over it. The entries a
// process has waiting for one stream go in one call, chained one after another. Two API
// processes appending at once thus never fork the chain: one wins, the other retries on top of it.

/**
 * ARGV: 1 '1' if the clinic must exist (its set-up key), 2 the head's seq the entries follow (0: none yet),
 * 3 the head's hash they follow, then for each entry, chained in order: its hash, its JSON.
 * Replies { 'ok', stream id, ... } (one id per entry) | { 'no-clinic' } | { 'moved', seq, hash } (the head as it is).
 */
export const APPEND_AUDIT = WRITES + String.raw`
if ARGV[1] == '1' and redis.call('EXISTS', KEYS[3]) == 0 then return { 'no-clinic' } end
local head = redis.call('HMGET', KEYS[2], 'seq', 'hash')
local seq = head[1] or '0'
local hash = head[2] or string.rep('0', 64)
if seq ~= ARGV[2] or hash ~= ARGV[3] then return { 'moved', seq, hash } end
local out = { 'ok' }
local id
for i = 4, #ARGV, 2 do
  id = redis.call('XADD', KEYS[1], '*', 'entry', ARGV[i + 1])
  table.insert(out, id)
end
redis.call('HSET', KEYS[2], 'seq', tostring(tonumber(seq) + (#ARGV - 3) / 2), 'hash', ARGV[#ARGV - 1], 'id', id)
return out
`;
