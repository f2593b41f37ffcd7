import { describe, expect, it } from 'vitest';
import type { Appointment } from '../src/contract/appointment.js';
import type { Instance } from '../src/contract/instance.js';
import { parseInstance } from '../src/contract/parse.js';
import { ReplanInput, type Change } from '../src/contract/replan.js';
import { checkReplanInput } from '../src/contract/replanChecks.js';
import { validateReplan, type ReplanReport } from '../src/validator/validateReplan.js';

// A small clinic in UTC on a 15-minute grid. It is 10:00.
const T = (hhmm: string) => `2026-11-23T${hhmm}:00Z`;
const iv = (from: string, to: string) => ({ start: T(from), end: T(to) });

function makeInstance(replan: Record<string, unknown> = {}): Instance {
  const parsed = parseInstance({
    version: 1,
    clinic: { id: 'test', timezone: 'UTC' },
    horizon: iv('08:00', '18:00'),
    slotMinutes: 15,
    providers: [
      { id: 'dr-a', specialties: ['fm'], availability: [iv('08:00', '12:00')] },
      { id: 'dr-b', specialties: ['fm'], availability: [iv('08:00', '12:00'), iv('12:30', '16:00')] },
    ],
    rooms: [
      { id: 'exam-1', capabilities: ['exam'], availability: [iv('08:00', '18:00')] },
      { id: 'exam-2', capabilities: ['exam'], availability: [iv('08:00', '18:00')] },
    ],
    equipment: [{ id: 'ecg', count: 1 }],
    staff: [{ id: 'rn-1', skills: ['assist'], availability: [iv('08:00', '17:00')] }],
    services: [
      { id: 'visit', minutes: 30, specialty: 'fm', roomCapability: 'exam' },
      {
        id: 'ecg-visit',
        minutes: 30,
        specialty: 'fm',
        roomCapability: 'exam',
        equipment: [{ id: 'ecg' }],
        staffTasks: [{ skill: 'assist', offsetMinutes: 0, minutes: 15 }],
      },
    ],
    requests: [
      { id: 'r1', patientId: 'pt-1', serviceId: 'visit', urgency: 'routine' },
      { id: 'r2', patientId: 'pt-2', serviceId: 'visit', urgency: 'routine' },
      { id: 'r3', patientId: 'pt-3', serviceId: 'visit', urgency: 'routine' },
      { id: 'r4', patientId: 'pt-4', serviceId: 'visit', urgency: 'routine' },
      { id: 'r5', patientId: 'pt-5', serviceId: 'visit', urgency: 'urgent' },
      { id: 'r6', patientId: 'pt-6', serviceId: 'ecg-visit', urgency: 'routine' },
      { id: 'r7', patientId: 'pt-7', serviceId: 'visit', urgency: 'routine' },
    ],
    replan,
  });
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
  return parsed.value;
}

const instance = makeInstance();

function appt(requestId: string, patientId: string, providerId: string | null, roomId: string, from: string, to: string, extra: Partial<Appointment> = {}): Appointment {
  return { requestId, patientId, serviceId: 'visit', providerId, roomId, ...iv(from, to), equipment: [], staff: [], status: 'booked', ...extra };
}
const ecg = (from: string, to: string): Partial<Appointment> => ({
  serviceId: 'ecg-visit',
  equipment: [{ id: 'ecg', count: 1 }],
  staff: [{ staffId: 'rn-1', skill: 'assist', ...iv(from, to) }],
});

/** The day at 10:00 (indices are used below). */
const dayState = (): Appointment[] => [
  /* 0 */ appt('r1', 'pt-1', 'dr-a', 'exam-1', '08:00', '08:30', { status: 'fulfilled' }),
  /* 1 */ appt('r2', 'pt-2', 'dr-a', 'exam-1', '09:45', '10:15', { id: 'a2', status: 'in-progress' }),
  /* 2 */ appt('r3', 'pt-3', 'dr-a', 'exam-1', '10:15', '10:45'),
  /* 3 */ appt('r4', 'pt-4', 'dr-b', 'exam-2', '10:00', '10:30'),
  /* 4 */ appt('r5', 'pt-5', 'dr-a', 'exam-1', '11:30', '12:00'),
  /* 5 */ appt('r6', 'pt-6', 'dr-b', 'exam-2', '11:00', '11:30', { status: 'checked-in', ...ecg('11:00', '11:15') }),
  /* 6 */ appt('r7', 'pt-7', 'dr-b', 'exam-2', '15:30', '16:00'),
  /* 7 */ appt('bk-9', 'pt-9', 'dr-b', 'exam-1', '14:00', '14:30'), // no request behind it: a routine visit of its booked length
];

