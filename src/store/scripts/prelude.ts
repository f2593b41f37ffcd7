// Lua shared by every appointment script. KEYS (all of one clinic, one hash tag): 1 setup, 2
// appointments, 3 sequence, 4 holds, 5 expired holds, 6 hold count, 7 refs. ARGV 1-3: the key prefixes
// of a date's appointment set, version and usage counters (the date is appended); ARGV 4: ms added to
// Redis's clock (0 but in tests). Script arguments start at ARGV[5].
//
// Nothing is written before every check has passed: a script that returns a refusal has changed
// nothing (but reclaiming expired holds, which is due anyway).
export const KEY_COUNT = 7;

/**
 * Script headers. With a shebang Redis refuses a writing script up front when it is out of memory
 * (instead of failing at its first write, which could leave the script half done), and runs a
 * no-writes script on replicas and under OOM.
 */
export const WRITES = '#!lua\n';
export const READS = '#!lua flags=no-writes\n';

export const PRELUDE = String.raw`
local K_SETUP, K_APPTS, K_SEQ, K_HOLDS, K_EXPIRED, K_HOLDCOUNT, K_REFS = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6], KEYS[7]
local P_DAY, P_DAYVER, P_USAGE = ARGV[1], ARGV[2], ARGV[3]
local OFFSET = tonumber(ARGV[4])
local DAY_MS = 86400000

local function now_ms()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000) + OFFSET
end

-- epoch ms as 2026-11-23T14:05:03.123Z (days to civil date: H. Hinnant's algorithm)
local function iso(ms)
  local secs = math.floor(ms / 1000)
  local milli = ms - secs * 1000
  local days = math.floor(secs / 86400)
  local rem = secs - days * 86400
  local z = days + 719468
  local era = math.floor(z / 146097)
  local doe = z - era * 146097
  local yoe = math.floor((doe - math.floor(doe / 1460) + math.floor(doe / 36524) - math.floor(doe / 146096)) / 365)
  local y = yoe + era * 400
  local doy = doe - (365 * yoe + math.floor(yoe / 4) - math.floor(yoe / 100))
  local mp = math.floor((5 * doy + 2) / 153)
  local d = doy - math.floor((153 * mp + 2) / 5) + 1
  local m = mp < 10 and mp + 3 or mp - 9
  if m <= 2 then y = y + 1 end
  return string.format('%04d-%02d-%02dT%02d:%02d:%02d.%03dZ', y, m, d, math.floor(rem / 3600), math.floor((rem % 3600) / 60), rem % 60, milli)
end

local function get_rec(id)
  local raw = redis.call('HGET', K_APPTS, id)
  if not raw then return nil end
  return cjson.decode(raw)
end

local function put_rec(rec)
  local raw = cjson.encode(rec)
  redis.call('HSET', K_APPTS, rec.id, raw)
  return raw
end

local function push_history(rec, entry, now)
  local full = '{"at":"' .. iso(now) .. '",' .. string.sub(entry, 2)
  if rec.h == '[]' then rec.h = '[' .. full .. ']' else rec.h = string.sub(rec.h, 1, -2) .. ',' .. full .. ']' end
end

local function bump_day(date)
  return redis.call('INCR', P_DAYVER .. date)
end

local function add_refs(refs_json, delta)
  for _, ref in ipairs(cjson.decode(refs_json)) do
    if redis.call('HINCRBY', K_REFS, ref, delta) <= 0 then redis.call('HDEL', K_REFS, ref) end
  end
end

local function add_hold_count(caller, delta)
  if redis.call('HINCRBY', K_HOLDCOUNT, caller, delta) <= 0 then redis.call('HDEL', K_HOLDCOUNT, caller) end
end

-- A ledger of counter changes over one or more dates, checked as a whole, then written.
local function ledger() return { keys = {}, order = {} } end

local function ledger_add(L, date, field, delta, cap)
  local key = P_USAGE .. date
  local t = L.keys[key]
  if not t then
    t = { date = date, fields = {}, names = {} }
    L.keys[key] = t
    table.insert(L.order, key)
  end
  local e = t.fields[field]
  if not e then
    e = { delta = 0 }
    t.fields[field] = e
    table.insert(t.names, field)
  end
  e.delta = e.delta + delta
  if cap then e.cap = cap end
end

local function ledger_claim(L, date, claims_json)
  for _, c in ipairs(cjson.decode(claims_json)) do ledger_add(L, date, c[1], c[2], c[3]) end
end

local function ledger_release(L, rec)
  for _, c in ipairs(cjson.decode(rec.u)) do ledger_add(L, rec.d, c[1], -c[2], nil) end
end

-- Every claimed counter must end within its cap; returns the "date|field" that would not, or writes all and returns nil.
local function ledger_commit(L)
  local conflicts = {}
  for _, key in ipairs(L.order) do
    local t = L.keys[key]
    local n = #t.names
    local i = 1
    while i <= n do
      local j = math.min(n, i + 499)
      local vals = redis.call('HMGET', key, unpack(t.names, i, j))
      for k = i, j do
        local e = t.fields[t.names[k]]
        e.final = (tonumber(vals[k - i + 1]) or 0) + e.delta
        if e.cap and e.final > e.cap then table.insert(conflicts, t.date .. '|' .. t.names[k]) end
      end
      i = j + 1
    end
  end
  if #conflicts > 0 then return conflicts end
  for _, key in ipairs(L.order) do
    local t = L.keys[key]
    for _, f in ipairs(t.names) do
      local e = t.fields[f]
      if e.delta ~= 0 then
        if e.final <= 0 then redis.call('HDEL', key, f) else redis.call('HSET', key, f, e.final) end
      end
    end
  end
  return nil
end

-- Release a hold's capacity and forget it.
-- How many live appointments and holds each request has, over all dates (a request is one visit: the
-- per-date counter keeps it once a day, this once at all). Same hash tag as K_REFS, so the same slot.
local K_REQS = K_REFS .. ':requests'
local function request_of(placement) return cjson.decode(placement).requestId end
local function count_request(rec, delta)
  local q = request_of(rec.b)
  if redis.call('HINCRBY', K_REQS, q, delta) <= 0 then redis.call('HDEL', K_REQS, q) end
  -- Every appointment (or hold) a request was ever given, so a referral's visits can be read back.
  if delta > 0 then redis.call('SADD', K_REQS .. ':' .. q, rec.id) end
end
local function request_held(q) return tonumber(redis.call('HGET', K_REQS, q)) or 0 end

local function bump_holds(date)
  redis.call('INCR', P_DAYVER .. date .. ':holds')
end

local function drop_hold(rec)
  bump_holds(rec.d)
  count_request(rec, -1)
  local L = ledger()
  ledger_release(L, rec)
  ledger_commit(L)
  add_refs(rec.r, -1)
  if rec.hc then add_hold_count(rec.hc, -1) end
  redis.call('HDEL', K_APPTS, rec.id)
  redis.call('SREM', P_DAY .. rec.d, rec.id)
  redis.call('ZREM', K_HOLDS, rec.id)
end

-- Holds whose expiry has come (expiresAt <= now) give their capacity back, whichever process runs.
local function reclaim(now)
  local ids = redis.call('ZRANGEBYSCORE', K_HOLDS, '-inf', now, 'WITHSCORES')
  if #ids == 0 then return end
  for i = 1, #ids, 2 do
    local id = ids[i]
    local rec = get_rec(id)
    if rec and rec.hx then drop_hold(rec) else redis.call('ZREM', K_HOLDS, id) end
    redis.call('ZADD', K_EXPIRED, ids[i + 1], id)
  end
  redis.call('ZREMRANGEBYSCORE', K_EXPIRED, '-inf', now - DAY_MS)
end

local function setup_version()
  return tonumber(redis.call('HGET', K_SETUP, 'version')) or 0
end

local function reply(t) return cjson.encode(t) end

-- The live hold 'id', or nil and the refusal to return (expired, or unknown); expired holds are reclaimed first.
local function live_hold(id, now)
  local due = tonumber(redis.call('ZSCORE', K_HOLDS, id))
  reclaim(now)
  if due and due <= now then return nil, reply({ reason = 'hold-expired' }) end
  local rec = get_rec(id)
  if not rec or not rec.hx then
    if redis.call('ZSCORE', K_EXPIRED, id) then return nil, reply({ reason = 'hold-expired' }) end
    return nil, reply({ reason = 'not-found' })
  end
  return rec, nil
end

`;
