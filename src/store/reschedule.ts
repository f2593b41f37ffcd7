import type { Appointment } from '../contract/appointment.js';
import type { Request } from '../contract/instance.js';
import { formatInZone, toMs } from '../domain/time.js';
import { entryJson } from './appointmentRecord.js';
import type { ChangeOptions } from './book.js';
import { planClaim, withSetup } from './claimPlan.js';
import { runAppointmentScript } from './commands.js';
import { getAppointment } from './readAppointments.js';
import type { RescheduleResult } from './results.js';
import { toResult } from './scriptReply.js';
import type { Store } from './store.js';

/**
 * Where an appointment moves to. Without `staff`, the same staff members keep their tasks, shifted
 * with the start; without `equipment`, the same equipment.
 */
export type NewPlacement = Pick<Appointment, 'providerId' | 'roomId' | 'start' | 'end'> & Partial<Pick<Appointment, 'staff' | 'equipment'>>;

/**
 * Moves a booked appointment (version check) in one step: its counters are released and the new
 * ones claimed together, so it never collides with itself and never is half-moved. It may move to
 * another date.
 */
export async function reschedule(
  store: Store,
  clinicId: string,
  id: string,
  expectedVersion: number,
  newPlacement: NewPlacement,
  options: ChangeOptions & { request?: Request },
): Promise<RescheduleResult> {
  const current = await getAppointment(store, clinicId, id);
  if (!current || current.hold) return { ok: false, reason: 'not-found' };
  if (current.version !== expectedVersion) return { ok: false, reason: 'stale', current };
  if (current.status !== 'booked') return { ok: false, reason: 'invalid-transition', from: current.status, to: 'booked' };
  return withSetup(store, clinicId, async ({ setup, version }) => {
    const shift = toMs(newPlacement.start) - toMs(current.start);
    const zone = setup.clinic.timezone;
    const moved: Appointment = {
      requestId: current.requestId,
      patientId: current.patientId,
      serviceId: current.serviceId,
      providerId: newPlacement.providerId,
      roomId: newPlacement.roomId,
      start: newPlacement.start,
      end: newPlacement.end,
      equipment: newPlacement.equipment ?? current.equipment,
      staff:
        newPlacement.staff ??
        current.staff.map((s) => ({ ...s, start: formatInZone(toMs(s.start) + shift, zone), end: formatInZone(toMs(s.end) + shift, zone) })),
      ...(current.earlierOk !== undefined ? { earlierOk: current.earlierOk } : {}),
    };
    const planned = planClaim(setup, moved, options.request ? { request: options.request } : {});
    if (!planned.ok) return { ok: false, reason: 'invalid', problems: planned.problems } as const;
    const { date, body, claims, refs } = planned.plan;
    const entry = entryJson({ status: current.status, by: options.actor, reason: options.reason, action: 'reschedule' });
    const raw = await runAppointmentScript(store, clinicId, 'medschedReschedule', [id, expectedVersion, version, date, body, claims, refs, entry]);
    return toResult(raw, setup) as RescheduleResult | 'setup-changed';
  });
}