const baseEvents = [
  { type: 'overrun', appointmentId: 'a2', expectedEnd: T('10:30') },
  { type: 'cancellation', appointmentId: 'r4', at: T('09:50') },
  { type: 'emergency', request: { id: 'e1', patientId: 'pt-e', serviceId: 'visit' } },
];

function makeInput(extraEvents: unknown[] = [], day: Appointment[] = dayState()): ReplanInput {
  const input = ReplanInput.parse({ now: T('10:00'), appointments: day, events: [...baseEvents, ...extraEvents] });
  const problems = checkReplanInput(instance, input);
  if (problems.length > 0) throw new Error(JSON.stringify(problems));
  return input;
}
const input = makeInput();

type Result = { appointments: Appointment[]; changes?: Change[]; unscheduled?: { requestId: string; reasons: string[] }[] };

const slot = (a: Appointment) => ({ providerId: a.providerId, roomId: a.roomId, start: a.start, end: a.end });
function change(kind: Change['kind'], from: Appointment | null, to: Appointment | null, delayMinutes = 0): Change {
  const a = (to ?? from)!;
  return { kind, requestId: a.requestId, patientId: a.patientId, from: from && slot(from), to: to && slot(to), delayMinutes };
}

/**
 * A correct re-plan: the overrun pushes r3 to 10:30 (+15 min), the emergency takes the slot r4 freed,
 * checked-in r6 is pulled forward into the gap after it. Cost: 1 * 15 (r3) = 15.
 */
function goodResult(): Result {
  const day = dayState();
  const appointments = [
    /* 0 */ day[0]!,
    /* 1 */ { ...day[1]!, end: T('10:30') },
    /* 2 */ appt('r3', 'pt-3', 'dr-a', 'exam-1', '10:30', '11:00'),
    /* 3 */ { ...day[3]!, status: 'cancelled' as const },
    /* 4 */ day[4]!,
    /* 5 */ appt('r6', 'pt-6', 'dr-b', 'exam-2', '10:30', '11:00', { status: 'checked-in', ...ecg('10:30', '10:45') }),
    /* 6 */ day[6]!,
    /* 7 */ day[7]!,
    /* 8 */ appt('e1', 'pt-e', 'dr-b', 'exam-2', '10:00', '10:30'),
  ];
  const changes = [
    /* 0 */ change('moved', day[2]!, appointments[2]!, 15),
    /* 1 */ change('moved', day[5]!, appointments[5]!, -30),
    /* 2 */ change('added', null, appointments[8]!),
    /* 3 */ change('cancelled', day[3]!, null),
  ];
  return { appointments, changes, unscheduled: [] };
}

function mutate(edit: (r: Result) => void, inst: Instance = instance, inp: ReplanInput = input): ReplanReport {
  const result = structuredClone(goodResult());
  edit(result);
  return validateReplan(inst, inp, result);
}

const brief = (report: ReplanReport) => report.violations.map((v) => ({ rule: v.rule, path: v.path }));

describe('validateReplan on a correct re-plan', () => {
  it('finds no violation and the expected cost', () => {
    const report = validateReplan(instance, input, goodResult());
    expect(report.violations).toEqual([]);
    expect(report.breakdown).toEqual({ lateness: 15, reassignments: 0, roomChanges: 0, bumps: 0, overtime: 0 });
    expect(report.cost).toBe(15);
  });

  it('compares instants, not strings, and leaves its arguments alone', () => {
    const result = goodResult();
    result.appointments[2] = { ...result.appointments[2]!, start: '2026-11-23T04:30:00-06:00', end: '2026-11-23T05:00:00-06:00' };
    const before = structuredClone(result);
    const inputBefore = structuredClone(input);
    expect(validateReplan(instance, input, result)).toMatchObject({ violations: [], cost: 15 });
    expect(result).toEqual(before);
    expect(input).toEqual(inputBefore);
  });

  it('accepts a plan without changes or unscheduled when nothing needed them', () => {
    const { appointments } = goodResult();
    expect(validateReplan(instance, input, { appointments }).violations).toEqual([]);
  });
});

