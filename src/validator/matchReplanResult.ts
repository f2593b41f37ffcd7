// Which appointment of a re-plan result stands for which appointment of the day (or new request).
import { holdsCapacity, isHistory, type Appointment } from '../contract/appointment.js';
import { toMs } from '../domain/time.js';
import type { DayExpectations } from './replanExpectations.js';

export type Role =
  | { kind: 'history'; entry: number }
  | { kind: 'live'; entry: number }
  | { kind: 'new'; entry: number }
  /** A second appointment for a live or new request that already has one. */
  | { kind: 'duplicate'; of: 'live' | 'new'; entry: number; first: number }
  /** Stands for nothing of the day nor any new request. */
  | { kind: 'extra' };

export type Matching = {
  /** One role per result appointment (same indices). */
  roles: Role[];
  /** Result index of each history entry, live entry and new request (undefined when missing). */
  history: (number | undefined)[];
  live: (number | undefined)[];
  fresh: (number | undefined)[];
};

/** Order-insensitive keys; instants compared as epoch ms so offsets may differ. */
export const staffKey = (a: Appointment) =>
  a.staff.map((s) => `${s.staffId}|${s.skill}|${toMs(s.start)}|${toMs(s.end)}`).sort().join(';');
export const equipmentKey = (a: Appointment) => a.equipment.map((e) => `${e.id}|${e.count}`).sort().join(';');

/** The fields of `actual` that differ from `expected` (what history must keep). */
export function historyDiffs(expected: Appointment, actual: Appointment): (keyof Appointment)[] {
  const diffs: (keyof Appointment)[] = [];
  if (expected.id !== undefined && actual.id !== expected.id) diffs.push('id');
  for (const f of ['requestId', 'patientId', 'serviceId', 'providerId', 'roomId'] as const) if (actual[f] !== expected[f]) diffs.push(f);
  for (const f of ['start', 'end'] as const) if (toMs(actual[f]) !== toMs(expected[f])) diffs.push(f);
  if (staffKey(actual) !== staffKey(expected)) diffs.push('staff');
  if (equipmentKey(actual) !== equipmentKey(expected)) diffs.push('equipment');
  if (actual.status !== expected.status) diffs.push('status');
  return diffs;
}

/** A status a movable appointment may have in the result. */
export const isLiveStatus = (a: Appointment) => !isHistory(a.status);

export function matchResult(day: DayExpectations, appointments: readonly Appointment[]): Matching {
  const roles: (Role | undefined)[] = appointments.map(() => undefined);
  const free = (i: number) => roles[i] === undefined;
  const indices = appointments.map((_, i) => i);

  // History first: by id when the day's appointment has one, else by request; the closest wins.
  const history = day.history.map(({ expected }, entry) => {
    let candidates = indices.filter((i) => free(i) && expected.id !== undefined && appointments[i]!.id === expected.id);
    if (candidates.length === 0) candidates = indices.filter((i) => free(i) && appointments[i]!.requestId === expected.requestId);
    const best = minBy(candidates, (i) => historyDiffs(expected, appointments[i]!).length);
    if (best !== undefined) roles[best] = { kind: 'history', entry };
    return best;
  });

  // Then each live appointment and new request: its first appointment with a movable status, else any.
  const claim = (requestId: string, kind: 'live' | 'new', entry: number) => {
    const candidates = indices.filter((i) => free(i) && appointments[i]!.requestId === requestId);
    const first = candidates.find((i) => isLiveStatus(appointments[i]!)) ?? candidates[0];
    if (first === undefined) return undefined;
    roles[first] = { kind, entry };
    for (const i of candidates)
      if (i !== first && holdsCapacity(appointments[i]!.status)) roles[i] = { kind: 'duplicate', of: kind, entry, first };
    return first;
  };
  const live = day.live.map((l, entry) => claim(l.planned.requestId, 'live', entry));
  const fresh = day.fresh.map((q, entry) => claim(q.request.id, 'new', entry));

  return { roles: roles.map((r) => r ?? { kind: 'extra' }), history, live, fresh };
}

function minBy(items: number[], cost: (i: number) => number): number | undefined {
  let best: number | undefined;
  let bestCost = Infinity;
  for (const i of items) {
    const c = cost(i);
    if (c < bestCost) [best, bestCost] = [i, c];
  }
  return best;
}
