// The atomic writes on appointments, as Lua run by Redis (one EVALSHA each). See prelude.ts for the
// keys and the shared functions; every reply is a JSON text.
import { PRELUDE, READS, WRITES } from './prelude.js';

/** Epoch ms of an RFC 3339 date-time with an offset or Z (days from civil date: H. Hinnant's algorithm). */
const MS_OF = String.raw`
local function ms_of(t)
  local y, mo, d, h, mi, s, frac, zone = string.match(t, '^(%d%d%d%d)-(%d%d)-(%d%d)[Tt](%d%d):(%d%d):(%d%d)(%.?%d*)(.*)$')
  y, mo, d = tonumber(y), tonumber(mo), tonumber(d)
  if mo <= 2 then y = y - 1 end
  local era = math.floor(y / 400)
  local yoe = y - era * 400
  local doy = math.floor((153 * ((mo + 9) % 12) + 2) / 5) + d - 1
  local days = era * 146097 + yoe * 365 + math.floor(yoe / 4) - math.floor(yoe / 100) + doy - 719468
  local ms = (days * 86400 + tonumber(h) * 3600 + tonumber(mi) * 60 + tonumber(s)) * 1000
  if #frac > 1 then ms = ms + math.floor(tonumber('0' .. frac) * 1000 + 0.5) end
  local sign, zh, zm = string.match(zone, '^([+-])(%d%d):?(%d%d)$')
  if sign then
    local off = (tonumber(zh) * 60 + tonumber(zm)) * 60000
    if sign == '+' then ms = ms - off else ms = ms + off end
  end
  return ms
end
`;

/**
 * A new hold or a direct booking. ARGV: 5 set-up version the counters were computed on, 6 date,
 * 7 placement JSON, 8 claims JSON, 9 refs JSON, 10 'hold' | 'book', 11 history entry (book),
 * 12 caller, 13 ttl ms, 14 max holds per caller (hold).
 */
export const CLAIM = WRITES + PRELUDE + String.raw`
local now = now_ms()
reclaim(now)
local version = setup_version()
if version ~= tonumber(ARGV[5]) then return reply({ reason = 'setup-changed', version = version }) end
local date, mode = ARGV[6], ARGV[10]
if mode == 'hold' and (tonumber(redis.call('HGET', K_HOLDCOUNT, ARGV[12])) or 0) >= tonumber(ARGV[14]) then
  return reply({ reason = 'too-many-holds' })
end
local sought = request_of(ARGV[7])
if request_held(sought) > 0 then return reply({ reason = 'conflict', conflicts = { date .. '|request:' .. sought } }) end
local L = ledger()
ledger_claim(L, date, ARGV[8])
local conflicts = ledger_commit(L)
if conflicts then return reply({ reason = 'conflict', conflicts = conflicts }) end
local rec = { id = 'a' .. redis.call('INCR', K_SEQ), v = 1, s = 'booked', d = date, b = ARGV[7], h = '[]', u = ARGV[8], r = ARGV[9] }
count_request(rec, 1)
if mode == 'hold' then
  bump_holds(date)
  rec.hx = now + tonumber(ARGV[13])
  rec.hc = ARGV[12]
  redis.call('ZADD', K_HOLDS, rec.hx, rec.id)
  add_hold_count(rec.hc, 1)
else
  push_history(rec, ARGV[11], now)
  bump_day(date)
end
add_refs(rec.r, 1)
redis.call('SADD', P_DAY .. date, rec.id)
return reply({ ok = true, rec = put_rec(rec) })
`;

/** A hold becomes a booking. ARGV: 5 hold id, 6 history entry. */
export const BOOK_HOLD = WRITES + PRELUDE + String.raw`
local now = now_ms()
local rec, refusal = live_hold(ARGV[5], now)
if not rec then return refusal end
redis.call('ZREM', K_HOLDS, rec.id)
add_hold_count(rec.hc, -1)
rec.hx = nil
rec.hc = nil
rec.v = rec.v + 1
rec.s = 'booked'
push_history(rec, ARGV[6], now)
bump_day(rec.d)
return reply({ ok = true, rec = put_rec(rec) })
`;

