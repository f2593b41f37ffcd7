// A proposed day against the current one, as the front desk reads it: which visits are new, which move
// in time or room, which go to another provider, which stay, and which requests or visits get no place.
import { z } from 'zod';
import type { Appointment } from '../contract/appointment.js';
import { Id, Instant } from '../contract/primitives.js';
import { toMs } from '../domain/time.js';

const Placement = z.object({ providerId: Id.nullable(), roomId: Id, start: Instant, end: Instant });
type Placement = z.infer<typeof Placement>;

export const DiffEntry = z.object({
  appointmentId: Id.optional(),
  requestId: Id,
  patientId: Id,
  serviceId: Id,
  from: Placement.nullable(),
  to: Placement.nullable(),
});
export type DiffEntry = z.infer<typeof DiffEntry>;

export const UnscheduledEntry = z.object({
  requestId: Id,
  /** Set when a visit that was on the schedule has no place in the plan (a re-plan bumped it). */
  appointmentId: Id.optional(),
  reasons: z.array(z.string()),
});

export const ScheduleDiff = z
  .object({
    added: z.array(DiffEntry),
    moved: z.array(DiffEntry).describe('same provider, another time, room or staff'),
    reassigned: z.array(DiffEntry).describe('another provider'),
    unchanged: z.array(DiffEntry),
    unscheduled: z.array(UnscheduledEntry),
  })
  .meta({ id: 'ScheduleDiff' });
export type ScheduleDiff = z.infer<typeof ScheduleDiff>;

const placement = (a: Appointment): Placement => ({ providerId: a.providerId, roomId: a.roomId, start: a.start, end: a.end });

const staffKey = (a: Appointment) =>
  a.staff
    .map((s) => `${s.staffId}/${s.skill}/${toMs(s.start)}/${toMs(s.end)}`)
    .sort()
    .join(',');

const samePlace = (a: Appointment, b: Appointment) =>
  a.providerId === b.providerId && a.roomId === b.roomId && toMs(a.start) === toMs(b.start) && toMs(a.end) === toMs(b.end) && staffKey(a) === staffKey(b);

/**
 * `current` are the day's live appointments (they have ids); `proposed` the plan's live appointments
 * (those kept carry their id; new ones may have none, and are matched by request); `unplaced` the
 * requests the plan could not place, with the reasons.
 */
export function scheduleDiff(
  current: readonly Appointment[],
  proposed: readonly Appointment[],
  unplaced: readonly { requestId: string; reasons: string[] }[],
): ScheduleDiff {
  const diff: ScheduleDiff = { added: [], moved: [], reassigned: [], unchanged: [], unscheduled: [] };
  const byId = new Map(current.filter((a) => a.id !== undefined).map((a) => [a.id!, a]));
  const byRequest = new Map(current.map((a) => [a.requestId, a]));
  const matched = new Set<Appointment>();
  for (const p of proposed) {
    const c = (p.id !== undefined ? byId.get(p.id) : undefined) ?? (p.id === undefined ? byRequest.get(p.requestId) : undefined);
    const id = p.id ?? c?.id;
    const entry: DiffEntry = {
      ...(id !== undefined ? { appointmentId: id } : {}),
      requestId: p.requestId,
      patientId: p.patientId,
      serviceId: p.serviceId,
      from: c && !matched.has(c) ? placement(c) : null,
      to: placement(p),
    };
    if (!c || matched.has(c)) diff.added.push(entry);
    else {
      matched.add(c);
      if (c.providerId !== p.providerId) diff.reassigned.push(entry);
      else if (samePlace(c, p)) diff.unchanged.push(entry);
      else diff.moved.push(entry);
    }
  }
  const reasonsOf = new Map(unplaced.map((u) => [u.requestId, u.reasons]));
  for (const c of current) {
    if (matched.has(c)) continue;
    diff.unscheduled.push({
      requestId: c.requestId,
      ...(c.id !== undefined ? { appointmentId: c.id } : {}),
      reasons: reasonsOf.get(c.requestId) ?? ['the plan has no place for this visit'],
    });
    reasonsOf.delete(c.requestId);
  }
  for (const [requestId, reasons] of reasonsOf) diff.unscheduled.push({ requestId, reasons });
  return diff;
}