describe('rule history', () => {
  it('a fulfilled appointment keeps its times', () => {
    const report = mutate((r) => Object.assign(r.appointments[0]!, iv('08:15', '08:45')));
    expect(brief(report)).toEqual([
      { rule: 'history', path: '$.appointments[0].start' },
      { rule: 'history', path: '$.appointments[0].end' },
    ]);
  });

  it('an in-progress appointment that overruns ends at expectedEnd', () => {
    const report = mutate((r) => (r.appointments[1]!.end = T('10:15')));
    expect(brief(report)).toContainEqual({ rule: 'history', path: '$.appointments[1].end' });
    expect(report.violations[0]!.message).toContain('10:30');
  });

  it('a cancellation event turns the status to cancelled', () => {
    const report = mutate((r) => (r.appointments[3]!.status = 'booked'));
    expect(brief(report)).toContainEqual({ rule: 'history', path: '$.appointments[3].status' });
  });

  it('history never leaves the day', () => {
    const report = mutate((r) => r.appointments.splice(0, 1));
    expect(brief(report)).toEqual([{ rule: 'history', path: '$.appointments' }]);
  });

  it('history keeps its room and staff', () => {
    const report = mutate((r) => (r.appointments[1]!.roomId = 'exam-2'));
    expect(brief(report)).toContainEqual({ rule: 'history', path: '$.appointments[1].roomId' });
  });
});

describe('rule coverage', () => {
  it('an appointment dropped without a bump', () => {
    const report = mutate((r) => r.appointments.splice(6, 1)); // r7
    expect(brief(report)).toEqual([{ rule: 'coverage', path: '$.appointments' }]);
    expect(report.violations[0]!.message).toContain("'r7'");
  });

  it('a bumped appointment is fine and costs bump[routine]', () => {
    const day = dayState();
    const report = mutate((r) => {
      r.appointments.splice(6, 1);
      r.changes!.push(change('bumped', day[6]!, null));
    });
    expect(report.violations).toEqual([]);
    expect(report.breakdown.bumps).toBe(500);
    expect(report.cost).toBe(515);
  });

  it('an emergency is placed or listed as unscheduled', () => {
    const missing = mutate((r) => {
      r.appointments.splice(8, 1);
      r.changes!.splice(2, 1);
    });
    expect(brief(missing)).toEqual([{ rule: 'coverage', path: '$.appointments' }]);
    const listed = mutate((r) => {
      r.appointments.splice(8, 1);
      r.changes!.splice(2, 1);
      r.unscheduled!.push({ requestId: 'e1', reasons: ['no room'] });
    });
    expect(listed.violations).toEqual([]);
    expect(listed.breakdown.bumps).toBe(0); // an emergency is never priced as bumped
  });

  it('an appointment twice, or one from nowhere', () => {
    const twice = mutate((r) => r.appointments.push(appt('r7', 'pt-7', 'dr-a', 'exam-2', '11:00', '11:30')));
    expect(brief(twice)).toContainEqual({ rule: 'coverage', path: '$.appointments[9].requestId' });
    const stray = mutate((r) => r.appointments.push(appt('r99', 'pt-99', 'dr-a', 'exam-2', '11:00', '11:30')));
    expect(brief(stray)).toContainEqual({ rule: 'coverage', path: '$.appointments[9]' });
  });

  it('a kept appointment stays booked or checked-in', () => {
    const report = mutate((r) => (r.appointments[6]!.status = 'fulfilled'));
    expect(brief(report)).toEqual([{ rule: 'coverage', path: '$.appointments[6].status' }]);
  });
});

