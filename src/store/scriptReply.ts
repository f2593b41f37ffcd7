import type { AppointmentStatus } from '../contract/appointment.js';
import type { ClinicSetup } from '../contract/clinicSetup.js';
import { recordToAppointment } from './appointmentRecord.js';
import { conflictsOf } from './claimPlan.js';
import type { AppointmentResult } from './results.js';

/** What the appointment scripts answer (one JSON text). */
export type ScriptReply = {
  ok?: true;
  rec?: string;
  reason?: 'setup-changed' | 'conflict' | 'stale' | 'not-found' | 'invalid-transition' | 'hold-expired' | 'too-many-holds';
  conflicts?: string[];
  from?: AppointmentStatus;
  to?: AppointmentStatus;
};

/** The script's answer as the store's result; 'setup-changed' is for withSetup to retry on. */
export function toResult(raw: unknown, setup: ClinicSetup | null): AppointmentResult | 'setup-changed' {
  const reply = JSON.parse(raw as string) as ScriptReply;
  if (reply.ok) return { ok: true, appointment: recordToAppointment(reply.rec!) };
  switch (reply.reason) {
    case 'setup-changed':
      return 'setup-changed';
    case 'conflict':
      // cjson writes an empty array as {}; a conflict always names at least one counter.
      return { ok: false, reason: 'conflict', conflicts: setup ? conflictsOf(setup, reply.conflicts ?? []) : [] };
    case 'stale':
      return { ok: false, reason: 'stale', current: recordToAppointment(reply.rec!) };
    case 'invalid-transition':
      return { ok: false, reason: 'invalid-transition', from: reply.from!, to: reply.to! };
    case 'hold-expired':
      return { ok: false, reason: 'hold-expired' };
    case 'too-many-holds':
      return { ok: false, reason: 'too-many-holds' };
    default:
      return { ok: false, reason: 'not-found' };
  }
}