/** Reclaim every hold whose time has come; replies how many there were. No ARGV of its own. */
export const SWEEP_HOLDS = WRITES + PRELUDE + String.raw`
local now = now_ms()
local due = redis.call('ZCOUNT', K_HOLDS, '-inf', now)
reclaim(now)
return due
`;

/** Give a hold up. ARGV: 5 hold id. */
export const RELEASE_HOLD = WRITES + PRELUDE + String.raw`
local now = now_ms()
local rec, refusal = live_hold(ARGV[5], now)
if not rec then return refusal end
local raw = cjson.encode(rec)
drop_hold(rec)
return reply({ ok = true, rec = raw })
`;

/**
 * A status change with version check. ARGV: 5 id, 6 expected version, 7 new status, 8 history entry,
 * 9 allowed transitions JSON ({ from: [to, ...] }), 10 '1' when the new status frees the capacity,
 * 11 the billing key prefix ('' for none; the date is appended), 12 late-cancellation policies JSON
 * ({ serviceId: { windowHours, fee, windowFrom, feeFrom } }): a cancellation less than windowHours before
 * the start (by Redis's clock), or a no-show, of a service with a policy is flagged in the same step.
 */
export const CHANGE_STATUS = WRITES + PRELUDE + MS_OF + String.raw`
local now = now_ms()
reclaim(now)
local rec = get_rec(ARGV[5])
if not rec or rec.hx then return reply({ reason = 'not-found' }) end
if rec.v ~= tonumber(ARGV[6]) then return reply({ reason = 'stale', rec = cjson.encode(rec) }) end
local to = ARGV[7]
local allowed = false
for _, s in ipairs(cjson.decode(ARGV[9])[rec.s] or {}) do if s == to then allowed = true end end
if not allowed then return reply({ reason = 'invalid-transition', from = rec.s, to = to }) end
if ARGV[10] == '1' then
  local L = ledger()
  ledger_release(L, rec)
  ledger_commit(L)
  add_refs(rec.r, -1)
  count_request(rec, -1)
  rec.u = '[]'
  rec.r = '[]'
end
rec.s = to
rec.v = rec.v + 1
push_history(rec, ARGV[8], now)
bump_day(rec.d)
if (to == 'cancelled' or to == 'noshow') and ARGV[11] and ARGV[11] ~= '' then
  local b = cjson.decode(rec.b)
  local policy = cjson.decode(ARGV[12])[b.serviceId]
  local hours = policy and (ms_of(b.start) - now) / 3600000
  if policy and (to == 'noshow' or hours < policy.windowHours) then
    local entry = cjson.decode(ARGV[8])
    local flag = {
      appointmentId = rec.id, requestId = b.requestId, patientId = b.patientId, serviceId = b.serviceId,
      providerId = b.providerId, roomId = b.roomId, date = rec.d, start = b.start, ['end'] = b['end'],
      kind = to == 'noshow' and 'no-show' or 'late-cancellation', at = iso(now),
      hoursBefore = math.floor(hours * 100 + 0.5) / 100, windowHours = policy.windowHours, fee = policy.fee,
      policy = { windowFrom = policy.windowFrom, feeFrom = policy.feeFrom }, by = entry.by, reason = entry.reason, source = 'status',
    }
    redis.call('HSET', ARGV[11] .. rec.d, rec.id, cjson.encode(flag))
  end
end
return reply({ ok = true, rec = put_rec(rec) })
`;

/**
 * Move a booked appointment: release its counters and claim the new ones in one step. ARGV: 5 id,
 * 6 expected version, 7 set-up version, 8 new date, 9 new placement JSON, 10 claims JSON, 11 refs JSON,
 * 12 history entry.
 */
