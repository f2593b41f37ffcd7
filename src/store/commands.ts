// The Lua scripts as ioredis commands (EVALSHA, loaded on first use per connection), and how the
// appointment scripts are called with a clinic's keys.
import type { RedisClient } from './redisClient.js';
import { APPLY_DAY, BOOK_HOLD, CHANGE_STATUS, CLAIM, LIST_DAY, RELEASE_HOLD, RESCHEDULE, SWEEP_HOLDS } from './scripts/appointmentScripts.js';
import { APPEND_AUDIT } from './scripts/auditScripts.js';
import { ABANDON_IDEMPOTENT, BEGIN_IDEMPOTENT, FINISH_IDEMPOTENT } from './scripts/idempotencyScripts.js';
import { KEY_COUNT } from './scripts/prelude.js';
import { PUT_REQUEST } from './scripts/requestScripts.js';
import { PUT_SETUP } from './scripts/setupScripts.js';
import { clinicKeys } from './keys.js';
import type { Store } from './store.js';

const APPOINTMENT_SCRIPTS = {
  medschedClaim: CLAIM,
  medschedBookHold: BOOK_HOLD,
  medschedReleaseHold: RELEASE_HOLD,
  medschedSweepHolds: SWEEP_HOLDS,
  medschedChangeStatus: CHANGE_STATUS,
  medschedReschedule: RESCHEDULE,
  medschedListDay: LIST_DAY,
  medschedApplyDay: APPLY_DAY,
};
const OTHER_SCRIPTS = {
  medschedPutSetup: { lua: PUT_SETUP, keys: 2 },
  medschedPutRequest: { lua: PUT_REQUEST, keys: 1 },
  medschedBeginIdempotent: { lua: BEGIN_IDEMPOTENT, keys: 1 },
  medschedFinishIdempotent: { lua: FINISH_IDEMPOTENT, keys: 1 },
  medschedAbandonIdempotent: { lua: ABANDON_IDEMPOTENT, keys: 1 },
  medschedAppendAudit: { lua: APPEND_AUDIT, keys: 3 },
};
export type AppointmentScript = keyof typeof APPOINTMENT_SCRIPTS;
export type OtherScript = keyof typeof OTHER_SCRIPTS;
type Command = (...args: (string | number)[]) => Promise<unknown>;

const defined = new WeakSet<RedisClient>();

function commands(redis: RedisClient): Record<AppointmentScript | OtherScript, Command> {
  if (!defined.has(redis)) {
    for (const [name, lua] of Object.entries(APPOINTMENT_SCRIPTS)) redis.defineCommand(name, { lua, numberOfKeys: KEY_COUNT });
    for (const [name, { lua, keys }] of Object.entries(OTHER_SCRIPTS)) redis.defineCommand(name, { lua, numberOfKeys: keys });
    defined.add(redis);
  }
  return redis as unknown as Record<AppointmentScript | OtherScript, Command>;
}

/** Runs an appointment script with the clinic's keys and the script's own arguments. */
export function runAppointmentScript(store: Store, clinicId: string, name: AppointmentScript, args: (string | number)[]): Promise<unknown> {
  const k = clinicKeys(store.prefix, clinicId);
  const keys = [k.setup, k.appointments, k.sequence, k.holds, k.expiredHolds, k.holdCount, k.refs];
  const prefixes = [k.day(''), k.dayVersion(''), k.usage('')];
  return commands(store.redis)[name](...keys, ...prefixes, Math.round(store.clockOffsetMs ?? 0), ...args);
}

export function runScript(store: Store, name: OtherScript, keys: string[], args: (string | number)[]): Promise<unknown> {
  return commands(store.redis)[name](...keys, ...args);
}
