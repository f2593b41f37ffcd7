import { isHistory, type Appointment } from '../../src/contract/appointment.js';
import type { Instance, Request } from '../../src/contract/instance.js';
import type { Urgency } from '../../src/contract/primitives.js';
import type { ReplanInput } from '../../src/contract/replan.js';
import { findAppointment } from '../../src/contract/replanChecks.js';
import { formatInZone, MINUTE_MS, toMs } from '../../src/domain/time.js';
import { subtractSpan, type Span } from './spans.js';

/** A day-state appointment that has not started and may still move (or be bumped). */
export type LiveAppointment = {
  appt: Appointment;
  /** Position in the day state. */
  dayIndex: number;
  urgency: Urgency;
  request: Request | undefined;
  plannedStart: number;
  /** Its length, longer when an overrun event says it will run long (rounded up to the grid). */
  minutes: number;
  /** The earliest it may start: now (on the grid), and its planned start unless checked in or earlierOk. */
  earliest: number;
  latestEnd: number;
  checkedIn: boolean;
};

export type CancelledAppointment = { appt: Appointment; dayIndex: number; kind: 'cancellation' | 'noshow'; at: number };

/** The day after the events, before any re-planning: what is fixed, what may move, what is new, what is out. */
export type DisruptedDay = {
  now: number;
  /** The first grid instant at or after now: nothing new starts earlier. */
  startFrom: number;
  /** Day-state appointments that never change, in output form (statuses and overrun ends applied). */
  history: { appt: Appointment; dayIndex: number }[];
  live: LiveAppointment[];
  newRequests: Request[];
  cancelled: CancelledAppointment[];
  /** Availability as disrupted, per resource id (providers without overtime). */
  providerAvailability: Map<string, Span[]>;
  /** Stretches after an availability interval where a provider may work overtime, per provider. */
  overtimeWindows: Map<string, Span[]>;
  roomAvailability: Map<string, Span[]>;
  staffAvailability: Map<string, Span[]>;
  /** Extra equipment downtime from resource-down events. */
  equipmentDown: Map<string, { start: number; end: number; units: number }[]>;
  /** What the events touch directly, for choosing what to re-plan. */
  touched: { providers: Set<string>; rooms: Set<string>; staff: Set<string>; equipment: Set<string>; patients: Set<string>; from: Map<string, number> };
};

const spans = (list: { start: string; end: string }[]): Span[] => list.map((iv) => ({ start: toMs(iv.start), end: toMs(iv.end) }));

