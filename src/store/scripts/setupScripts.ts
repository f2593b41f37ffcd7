import { WRITES } from './prelude.js';

// Set-up writes. KEYS: 1 setup hash { json, version }, 2 refs (live appointments per set-up item).

/**
 * Replace the set-up if its version is still ARGV[1] ('' = there must be none yet) and it keeps every
 * item a live appointment uses (ARGV[3]: the new set-up's refs JSON). ARGV[2]: the set-up JSON.
 */
export const PUT_SETUP = WRITES + String.raw`
local version = tonumber(redis.call('HGET', KEYS[1], 'version')) or 0
local expected = ARGV[1]
if (expected == '' and version ~= 0) or (expected ~= '' and tonumber(expected) ~= version) then
  return cjson.encode({ reason = 'stale', version = version })
end
local keep = {}
for _, ref in ipairs(cjson.decode(ARGV[3])) do keep[ref] = true end
local used = redis.call('HGETALL', KEYS[2])
local missing = {}
for i = 1, #used, 2 do
  if not keep[used[i]] and tonumber(used[i + 1]) > 0 then table.insert(missing, { used[i], tonumber(used[i + 1]) }) end
end
if #missing > 0 then return cjson.encode({ reason = 'in-use', missing = missing }) end
redis.call('HSET', KEYS[1], 'json', ARGV[2], 'version', version + 1)
return cjson.encode({ ok = true, version = version + 1 })
`;