describe('rule not-before-now', () => {
  it('nothing that has not started starts before now', () => {
    const report = mutate((r) => {
      Object.assign(r.appointments[2]!, { providerId: 'dr-b', roomId: 'exam-2' }, iv('09:30', '10:00'));
      delete r.changes;
    });
    expect(brief(report)).toEqual([{ rule: 'not-before-now', path: '$.appointments[2].start' }]);
  });

  it('a booked appointment is not pulled forward unless earlierOk', () => {
    const earlier = (r: Result) => {
      Object.assign(r.appointments[6]!, iv('15:00', '15:30'));
      r.changes!.push(change('moved', dayState()[6]!, r.appointments[6]!, -30));
    };
    expect(brief(mutate(earlier))).toEqual([{ rule: 'not-before-now', path: '$.appointments[6].start' }]);

    const day = dayState();
    day[6]!.earlierOk = true;
    const agreed = mutate((r) => {
      earlier(r);
      r.appointments[6]!.earlierOk = true;
    }, instance, makeInput([], day));
    expect(agreed.violations).toEqual([]);
    expect(agreed.cost).toBe(15); // earlier costs nothing
  });

  it('a new request not before its earliest start', () => {
    const late = makeInput([{ type: 'emergency', request: { id: 'e2', patientId: 'pt-f', serviceId: 'visit', earliestStart: T('11:00') } }]);
    const report = mutate((r) => {
      r.appointments.push(appt('e2', 'pt-f', 'dr-a', 'exam-2', '11:00', '11:30'));
      r.changes!.push(change('added', null, r.appointments[9]!));
    }, instance, late);
    expect(report.violations).toEqual([]);
    const early = mutate((r) => {
      r.appointments.push(appt('e2', 'pt-f', 'dr-a', 'exam-2', '10:45', '11:15'));
      r.changes!.push(change('added', null, r.appointments[9]!));
    }, instance, late);
    expect(brief(early)).toContainEqual({ rule: 'not-before-now', path: '$.appointments[9].start' });
  });
});

describe('rule hard-constraint (the day as disrupted)', () => {
  it('a double-booked provider', () => {
    const report = mutate((r) => {
      Object.assign(r.appointments[2]!, { providerId: 'dr-b' }, iv('10:45', '11:15'));
      Object.assign(r.changes![0]!, { kind: 'reassigned', delayMinutes: 30 });
    });
    expect(brief(report)).toEqual([{ rule: 'hard-constraint', path: '$.appointments[2].providerId' }]);
    expect(report.violations[0]!.message).toContain("provider 'dr-b' is booked twice");
  });

  it('work inside a delay window', () => {
    const delayed = makeInput([{ type: 'delay', providerId: 'dr-b', availableFrom: T('10:30') }]);
    expect(brief(mutate(() => {}, instance, delayed))).toEqual([{ rule: 'hard-constraint', path: '$.appointments[8].providerId' }]);

    // The fix: the emergency waits for dr-b (10 * 30 min) and r6 stays where it was.
    const fixed = mutate((r) => {
      Object.assign(r.appointments[8]!, iv('10:30', '11:00'));
      r.appointments[5] = dayState()[5]!;
      r.changes!.splice(1, 1);
    }, instance, delayed);
    expect(fixed.violations).toEqual([]);
    expect(fixed.cost).toBe(15 + 300);
  });

  it('a room, equipment or staff member taken out', () => {
    const roomDown = makeInput([{ type: 'resource-down', kind: 'room', id: 'exam-1', start: T('10:45'), end: T('11:15') }]);
    expect(brief(mutate(() => {}, instance, roomDown))).toEqual([{ rule: 'hard-constraint', path: '$.appointments[2].roomId' }]);
    const ecgDown = makeInput([{ type: 'resource-down', kind: 'equipment', id: 'ecg', start: T('10:30'), end: T('11:00') }]);
    expect(brief(mutate(() => {}, instance, ecgDown))).toEqual([{ rule: 'hard-constraint', path: '$.appointments[5].equipment[0]' }]);
    const absent = makeInput([{ type: 'staff-absence', staffId: 'rn-1', start: T('10:00'), end: T('10:45') }]);
    expect(brief(mutate(() => {}, instance, absent))).toEqual([{ rule: 'hard-constraint', path: '$.appointments[5].staff[0]' }]);
  });

  it('what the history alone breaks is not the re-plan\'s doing', () => {
    // exam-1 goes down under the appointment in progress; nothing the re-plan placed is affected.
    const underHistory = makeInput([{ type: 'resource-down', kind: 'room', id: 'exam-1', start: T('09:00'), end: T('10:30') }]);
    expect(validateReplan(instance, underHistory, goodResult()).violations).toEqual([]);
    // ...but a live appointment placed next to it in the same window is.
    const moved = mutate((r) => {
      Object.assign(r.appointments[6]!, { roomId: 'exam-1' }, iv('09:00', '09:30'));
      delete r.changes;
    }, instance, underHistory);
    expect(brief(moved)).toContainEqual({ rule: 'hard-constraint', path: '$.appointments[6].roomId' });
  });

  it('a booked appointment that will run long gets its longer length, rounded up to the grid', () => {
    const long = makeInput([{ type: 'overrun', appointmentId: 'r5', expectedEnd: T('12:10') }]);
    expect(brief(mutate(() => {}, instance, long))).toEqual([{ rule: 'hard-constraint', path: '$.appointments[4].end' }]);
    const planned = mutate((r) => (r.appointments[4]!.end = T('12:15')), instance, long);
    expect(planned.violations).toEqual([]);
    expect(planned.breakdown.overtime).toBe(2 * 15); // 12:00-12:15 after dr-a's day
  });

  it('overtime only right after an availability interval', () => {
    const report = mutate((r) => {
      Object.assign(r.appointments[4]!, iv('13:15', '13:45')); // dr-a stops at 12:00: overtime ends at 13:00
      delete r.changes;
    });
    expect(brief(report)).toEqual([{ rule: 'hard-constraint', path: '$.appointments[4].providerId' }]);
  });
});

