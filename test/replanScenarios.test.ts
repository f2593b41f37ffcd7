// One hand-written re-plan scenario per event type, on a small morning where the best answer is clear,
// with the expected change list. Every result must also pass the independent re-plan validator.
import { beforeAll, describe, expect, it } from 'vitest';
import type { Appointment } from '../src/contract/appointment.js';
import { formatProblems, parseInstance, parseWith } from '../src/contract/parse.js';
import { ReplanInput, type ReplanEvent, type ReplanResult } from '../src/contract/replan.js';
import { checkReplanInput } from '../src/contract/replanChecks.js';
import type { MipBackend } from '../solver/api.js';
import { loadHighsBackend } from '../solver/backends/highs.js';
import { jsLpSolverBackend } from '../solver/backends/jsLpSolver.js';
import { disruptDay } from '../solver/replan/disruptedDay.js';
import { fixedConflicts } from '../solver/replan/fixedConflicts.js';
import { pushLater } from '../solver/replan/pushLater.js';
import { replanDay } from '../solver/replan/replanDay.js';
import { validateReplan } from '../src/validator/validateReplan.js';

const T = (hhmm: string) => `2026-11-24T${hhmm}:00Z`;
const morning = [{ start: T('08:00'), end: T('12:00') }];

const parsed = parseInstance({
  version: 1,
  clinic: { id: 'c', timezone: 'UTC', lateCancelHours: 24 },
  horizon: { start: T('08:00'), end: T('12:00') },
  providers: [
    { id: 'dr-a', name: 'Dr. A', specialties: ['fm'], availability: morning },
    { id: 'dr-b', name: 'Dr. B', specialties: ['fm'], availability: morning },
  ],
  rooms: ['exam-1', 'exam-2', 'exam-3'].map((id) => ({ id, capabilities: ['exam'], availability: morning })).concat([
    { id: 'lab-1', capabilities: ['lab'], availability: morning },
  ]),
  staff: [{ id: 'ana', name: 'Ana', skills: ['phlebotomy'], availability: morning }],
  services: [
    { id: 'visit', minutes: 30, specialty: 'fm', roomCapability: 'exam', lateCancelFee: 50 },
    { id: 'draw', minutes: 10, roomCapability: 'lab', staffTasks: [{ skill: 'phlebotomy', offsetMinutes: 0, minutes: 10 }] },
  ],
  requests: [],
});
if (!parsed.ok) throw new Error(formatProblems(parsed.problems));
const inst = parsed.value;

const visit = (id: string, provider: string, room: string, from: string, to: string, status: Appointment['status'] = 'booked'): Appointment => ({
  id,
  requestId: `req-${id}`,
  patientId: `pt-${id}`,
  serviceId: 'visit',
  providerId: provider,
  roomId: room,
  start: T(from),
  end: T(to),
  equipment: [],
  staff: [],
  status,
});
const day = (a1Status: Appointment['status'] = 'fulfilled'): Appointment[] => [
  visit('a1', 'dr-a', 'exam-1', '08:00', '08:30', a1Status),
  visit('a2', 'dr-a', 'exam-1', '09:00', '09:30'),
  visit('a3', 'dr-a', 'exam-1', '09:30', '10:00'),
  visit('a4', 'dr-b', 'exam-2', '09:00', '09:30'),
  visit('a5', 'dr-b', 'exam-2', '10:00', '10:30'),
  {
    id: 'b1',
    requestId: 'req-b1',
    patientId: 'pt-b1',
    serviceId: 'draw',
    providerId: null,
    roomId: 'lab-1',
    start: T('09:00'),
    end: T('09:10'),
    equipment: [],
    staff: [{ staffId: 'ana', skill: 'phlebotomy', start: T('09:00'), end: T('09:10') }],
    status: 'booked',
  },
];

let highs: MipBackend;
beforeAll(async () => {
  highs = await loadHighsBackend();
});

/** Re-plans with both backends; both must pass the validator and agree on the cost. */
function replan(now: string, events: ReplanEvent[] | unknown[], appointments = day()): ReplanResult {
  const input = parseWith(ReplanInput, { now: T(now), appointments, events });
  if (!input.ok) throw new Error(formatProblems(input.problems));
  expect(checkReplanInput(inst, input.value)).toEqual([]);
  const results = [highs, jsLpSolverBackend].map((backend) => replanDay(inst, input.value, { backend, clock: () => 0 }));
  for (const r of results) {
    const report = validateReplan(inst, input.value, r);
    expect(report.violations).toEqual([]);
    expect(r.cost).toBeCloseTo(report.cost, 6);
    expect(r.cost).toBeLessThanOrEqual(pushLater(inst, input.value).cost + 1e-9);
  }
  expect(results[1]!.cost).toBeCloseTo(results[0]!.cost, 6);
  return results[0]!;
}

const brief = (r: ReplanResult) =>
  r.changes.map((c) => ({ kind: c.kind, id: c.appointmentId, to: c.to && `${c.to.providerId ?? '-'} ${c.to.roomId} ${c.to.start.slice(11, 16)}`, delay: c.delayMinutes }));