export const RESCHEDULE = WRITES + PRELUDE + String.raw`
local now = now_ms()
reclaim(now)
local rec = get_rec(ARGV[5])
if not rec or rec.hx then return reply({ reason = 'not-found' }) end
if rec.v ~= tonumber(ARGV[6]) then return reply({ reason = 'stale', rec = cjson.encode(rec) }) end
if rec.s ~= 'booked' then return reply({ reason = 'invalid-transition', from = rec.s, to = 'booked' }) end
local version = setup_version()
if version ~= tonumber(ARGV[7]) then return reply({ reason = 'setup-changed', version = version }) end
local date = ARGV[8]
local L = ledger()
ledger_release(L, rec)
ledger_claim(L, date, ARGV[10])
local conflicts = ledger_commit(L)
if conflicts then return reply({ reason = 'conflict', conflicts = conflicts }) end
add_refs(rec.r, -1)
add_refs(ARGV[11], 1)
if rec.d ~= date then
  redis.call('SREM', P_DAY .. rec.d, rec.id)
  redis.call('SADD', P_DAY .. date, rec.id)
  bump_day(rec.d)
end
bump_day(date)
rec.d = date
rec.b = ARGV[9]
rec.u = ARGV[10]
rec.r = ARGV[11]
rec.v = rec.v + 1
push_history(rec, ARGV[12], now)
return reply({ ok = true, rec = put_rec(rec) })
`;

/** One date's schedule version and appointments (holds whose time has come left out). ARGV: 5 date. */
export const LIST_DAY = READS + PRELUDE + String.raw`
local now = now_ms()
local date = ARGV[5]
local version = tonumber(redis.call('GET', P_DAYVER .. date)) or 0
local ids = redis.call('SMEMBERS', P_DAY .. date)
local out = {}
local i = 1
while i <= #ids do
  local j = math.min(#ids, i + 499)
  local raws = redis.call('HMGET', K_APPTS, unpack(ids, i, j))
  for k = 1, #raws do
    local raw = raws[k]
    if raw then
      local hx = string.match(raw, '"hx":(%d+)')
      if not hx or tonumber(hx) > now then table.insert(out, raw) end
    end
  end
  i = j + 1
end
return { version, out }
`;

/**
 * Replace a date's live (booked, checked-in) appointments by a plan, if the date's version is still the
 * expected one. ARGV: 5 date, 6 expected version, 7 set-up version, 8 items JSON: [{ id?, b, u, r, s, e }]
 * (b: '' keeps the placement; e: the history entry, recorded when the item is new or changes status; an
 * item naming an appointment that is not live, e.g. a hold or one in progress, must be as stored and is
 * left alone, except that one in progress with x set may have another end: it claims until then), 9 history entry for a live appointment the plan leaves out (it is cancelled), 10 allowed
 * status transitions JSON, 11 the billing key prefix ('' for none), 12 billing flags to record
 * ([[appointment id, flag JSON], ...]; one already recorded for that appointment stays).
 */