describe('rule overtime', () => {
  // r5 to dr-b 12:00-12:30 (before dr-b's 12:30 return) and r7 to 16:00-16:30: 60 min of overtime.
  const overtime = (r: Result) => {
    Object.assign(r.appointments[4]!, { providerId: 'dr-b' }, iv('12:00', '12:30'));
    Object.assign(r.appointments[6]!, iv('16:00', '16:30'));
    delete r.changes;
  };

  it('at the cap is fine', () => {
    const report = mutate(overtime);
    expect(report.violations).toEqual([]);
    // lateness 2 * 30 (r5, urgent) + 1 * 30 (r7) + 15 (r3); reassigned r5; 60 min overtime at 2.
    expect(report.breakdown).toEqual({ lateness: 105, reassignments: 30, roomChanges: 0, bumps: 0, overtime: 120 });
  });

  it('over the cap is caught at the appointment that goes over', () => {
    const report = mutate(overtime, makeInstance({ maxOvertimeMinutes: 45 }));
    expect(brief(report)).toEqual([{ rule: 'overtime', path: '$.appointments[6]' }]);
    expect(report.violations[0]!.message).toContain("provider 'dr-b' works 60 min");
  });

  it('an in-progress overrun counts in the cost, not against the cap', () => {
    const day = dayState();
    Object.assign(day[1]!, iv('11:30', '12:00'));
    const r5 = appt('r5', 'pt-5', 'dr-b', 'exam-2', '12:00', '12:30'); // 30 min of overtime before dr-b's 12:30
    const inp = ReplanInput.parse({
      now: T('11:45'),
      appointments: [day[1]!, r5],
      events: [{ type: 'overrun', appointmentId: 'a2', expectedEnd: T('13:00') }], // 60 min past dr-a's 12:00
    });
    const capped = makeInstance({ maxOvertimeMinutes: 30 });
    expect(checkReplanInput(capped, inp)).toEqual([]);
    const report = validateReplan(capped, inp, { appointments: [{ ...day[1]!, end: T('13:00') }, r5] });
    expect(report.violations).toEqual([]);
    expect(report.breakdown.overtime).toBe(2 * (60 + 30));
  });
});

