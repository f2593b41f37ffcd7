// What a re-plan must produce, read from the instance, the day as it stands and the events
// (README, "Re-planning the rest of the day"). Pure: no I/O, no clock.
import { holdsCapacity, isHistory, type Appointment } from '../contract/appointment.js';
import type { Instance, Request } from '../contract/instance.js';
import type { Urgency } from '../contract/primitives.js';
import type { ReplanInput } from '../contract/replan.js';
import { findAppointment } from '../contract/replanChecks.js';
import { MINUTE_MS, toMs } from '../domain/time.js';
import type { Span } from './intervals.js';

/** A history appointment exactly as the result must show it. */
export type HistoryEntry = { dayIndex: number; expected: Appointment };

/** An appointment of the day that has not started: it may move, or be bumped. */
export type LiveEntry = {
  dayIndex: number;
  planned: Appointment;
  plannedStart: number;
  urgency: Urgency;
  /** Its length in minutes when an overrun event makes it longer (rounded up to the grid). */
  overrunMinutes: number | undefined;
};

/** A request brought by an emergency event (an emergency, or a walk-in of another urgency). */
export type NewEntry = { eventIndex: number; request: Request; earliestStart: number };

export type EquipmentDown = { start: string; end: string; units?: number };

export type Disruptions = {
  /** Delay windows [horizon start, availableFrom) and provider down windows. */
  providerOut: Map<string, Span[]>;
  roomOut: Map<string, Span[]>;
  staffOut: Map<string, Span[]>;
  equipmentDown: Map<string, EquipmentDown[]>;
};

export type DayExpectations = {
  now: number;
  history: HistoryEntry[];
  live: LiveEntry[];
  fresh: NewEntry[];
  disruptions: Disruptions;
};

function add<T>(map: Map<string, T[]>, key: string, item: T): void {
  const list = map.get(key);
  if (list) list.push(item);
  else map.set(key, [item]);
}

/** The day after the events: `input` is assumed to have passed checkReplanInput. */
export function readExpectations(instance: Instance, input: ReplanInput): DayExpectations {
  const h0 = toMs(instance.horizon.start);
  const slotMs = instance.slotMinutes * MINUTE_MS;
  const urgencyOf = new Map(instance.requests.map((r) => [r.id, r.urgency]));
  const endsAt = new Map<number, number>(); // overrun: day index -> expected end
  const closedAs = new Map<number, 'cancelled' | 'noshow'>(); // cancellation / no-show events
  const fresh: NewEntry[] = [];
  const disruptions: Disruptions = { providerOut: new Map(), roomOut: new Map(), staffOut: new Map(), equipmentDown: new Map() };

  input.events.forEach((e, k) => {
    switch (e.type) {
      case 'overrun': {
        const i = findAppointment(input.appointments, e.appointmentId);
        if (i >= 0) endsAt.set(i, toMs(e.expectedEnd));
        break;
      }
      case 'cancellation':
      case 'noshow': {
        const i = findAppointment(input.appointments, e.appointmentId);
        if (i >= 0) closedAs.set(i, e.type === 'noshow' ? 'noshow' : 'cancelled');
        break;
      }
      case 'emergency': {
        const r = e.request;
        fresh.push({ eventIndex: k, request: r, earliestStart: r.earliestStart ? toMs(r.earliestStart) : h0 });
        break;
      }
      case 'delay':
        add(disruptions.providerOut, e.providerId, { start: h0, end: toMs(e.availableFrom) });
        break;
      case 'resource-down': {
        const span = { start: toMs(e.start), end: toMs(e.end) };
        if (e.kind === 'provider') add(disruptions.providerOut, e.id, span);
        else if (e.kind === 'room') add(disruptions.roomOut, e.id, span);
        else add(disruptions.equipmentDown, e.id, { start: e.start, end: e.end, ...(e.units !== undefined ? { units: e.units } : {}) });
        break;
      }
      case 'staff-absence':
        add(disruptions.staffOut, e.staffId, { start: toMs(e.start), end: toMs(e.end) });
        break;
    }
  });

  const history: HistoryEntry[] = [];
  const live: LiveEntry[] = [];
  input.appointments.forEach((a, dayIndex) => {
    const closed = closedAs.get(dayIndex);
    const end = endsAt.get(dayIndex);
    if (isHistory(a.status)) {
      // An in-progress appointment that overruns keeps its place and ends at the expected end.
      const overran = a.status === 'in-progress' && end !== undefined;
      history.push({ dayIndex, expected: overran ? { ...a, end: new Date(end).toISOString() } : a });
    } else if (closed !== undefined) {
      history.push({ dayIndex, expected: { ...a, status: closed } });
    } else {
      const start = toMs(a.start);
      // A booked appointment that will run long is planned with its longer length, rounded up to the grid.
      const overrunMinutes = end === undefined ? undefined : (Math.ceil((end - start) / slotMs) * slotMs) / MINUTE_MS;
      live.push({ dayIndex, planned: a, plannedStart: start, urgency: urgencyOf.get(a.requestId) ?? 'routine', overrunMinutes });
    }
  });
  return { now: toMs(input.now), history, live, fresh, disruptions };
}

/** History that still holds capacity (in-progress, fulfilled). */
export function holdsHistoryCapacity(h: HistoryEntry): boolean {
  return holdsCapacity(h.expected.status);
}