export const APPLY_DAY = WRITES + PRELUDE + String.raw`
local now = now_ms()
reclaim(now)
local date = ARGV[5]
local current = tonumber(redis.call('GET', P_DAYVER .. date)) or 0
if current ~= tonumber(ARGV[6]) then return reply({ reason = 'stale', version = current }) end
local version = setup_version()
if version ~= tonumber(ARGV[7]) then return reply({ reason = 'setup-changed', version = version }) end
local live = {}
local ids = redis.call('SMEMBERS', P_DAY .. date)
for _, id in ipairs(ids) do
  local rec = get_rec(id)
  if rec and not rec.hx and (rec.s == 'booked' or rec.s == 'checked-in') then live[id] = rec end
end
local items = cjson.decode(ARGV[8])
local transitions = cjson.decode(ARGV[10])
local given = {}
local plan = {}
-- Two placements alike but for their end (the same JSON decoded alike iterates alike, so encodings compare).
local function same_but_end(a, b)
  local x, y = cjson.decode(a), cjson.decode(b)
  for k, v in pairs(x) do if k ~= 'end' and cjson.encode(v) ~= cjson.encode(y[k]) then return false end end
  for k in pairs(y) do if x[k] == nil then return false end end
  return true
end
local extended = {}
for _, item in ipairs(items) do
  if item.id and given[item.id] then return reply({ reason = 'not-live', id = item.id }) end
  if item.id and not live[item.id] then
    -- A hold, a visit under way or done, or one already cancelled may come back as it is: it stays.
    -- A visit under way may also come back with another end (x: an overrun), and is claimed afresh.
    local rec = get_rec(item.id)
    if not rec or rec.d ~= date or rec.s ~= item.s then return reply({ reason = 'not-live', id = item.id }) end
    if item.b ~= '' and item.b ~= rec.b then
      if not (item.x and rec.s == 'in-progress' and same_but_end(item.b, rec.b)) then return reply({ reason = 'not-live', id = item.id }) end
      table.insert(extended, { rec = rec, item = item })
    end
    given[item.id] = true
  else
    if item.id then
      given[item.id] = true
      local from = live[item.id].s
      if from ~= item.s then
        local allowed = false
        for _, s in ipairs(transitions[from] or {}) do if s == item.s then allowed = true end end
        if not allowed then return reply({ reason = 'invalid-transition', id = item.id, from = from, to = item.s }) end
      end
    elseif item.s ~= 'booked' and item.s ~= 'checked-in' then
      return reply({ reason = 'not-live', id = '' })
    end
    table.insert(plan, item)
  end
end
items = plan
-- A new appointment's request may not be held on another date (this date's live ones are replaced).
local mine = {}
for _, rec in pairs(live) do local q = request_of(rec.b); mine[q] = (mine[q] or 0) + 1 end
for _, item in ipairs(items) do
  if not item.id and item.b ~= '' then
    local q = request_of(item.b)
    if request_held(q) - (mine[q] or 0) > 0 then return reply({ reason = 'conflict', conflicts = { date .. '|request:' .. q } }) end
  end
end
local L = ledger()
for _, rec in pairs(live) do ledger_release(L, rec) end
for _, item in ipairs(items) do
  if item.s == 'booked' or item.s == 'checked-in' then ledger_claim(L, date, item.u) end
end
for _, x in ipairs(extended) do
  ledger_release(L, x.rec)
  ledger_claim(L, date, x.item.u)
end
local conflicts = ledger_commit(L)
if conflicts then return reply({ reason = 'conflict', conflicts = conflicts }) end
local holding = function(s) return s == 'booked' or s == 'checked-in' end
for id, rec in pairs(live) do
  add_refs(rec.r, -1)
  count_request(rec, -1)
  if not given[id] then
    rec.s = 'cancelled'
    rec.u = '[]'
    rec.r = '[]'
    rec.v = rec.v + 1
    push_history(rec, ARGV[9], now)
    put_rec(rec)
  end
end
local out = {}
for _, item in ipairs(items) do
  local rec
  if item.id then
    rec = live[item.id]
    if item.b == '' then item.b = rec.b end
    if rec.b ~= item.b or rec.s ~= item.s then rec.v = rec.v + 1 end
    if rec.s ~= item.s then push_history(rec, item.e, now) end
  else
    rec = { id = 'a' .. redis.call('INCR', K_SEQ), v = 1, d = date, h = '[]' }
    redis.call('SADD', P_DAY .. date, rec.id)
    push_history(rec, item.e, now)
  end
  rec.s = item.s
  rec.b = item.b
  if holding(item.s) then
    rec.u = item.u
    rec.r = item.r
    add_refs(rec.r, 1)
    count_request(rec, 1)
  else
    rec.u = '[]'
    rec.r = '[]'
  end
  table.insert(out, put_rec(rec))
end
for _, x in ipairs(extended) do
  local rec = x.rec
  add_refs(rec.r, -1)
  rec.b = x.item.b
  rec.u = x.item.u
  rec.r = x.item.r
  add_refs(rec.r, 1)
  rec.v = rec.v + 1
  push_history(rec, x.item.e, now)
  table.insert(out, put_rec(rec))
end
-- A re-plan's billing flags (ARGV 11 key prefix, 12 [[appointment id, flag JSON], ...]), unless one is there already.
if ARGV[11] and ARGV[11] ~= '' then
  for _, f in ipairs(cjson.decode(ARGV[12])) do redis.call('HSETNX', ARGV[11] .. date, f[1], f[2]) end
end
local after = bump_day(date)
return { after, out }
`;
