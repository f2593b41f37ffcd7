// How an appointment is kept in the appointments hash. The Lua scripts change version, status, date,
// hold and history in place; the placement (`b`), the history (`h`), the counters it claims (`u`) and
// the set-up items it uses (`r`) are JSON texts the scripts never decode-and-re-encode (Redis's cjson
// would turn an empty array into {}).
import { contractAppointment, type Appointment, type AppointmentStatus } from '../contract/appointment.js';
import type { HistoryEntry, StoredAppointment } from './storedAppointment.js';

export type AppointmentRecord = {
  id: string;
  /** version */
  v: number;
  /** status */
  s: AppointmentStatus;
  /** clinic-local date */
  d: string;
  /** placement JSON (the contract's fields but id and status) */
  b: string;
  /** history JSON array */
  h: string;
  /** claimed counters JSON: [[field, units, cap], ...]; '[]' once it no longer holds capacity */
  u: string;
  /** set-up refs JSON: ["provider:x", ...]; '[]' once it no longer holds capacity */
  r: string;
  /** hold expiry (epoch ms) and caller, for a hold */
  hx?: number;
  hc?: string;
};

/** The placement in a fixed field order, so that equal placements have equal texts (id and status live apart). */
export function placementJson(a: Appointment): string {
  return JSON.stringify({ ...contractAppointment(a), id: undefined, status: undefined });
}

export function recordToAppointment(raw: string): StoredAppointment {
  const rec = JSON.parse(raw) as AppointmentRecord;
  const placement = JSON.parse(rec.b) as Omit<Appointment, 'id' | 'status'>;
  const history = JSON.parse(rec.h) as HistoryEntry[];
  return {
    id: rec.id,
    ...placement,
    status: rec.s,
    version: rec.v,
    date: rec.d,
    history,
    ...(rec.hx !== undefined ? { hold: { expiresAt: new Date(rec.hx).toISOString(), caller: rec.hc ?? '' } } : {}),
  };
}

/** A history entry without its time: the script adds `at` from Redis's clock. */
export function entryJson(entry: Omit<HistoryEntry, 'at'>): string {
  return JSON.stringify({
    status: entry.status,
    by: entry.by,
    ...(entry.reason !== undefined ? { reason: entry.reason } : {}),
    action: entry.action,
  });
}