describe('rule changes', () => {
  it('a moved appointment without a change entry', () => {
    const report = mutate((r) => r.changes!.splice(0, 1));
    expect(brief(report)).toEqual([{ rule: 'changes', path: '$.appointments[2]' }]);
  });

  it('the kind and the delay of a change', () => {
    const report = mutate((r) => Object.assign(r.changes![0]!, { kind: 'reassigned', delayMinutes: 10 }));
    expect(brief(report)).toEqual([
      { rule: 'changes', path: '$.changes[0].kind' },
      { rule: 'changes', path: '$.changes[0].delayMinutes' },
    ]);
  });

  it('an emergency placed is added; a bumped appointment is gone', () => {
    expect(brief(mutate((r) => r.changes!.splice(2, 1)))).toEqual([{ rule: 'changes', path: '$.appointments[8]' }]);
    expect(brief(mutate((r) => r.changes!.push(change('bumped', r.appointments[6]!, null))))).toEqual([
      { rule: 'changes', path: '$.changes[4]' },
    ]);
  });
});

describe('cost', () => {
  it('matches a hand computation with every term', () => {
    const day = dayState();
    const report = mutate((r) => {
      // r3 to dr-b in exam-2 at 10:30: 15 min late (routine, 1/min), new provider, new room.
      Object.assign(r.appointments[2]!, { providerId: 'dr-b', roomId: 'exam-2' });
      // checked-in r6 to dr-a in exam-1 at 10:30, 30 min early: new provider, new room, no lateness.
      Object.assign(r.appointments[5]!, { providerId: 'dr-a', roomId: 'exam-1' });
      // urgent r5 to 12:00-12:30: 30 min late (2/min) and 30 min of dr-a's overtime (2/min).
      Object.assign(r.appointments[4]!, iv('12:00', '12:30'));
      // r7 bumped.
      r.appointments.splice(6, 1);
      r.changes = [
        change('reassigned', day[2]!, r.appointments[2]!, 15),
        change('reassigned', day[5]!, r.appointments[5]!, -30),
        change('moved', day[4]!, r.appointments[4]!, 30),
        change('bumped', day[6]!, null),
        change('added', null, r.appointments[7]!),
        change('cancelled', day[3]!, null),
      ];
    });
    expect(report.violations).toEqual([]);
    expect(report.breakdown).toEqual({ lateness: 15 + 60, reassignments: 2 * 30, roomChanges: 2 * 5, bumps: 500, overtime: 2 * 30 });
    expect(report.cost).toBe(705);
  });

  it('uses the weights of instance.replan', () => {
    const report = mutate(
      (r) => {
        Object.assign(r.appointments[2]!, { roomId: 'exam-2' }, iv('11:00', '11:30'));
        r.changes![0] = change('moved', dayState()[2]!, r.appointments[2]!, 45);
      },
      makeInstance({ lateness: { routine: 3 }, changeRoom: 7 }),
    );
    expect(report.violations).toEqual([]);
    expect(report.breakdown).toMatchObject({ lateness: 3 * 45, roomChanges: 7 });
    expect(report.cost).toBe(142);
  });

  it('new requests: lateness from max(now, earliestStart); a walk-in left out is bumped', () => {
    const inp = makeInput([
      { type: 'emergency', request: { id: 'e2', patientId: 'pt-f', serviceId: 'visit', earliestStart: T('10:30') } },
      { type: 'emergency', request: { id: 'w1', patientId: 'pt-w', serviceId: 'visit', urgency: 'urgent' } },
    ]);
    const report = mutate((r) => {
      r.appointments.push(appt('e2', 'pt-f', 'dr-a', 'exam-2', '11:00', '11:30'));
      r.changes!.push(change('added', null, r.appointments[9]!));
      r.unscheduled!.push({ requestId: 'w1', reasons: ['no provider is free'] });
    }, instance, inp);
    expect(report.violations).toEqual([]);
    // r3: 15; e2 (emergency, 10/min): 11:00 - 10:30; w1 (urgent) left out: 2000.
    expect(report.breakdown).toMatchObject({ lateness: 15 + 300, bumps: 2000 });
    expect(report.cost).toBe(2315);
  });
});