describe('re-plan scenarios, one per event type', () => {
  it('delay: Dr. A arrives at 09:15, so her two visits slide 15 min', () => {
    const r = replan('08:45', [{ type: 'delay', providerId: 'dr-a', availableFrom: T('09:15') }]);
    expect(brief(r)).toEqual([
      { kind: 'moved', id: 'a2', to: 'dr-a exam-1 09:15', delay: 15 },
      { kind: 'moved', id: 'a3', to: 'dr-a exam-1 09:45', delay: 15 },
    ]);
    expect(r.cost).toBe(30);
    expect(r.status).toBe('optimal');
    expect(r.summary).toMatch(/^Dr\. A is \d+ min late: 2 patients moved by 15 min$/);
    expect(r.notifications.patients.map((p) => p.requestId)).toEqual(['req-a2', 'req-a3']);
    expect(r.notifications.staff.map((s) => s.id)).toEqual(['dr-a']);
  });

  it('overrun: the visit in progress runs to 09:10, so the next two slide 10 min', () => {
    const r = replan('08:45', [{ type: 'overrun', appointmentId: 'a1', expectedEnd: T('09:10') }], day('in-progress'));
    expect(brief(r)).toEqual([
      { kind: 'moved', id: 'a2', to: 'dr-a exam-1 09:10', delay: 10 },
      { kind: 'moved', id: 'a3', to: 'dr-a exam-1 09:40', delay: 10 },
    ]);
    expect(r.appointments.find((a) => a.id === 'a1')!.end).toBe(T('09:10'));
    expect(r.notifications.patients).toEqual([]); // under 15 minutes: nobody is called
  });

  it('emergency: a walk-in goes in now with the provider whose next patient is least hurt', () => {
    const r = replan('08:45', [{ type: 'emergency', request: { id: 'er-1', patientId: 'pt-er', serviceId: 'visit' } }]);
    expect(brief(r)).toEqual([
      { kind: 'moved', id: 'a4', to: 'dr-b exam-2 09:15', delay: 15 },
      { kind: 'added', id: undefined, to: expect.stringMatching(/^dr-b exam-[123] 08:45$/), delay: 0 },
    ]);
    expect(r.cost).toBe(15);
  });

  it('cancellation: a late cancellation frees the slot and is flagged for the fee', () => {
    const r = replan('08:45', [{ type: 'cancellation', appointmentId: 'a2', at: T('08:40') }]);
    expect(brief(r)).toEqual([{ kind: 'cancelled', id: 'a2', to: null, delay: 0 }]);
    expect(r.appointments.find((a) => a.id === 'a2')!.status).toBe('cancelled');
    expect(r.billing).toEqual([expect.objectContaining({ appointmentId: 'a2', fee: 50, windowHours: 24 })]);
    expect(r.cost).toBe(0);
  });

  it('cancellation: a checked-in patient waiting for a later slot is pulled forward when that helps', () => {
    const appointments = day().map((a) => (a.id === 'a3' ? { ...a, status: 'checked-in' as const } : a));
    const r = replan('08:45', [
      { type: 'cancellation', appointmentId: 'a2', at: T('08:40') },
      { type: 'delay', providerId: 'dr-a', availableFrom: T('09:00') },
      { type: 'overrun', appointmentId: 'a5', expectedEnd: T('11:00') },
    ], appointments);
    // a3 may now start at 09:00 (it is checked in); nothing pushes it, so it may stay: either is free.
    expect(r.changes.filter((c) => c.kind === 'cancelled').map((c) => c.appointmentId)).toEqual(['a2']);
    expect(r.cost).toBe(0);
  });

  it('no-show: the patient did not come; the slot is released and flagged', () => {
    const r = replan('09:00', [{ type: 'noshow', appointmentId: 'a2' }]);
    expect(brief(r)).toEqual([{ kind: 'cancelled', id: 'a2', to: null, delay: 0 }]);
    expect(r.appointments.find((a) => a.id === 'a2')!.status).toBe('noshow');
    expect(r.billing).toEqual([expect.objectContaining({ appointmentId: 'a2', reason: 'no-show' })]);
  });

  it('resource-down: exam-1 is out 09:00-10:00, so both visits change room and keep their times', () => {
    const r = replan('08:45', [{ type: 'resource-down', kind: 'room', id: 'exam-1', start: T('09:00'), end: T('10:00') }]);
    expect(brief(r)).toEqual([
      { kind: 'moved', id: 'a2', to: 'dr-a exam-3 09:00', delay: 0 },
      { kind: 'moved', id: 'a3', to: expect.stringMatching(/^dr-a exam-[23] 09:30$/), delay: 0 },
    ]);
    expect(r.cost).toBe(10);
  });

  it('staff-absence: the phlebotomist is out until 09:30, so the blood draw waits for her', () => {
    const r = replan('08:45', [{ type: 'staff-absence', staffId: 'ana', start: T('08:45'), end: T('09:30') }]);
    expect(brief(r)).toEqual([{ kind: 'moved', id: 'b1', to: '- lab-1 09:30', delay: 30 }]);
    expect(r.notifications.staff.map((s) => s.id)).toEqual(['ana']);
  });

  it('an event naming an unknown appointment is a clear error with its JSON path', () => {
    const input = parseWith(ReplanInput, { now: T('08:45'), appointments: day(), events: [{ type: 'noshow', appointmentId: 'nope' }] });
    expect(input.ok).toBe(true);
    if (!input.ok) return;
    expect(checkReplanInput(inst, input.value)).toEqual([
      { path: '$.events[0].appointmentId', message: expect.stringContaining("unknown appointment 'nope'") },
    ]);
  });
});