/** Applies the events to the day state (input already checked). Pure. */
export function disruptDay(inst: Instance, input: ReplanInput): DisruptedDay {
  const h0 = toMs(inst.horizon.start);
  const h1 = toMs(inst.horizon.end);
  const slotMs = inst.slotMinutes * MINUTE_MS;
  const now = toMs(input.now);
  const startFrom = h0 + Math.ceil((now - h0) / slotMs) * slotMs;
  const requests = new Map(inst.requests.map((r) => [r.id, r]));

  const providerAvailability = new Map(inst.providers.map((p) => [p.id, spans(p.availability)]));
  const original = new Map(providerAvailability);
  const roomAvailability = new Map(inst.rooms.map((r) => [r.id, spans(r.availability)]));
  const staffAvailability = new Map(inst.staff.map((s) => [s.id, spans(s.availability)]));
  const equipmentDown = new Map<string, { start: number; end: number; units: number }[]>();
  const providerOut = new Map<string, Span[]>();
  const touched: DisruptedDay['touched'] = { providers: new Set(), rooms: new Set(), staff: new Set(), equipment: new Set(), patients: new Set(), from: new Map() };
  const touch = (kind: 'providers' | 'rooms' | 'staff' | 'equipment', id: string, from: number) => {
    touched[kind].add(id);
    const key = `${kind}:${id}`;
    touched.from.set(key, Math.min(touched.from.get(key) ?? Infinity, from));
  };
  const takeOut = (map: Map<string, Span[]>, id: string, out: Span) => map.set(id, subtractSpan(map.get(id) ?? [], out));

  const overrunEnd = new Map<number, number>();
  const statusBy = new Map<number, { kind: 'cancellation' | 'noshow'; at: number }>();
  const newRequests: Request[] = [];
  for (const e of input.events) {
    switch (e.type) {
      case 'delay': {
        const out = { start: h0, end: toMs(e.availableFrom) };
        takeOut(providerAvailability, e.providerId, out);
        providerOut.set(e.providerId, [...(providerOut.get(e.providerId) ?? []), out]);
        touch('providers', e.providerId, h0);
        break;
      }
      case 'resource-down': {
        const out = { start: toMs(e.start), end: toMs(e.end) };
        if (e.kind === 'room') {
          takeOut(roomAvailability, e.id, out);
          touch('rooms', e.id, out.start);
        } else if (e.kind === 'provider') {
          takeOut(providerAvailability, e.id, out);
          providerOut.set(e.id, [...(providerOut.get(e.id) ?? []), out]);
          touch('providers', e.id, out.start);
        } else {
          const count = inst.equipment.find((x) => x.id === e.id)!.count;
          equipmentDown.set(e.id, [...(equipmentDown.get(e.id) ?? []), { ...out, units: e.units ?? count }]);
          touch('equipment', e.id, out.start);
        }
        break;
      }
      case 'staff-absence': {
        const out = { start: toMs(e.start), end: toMs(e.end) };
        takeOut(staffAvailability, e.staffId, out);
        touch('staff', e.staffId, out.start);
        break;
      }
      case 'overrun': {
        const i = findAppointment(input.appointments, e.appointmentId);
        overrunEnd.set(i, toMs(e.expectedEnd));
        const a = input.appointments[i]!;
        if (a.providerId) touch('providers', a.providerId, toMs(a.start));
        touch('rooms', a.roomId, toMs(a.start));
        for (const s of a.staff) touch('staff', s.staffId, toMs(a.start));
        for (const e of a.equipment) touch('equipment', e.id, toMs(a.start));
        touched.patients.add(a.patientId);
        break;
      }
      case 'cancellation':
      case 'noshow': {
        const i = findAppointment(input.appointments, e.appointmentId);
        // Freed capacity only helps patients who may come earlier (region.ts); nothing else is touched.
        statusBy.set(i, { kind: e.type, at: e.type === 'cancellation' ? toMs(e.at) : now });
        break;
      }
      case 'emergency':
        newRequests.push(e.request);
        break;
    }
  }

  const history: DisruptedDay['history'] = [];
  const live: LiveAppointment[] = [];
  const cancelled: CancelledAppointment[] = [];
  input.appointments.forEach((appt, dayIndex) => {
    const change = statusBy.get(dayIndex);
    if (change) {
      const status = change.kind === 'cancellation' ? 'cancelled' : 'noshow';
      history.push({ appt: { ...appt, status }, dayIndex });
      cancelled.push({ appt, dayIndex, kind: change.kind, at: change.at });
      return;
    }
    const longer = overrunEnd.get(dayIndex);
    if (isHistory(appt.status)) {
      history.push({ appt: longer === undefined ? appt : { ...appt, end: formatInZone(longer, inst.clinic.timezone) }, dayIndex });
      return;
    }
    const request = requests.get(appt.requestId);
    const plannedStart = toMs(appt.start);
    const booked = (toMs(appt.end) - plannedStart) / MINUTE_MS;
    const minutes = longer === undefined ? booked : Math.ceil((longer - plannedStart) / slotMs) * inst.slotMinutes;
    const checkedIn = appt.status === 'checked-in';
    const windowStart = request?.earliestStart ? toMs(request.earliestStart) : h0;
    const earliest = checkedIn || appt.earlierOk ? Math.max(startFrom, windowStart) : Math.max(startFrom, plannedStart);
    const latestEnd = Math.max(request?.latestEnd ? toMs(request.latestEnd) : h1, plannedStart + booked * MINUTE_MS);
    live.push({ appt, dayIndex, urgency: request?.urgency ?? 'routine', request, plannedStart, minutes, earliest, latestEnd: Math.min(latestEnd, h1), checkedIn });
  });

  return {
    now,
    startFrom,
    history,
    live,
    newRequests,
    cancelled,
    providerAvailability,
    overtimeWindows: overtimeWindowsOf(original, providerOut, inst.replan.maxOvertimeMinutes, h1),
    roomAvailability,
    staffAvailability,
    equipmentDown,
    touched,
  };
}

/** After each availability interval a provider may stay on, up to the cap, but never into time they are out. */
function overtimeWindowsOf(original: Map<string, Span[]>, out: Map<string, Span[]>, maxMinutes: number, h1: number): Map<string, Span[]> {
  const result = new Map<string, Span[]>();
  for (const [id, list] of original) {
    let windows: Span[] = [];
    for (const iv of list) {
      const stretch = { start: iv.end, end: Math.min(h1, iv.end + maxMinutes * MINUTE_MS) };
      if (stretch.end <= stretch.start) continue;
      // Stop where the provider is working anyway or is out.
      let end = stretch.end;
      for (const other of [...list, ...(out.get(id) ?? [])]) if (other.start >= stretch.start && other.start < end) end = other.start;
      for (const o of out.get(id) ?? []) if (o.start <= stretch.start && o.end > stretch.start) end = stretch.start;
      if (end > stretch.start) windows.push({ start: stretch.start, end });
    }
    windows = windows.filter((w) => w.end > w.start);
    result.set(id, windows);
  }
  return result;
}
