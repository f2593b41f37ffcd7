import type { Appointment } from '../contract/appointment.js';
import type { ClinicSetup } from '../contract/clinicSetup.js';
import { limitThousandths, MAX_AT_ONCE, visitLoadThousandths } from '../contract/overbooking.js';
import { MINUTE_MS, toMs } from '../domain/time.js';
import { spansOf } from '../validator/context.js';
import { uncovered } from '../validator/intervals.js';
import { dayBounds } from './dayGrid.js';
import { dayField, slotField, type SlotKind } from './usageFields.js';

/** One capacity counter an appointment takes `units` of; the booking fits only if the counter stays within `cap`. */
export type UsageClaim = { field: string; units: number; cap: number };

/** An overbooking plan's visit (an optimize or re-plan job's, applied): its patient's no-show estimate. */
export type Overbook = { noShowProbability: number | undefined };

/** A provider with no maxAppointments: the day counter is kept anyway, so a limit set later counts every visit. */
const NO_LIMIT = 1_000_000;

/**
 * Every resource slot the appointment holds on its clinic-local `date`: its provider and room over
 * [start, end), the room's turnover after it in the slots the room is open (as the optimizer counts
 * it), each staff member over their task, equipment units against count less downtime in the slot
 * (downtime rounded outward to the grid), the patient, one of the provider's maxAppointments, and
 * the request itself (at most once a day). Times off the grid take every slot they touch.
 * `overbook` (an overbooking clinic's plan only): the provider's slots hold two visits at once, and the
 * visit claims its expected load in thousandths on the provider's load counters, as the optimizer counts.
 */
export function usageOf(setup: ClinicSetup, appointment: Appointment, date: string, overbook?: Overbook): UsageClaim[] {
  const slotMs = setup.slotMinutes * MINUTE_MS;
  const origin = dayBounds(date, setup.clinic.timezone).start;
  const claims = new Map<string, UsageClaim>();
  const add = (field: string, units: number, cap: number) => {
    const known = claims.get(field);
    if (known) known.units += units;
    else claims.set(field, { field, units, cap });
  };
  const slotsOf = (a: number, b: number): [number, number] => [Math.floor((a - origin) / slotMs), Math.ceil((b - origin) / slotMs)];
  const each = (kind: SlotKind, id: string, a: number, b: number, units: number, cap: (slot: number) => number) => {
    const [from, to] = slotsOf(a, b);
    for (let t = from; t < to; t++) add(slotField(kind, id, t), units, cap(t));
  };

  const start = toMs(appointment.start);
  const end = toMs(appointment.end);
  const one = () => 1;
  const service = setup.services.find((s) => s.id === appointment.serviceId);

  if (appointment.providerId !== null) {
    const overbooking = overbook ? setup.overbooking : undefined;
    each('provider', appointment.providerId, start, end, 1, () => (overbooking ? MAX_AT_ONCE : 1));
    if (overbooking) {
      const load = visitLoadThousandths(appointment.status, overbook!.noShowProbability);
      each('provider-load', appointment.providerId, start, end, load, () => limitThousandths(overbooking));
    }
    const provider = setup.providers.find((p) => p.id === appointment.providerId);
    add(dayField('provider-day', appointment.providerId), 1, provider?.maxAppointments ?? NO_LIMIT);
  }

  each('room', appointment.roomId, start, end, 1, one);
  const turnover = (service?.turnoverMinutes ?? 0) * MINUTE_MS;
  if (turnover > 0) {
    const room = setup.rooms.find((r) => r.id === appointment.roomId);
    const open = spansOf(room?.availability ?? []);
    const [from, to] = slotsOf(end, end + turnover);
    for (let t = Math.max(from, slotsOf(end, end)[1]); t < to; t++) {
      const s = origin + t * slotMs;
      if (uncovered(open, s, s + slotMs).length === 0) add(slotField('room', appointment.roomId, t), 1, 1);
    }
  }

  for (const task of appointment.staff) each('staff', task.staffId, toMs(task.start), toMs(task.end), 1, one);

  for (const use of appointment.equipment) {
    const item = setup.equipment.find((e) => e.id === use.id);
    const downs = (item?.downtime ?? []).map((d) => ({ start: toMs(d.start), end: toMs(d.end), units: d.units ?? item!.count }));
    each('equipment', use.id, start, end, use.count, (t) => {
      if (!item) return 0;
      const s = origin + t * slotMs;
      const down = downs.filter((d) => d.start < s + slotMs && d.end > s).reduce((n, d) => n + d.units, 0);
      return item.count - Math.min(item.count, down);
    });
  }

  each('patient', appointment.patientId, start, end, 1, one);
  add(dayField('request', appointment.requestId), 1, 1);
  return [...claims.values()];
}