describe('safety nets', () => {
  const inputOf = (now: string, events: unknown[], appointments: Appointment[], instance = inst): ReplanInput => {
    const input = parseWith(ReplanInput, { now: T(now), appointments, events });
    if (!input.ok) throw new Error(formatProblems(input.problems));
    expect(checkReplanInput(instance, input.value)).toEqual([]);
    return input.value;
  };

  it('push-later hands a booked emergency to another provider when its own is out: it is never bumped', () => {
    // a2 is an emergency booked with Dr. A; Dr. A is called away for the rest of the morning.
    const urgent = { ...inst, requests: [{ id: 'req-a2', patientId: 'pt-a2', serviceId: 'visit', urgency: 'emergency' as const, preferredProviderIds: [] }] };
    const input = inputOf('08:45', [{ type: 'resource-down', kind: 'provider', id: 'dr-a', start: T('08:45'), end: T('12:00') }], day(), urgent);
    const base = pushLater(urgent, input);
    expect(validateReplan(urgent, input, base).violations).toEqual([]);
    // Emergencies go first: a2 takes Dr. B's 09:00, her own patient waits; a3 stays with Dr. A, so is bumped.
    expect(brief(base)).toEqual([
      { kind: 'reassigned', id: 'a2', to: 'dr-b exam-1 09:00', delay: 0 },
      { kind: 'bumped', id: 'a3', to: null, delay: 0 },
      { kind: 'moved', id: 'a4', to: 'dr-b exam-2 09:30', delay: 30 },
    ]);
    const ours = replanDay(urgent, input, { backend: highs, clock: () => 0 });
    expect(validateReplan(urgent, input, ours).violations).toEqual([]);
    expect(ours.changes.find((c) => c.appointmentId === 'a2')?.kind).toBe('reassigned');
    expect(ours.cost).toBeLessThanOrEqual(base.cost);
  });

  it('a booked emergency that fits nowhere any more is bumped and listed in unscheduled, with why', () => {
    // a2 is an emergency that only Dr. A may see, by 10:00; Dr. A is called away for the rest of the morning.
    const onlyA = {
      ...inst,
      requests: [{ id: 'req-a2', patientId: 'pt-a2', serviceId: 'visit', urgency: 'emergency' as const, providerId: 'dr-a', latestEnd: T('10:00'), preferredProviderIds: [] }],
    };
    const input = inputOf('08:45', [{ type: 'resource-down', kind: 'provider', id: 'dr-a', start: T('08:45'), end: T('12:00') }], day(), onlyA);
    for (const result of [replanDay(onlyA, input, { backend: highs, clock: () => 0 }), pushLater(onlyA, input)]) {
      expect(validateReplan(onlyA, input, result).violations).toEqual([]);
      expect(result.changes.find((c) => c.requestId === 'req-a2')?.kind).toBe('bumped');
      expect(result.unscheduled).toEqual([{ requestId: 'req-a2', reasons: [expect.stringContaining('before its window closes at 10:00')] }]);
      // Without the unscheduled entry the validator refuses the bump.
      expect(validateReplan(onlyA, input, { ...result, unscheduled: [] }).violations).toEqual([
        expect.objectContaining({ rule: 'coverage', message: expect.stringContaining('never bumped unless it fits nowhere') }),
      ]);
    }
  });

  it('a visit left in place that no longer fits is found, and only that one', () => {
    const still = disruptDay(inst, inputOf('09:10', [], day('fulfilled').map((a) => (a.id === 'a2' ? { ...a, status: 'in-progress' as const } : a))));
    expect(fixedConflicts(inst, still, new Set())).toEqual(new Set());
    // a2 runs to 09:45 and nothing is allowed to move: a3 (09:30, same provider and room) collides with it.
    const overrun = disruptDay(
      inst,
      inputOf('09:10', [{ type: 'overrun', appointmentId: 'a2', expectedEnd: T('09:45') }], day('fulfilled').map((a) => (a.id === 'a2' ? { ...a, status: 'in-progress' as const } : a))),
    );
    const found = [...fixedConflicts(inst, overrun, new Set())].map((k) => overrun.live[k]!.appt.id);
    expect(found).toEqual(['a3']);
    // Once a3 may move, nothing left in place collides.
    expect(fixedConflicts(inst, overrun, new Set([overrun.live.findIndex((l) => l.appt.id === 'a3')]))).toEqual(new Set());
  });
});
