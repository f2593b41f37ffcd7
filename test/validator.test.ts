import { describe, expect, it } from 'vitest';
import type { Appointment } from '../src/contract/appointment.js';
import type { Instance } from '../src/contract/instance.js';
import { parseInstance } from '../src/contract/parse.js';
import { validateResult, type Violation } from '../src/validator/validateResult.js';

/** A local clinic time on 2026-11-23 (America/Chicago, CST = UTC-6). */
const at = (hhmm: string) => `2026-11-23T${hhmm}:00-06:00`;
const iv = (from: string, to: string) => ({ start: at(from), end: at(to) });

function loadInstance(): Instance {
  const parsed = parseInstance({
    version: 1,
    clinic: { id: 'test', timezone: 'America/Chicago' },
    horizon: iv('07:00', '19:00'),
    slotMinutes: 5,
    providers: [
      // Two adjacent intervals: an appointment across 12:00 is fine.
      { id: 'dr-a', specialties: ['family-medicine'], availability: [iv('08:00', '12:00'), iv('12:00', '16:00')], maxAppointments: 3 },
      { id: 'dr-b', specialties: ['family-medicine', 'orthopedics'], availability: [iv('08:00', '16:00')] },
      { id: 'dr-c', specialties: ['orthopedics'], availability: [iv('08:00', '16:00')] },
    ],
    rooms: [
      { id: 'exam-1', capabilities: ['exam'], availability: [iv('07:00', '19:00')] },
      { id: 'exam-2', capabilities: ['exam'], availability: [iv('07:00', '19:00')] },
      { id: 'proc-1', capabilities: ['procedure', 'exam'], availability: [iv('07:00', '19:00')] },
      { id: 'proc-2', capabilities: ['procedure'], availability: [iv('07:00', '19:00')] },
      { id: 'lab-1', capabilities: ['lab'], availability: [iv('07:00', '15:00')] },
    ],
    equipment: [{ id: 'us', count: 1, downtime: [iv('14:00', '15:00')] }],
    staff: [
      { id: 'rn-kim', skills: ['phlebotomy', 'procedure-assist'], availability: [iv('08:00', '17:00')] },
      { id: 'rn-lee', skills: ['phlebotomy', 'procedure-assist'], availability: [iv('08:00', '17:00')] },
      { id: 'tech-pat', skills: ['phlebotomy'], availability: [iv('12:00', '17:00')] },
    ],
    services: [
      { id: 'fm-visit', minutes: 30, specialty: 'family-medicine', roomCapability: 'exam', turnoverMinutes: 10 },
      {
        id: 'injection',
        minutes: 30,
        specialty: 'orthopedics',
        roomCapability: 'procedure',
        equipment: [{ id: 'us' }],
        staffTasks: [{ skill: 'procedure-assist', offsetMinutes: 0, minutes: 30 }],
        turnoverMinutes: 10,
      },
      { id: 'blood-draw', minutes: 10, roomCapability: 'lab', staffTasks: [{ skill: 'phlebotomy', offsetMinutes: 0, minutes: 10 }] },
    ],
    requests: [
      { id: 'r1', patientId: 'pt-1', serviceId: 'fm-visit', urgency: 'routine', earliestStart: at('08:00'), preferredProviderIds: ['dr-a'] },
      { id: 'r2', patientId: 'pt-2', serviceId: 'fm-visit', urgency: 'urgent', providerId: 'dr-b', earliestStart: at('09:00'), latestEnd: at('11:00') },
      { id: 'r3', patientId: 'pt-3', serviceId: 'injection', urgency: 'routine' },
      { id: 'r4', patientId: 'pt-3', serviceId: 'blood-draw', urgency: 'routine', earliestStart: at('10:00') },
      { id: 'r5', patientId: 'pt-4', serviceId: 'fm-visit', urgency: 'emergency', minutes: 20, earliestStart: at('11:20') },
      { id: 'r6', patientId: 'pt-6', serviceId: 'fm-visit', urgency: 'routine' },
      { id: 'r7', patientId: 'pt-7', serviceId: 'injection', urgency: 'routine' },
    ],
    bookings: [
      // A pinned booking with no request behind it.
      { requestId: 'bk-1', patientId: 'pt-5', serviceId: 'fm-visit', providerId: 'dr-a', roomId: 'exam-1', ...iv('13:00', '13:30'), pinned: true },
      // An unpinned booking of request r6: it may move.
      { requestId: 'r6', patientId: 'pt-6', serviceId: 'fm-visit', providerId: 'dr-b', roomId: 'exam-1', ...iv('14:00', '14:30') },
      // A cancelled booking holds no capacity and need not appear.
      { requestId: 'bk-old', patientId: 'pt-8', serviceId: 'fm-visit', providerId: 'dr-a', roomId: 'exam-2', ...iv('10:00', '10:30'), status: 'cancelled' },
    ],
  });
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
  return parsed.value;
}

const instance = loadInstance();

function appt(
  requestId: string,
  patientId: string,
  serviceId: string,
  providerId: string | null,
  roomId: string,
  from: string,
  to: string,
  extra: Partial<Appointment> = {},
): Appointment {
  return { requestId, patientId, serviceId, providerId, roomId, ...iv(from, to), equipment: [], staff: [], ...extra };
}

/** A hand-made valid schedule; indices are used by the mutations below. */
function validResult(): { appointments: Appointment[]; unscheduled: { requestId: string; reasons: string[] }[] } {
  return {
    appointments: [
      /* 0 */ appt('r1', 'pt-1', 'fm-visit', 'dr-a', 'exam-1', '10:00', '10:30'),
      /* 1 */ appt('r2', 'pt-2', 'fm-visit', 'dr-b', 'exam-1', '09:00', '09:30'), // exam-1 turned over by 09:40
      /* 2 */ appt('r3', 'pt-3', 'injection', 'dr-b', 'proc-1', '10:00', '10:30', {
        equipment: [{ id: 'us', count: 1 }],
        staff: [{ staffId: 'rn-kim', skill: 'procedure-assist', ...iv('10:00', '10:30') }],
      }),
      /* 3 */ appt('r4', 'pt-3', 'blood-draw', null, 'lab-1', '10:30', '10:40', {
        staff: [{ staffId: 'rn-kim', skill: 'phlebotomy', ...iv('10:30', '10:40') }],
      }),
      /* 4 */ appt('r5', 'pt-4', 'fm-visit', 'dr-a', 'exam-2', '11:50', '12:10'), // across dr-a's two intervals
      /* 5 */ appt('bk-1', 'pt-5', 'fm-visit', 'dr-a', 'exam-1', '13:00', '13:30'),
      /* 6 */ appt('r6', 'pt-6', 'fm-visit', 'dr-b', 'exam-1', '15:00', '15:30'), // moved from 14:00
      /* 7 */ appt('bk-old', 'pt-8', 'fm-visit', 'dr-a', 'exam-1', '10:00', '10:30', { status: 'cancelled' }),
    ],
    unscheduled: [{ requestId: 'r7', reasons: ['the only ultrasound is busy'] }],
  };
}

type Result = ReturnType<typeof validResult>;

function mutate(change: (r: Result) => void): Violation[] {
  const result = structuredClone(validResult());
  change(result);
  return validateResult(instance, result).violations;
}

const brief = (vs: Violation[]) => vs.map((v) => ({ constraint: v.constraint, path: v.path }));

describe('validateResult on a valid schedule', () => {
  it('finds no violation and the exact score', () => {
    const report = validateResult(instance, validResult());
    expect(report.violations).toEqual([]);
    expect(report.scheduled).toBe(7);
    const hours = 2 + 0 + 3 + 0.5 + 0.5 + 6 + 8; // r1 r2 r3 r4 r5 bk-1 r6
    expect(report.score).toBe(10 + 2 + 100 + 10 + 10 + 1000 + 10 + 10 - 0.25 * hours); // 1147
  });

  it('compares instants, not strings: UTC offsets are fine', () => {
    const report = validateResult(instance, {
      ...validResult(),
      appointments: validResult().appointments.map((a, i) => (i === 0 ? { ...a, start: '2026-11-23T16:00:00Z', end: '2026-11-23T16:30:00Z' } : a)),
    });
    expect(report.violations).toEqual([]);
  });
});

describe('score', () => {
  it('routine request with its preferred provider, 2 h after earliestStart: 10 + 2 - 0.5', () => {
    const r1 = validResult().appointments[0]!;
    expect(validateResult(instance, { appointments: [r1] })).toMatchObject({ score: 11.5, scheduled: 1 });
  });

  it('a booking with no request scores as routine, waiting from the horizon start', () => {
    const bk1 = validResult().appointments[5]!; // 13:00, 6 h after 07:00
    expect(validateResult(instance, { appointments: [bk1] }).score).toBe(10 - 0.25 * 6);
  });

  it('counts a request scheduled twice once', () => {
    const { appointments } = validResult();
    const twice = [...appointments, { ...appointments[0]!, providerId: 'dr-b', roomId: 'exam-2', ...iv('13:00', '13:30') }];
    expect(validateResult(instance, { appointments: twice })).toMatchObject({ score: 1147, scheduled: 7 });
  });
});

describe('constraint 1: once, matching, right provider and room', () => {
  it('a service without specialty has no provider', () => {
    expect(brief(mutate((r) => (r.appointments[3]!.providerId = 'dr-b')))).toEqual([{ constraint: 1, path: '$.appointments[3].providerId' }]);
  });

  it('the provider named by the request', () => {
    const vs = mutate((r) => (r.appointments[1]!.providerId = 'dr-a'));
    expect(brief(vs)).toContainEqual({ constraint: 1, path: '$.appointments[1].providerId' });
    expect(vs[0]!.message).toContain("'dr-b'");
  });

  it('the provider has the specialty', () => {
    const vs = mutate((r) => (r.appointments[2]!.providerId = 'dr-a'));
    expect(brief(vs)).toContainEqual({ constraint: 1, path: '$.appointments[2].providerId' });
  });

  it('the room has the capability', () => {
    expect(brief(mutate((r) => (r.appointments[2]!.roomId = 'exam-2')))).toEqual([{ constraint: 1, path: '$.appointments[2].roomId' }]);
  });

  it('a request at most once', () => {
    const vs = mutate((r) => r.appointments.push({ ...r.appointments[0]!, providerId: 'dr-b', roomId: 'exam-2', ...iv('13:00', '13:30') }));
    expect(brief(vs)).toEqual([{ constraint: 1, path: '$.appointments[8].requestId' }]);
  });

  it('not both scheduled and unscheduled', () => {
    const vs = mutate((r) => r.unscheduled.push({ requestId: 'r1', reasons: ['?'] }));
    expect(brief(vs)).toEqual([{ constraint: 1, path: '$.appointments[0].requestId' }]);
  });

  it('the request exists and the patient matches', () => {
    expect(brief(mutate((r) => (r.appointments[0]!.requestId = 'r99')))).toContainEqual({ constraint: 1, path: '$.appointments[0].requestId' });
    expect(brief(mutate((r) => (r.appointments[0]!.patientId = 'pt-9')))).toEqual([{ constraint: 1, path: '$.appointments[0].patientId' }]);
  });
});

describe('constraint 2: duration, window, grid, horizon', () => {
  it('end = start + minutes', () => {
    expect(brief(mutate((r) => (r.appointments[0]!.end = at('10:35'))))).toEqual([{ constraint: 2, path: '$.appointments[0].end' }]);
  });

  it('request.minutes overrides the service', () => {
    expect(brief(mutate((r) => (r.appointments[4]!.end = at('12:20'))))).toEqual([{ constraint: 2, path: '$.appointments[4].end' }]);
  });

  it('start on the grid', () => {
    const vs = mutate((r) => Object.assign(r.appointments[0]!, { start: at('10:02'), end: at('10:32') }));
    expect(brief(vs)).toEqual([{ constraint: 2, path: '$.appointments[0].start' }]);
  });

  it('within the request window', () => {
    const late = mutate((r) => Object.assign(r.appointments[1]!, iv('10:40', '11:10')));
    expect(brief(late)).toEqual([{ constraint: 2, path: '$.appointments[1].end' }]);
    expect(late[0]!.message).toContain('11:00');
    const early = mutate((r) => Object.assign(r.appointments[0]!, iv('08:00', '08:30')));
    expect(brief(early)).toEqual([]);
    const tooEarly = mutate((r) => Object.assign(r.appointments[4]!, iv('11:00', '11:20')));
    expect(brief(tooEarly)).toEqual([{ constraint: 2, path: '$.appointments[4].start' }]);
  });

  it('inside the horizon', () => {
    const vs = mutate((r) => Object.assign(r.appointments[6]!, { roomId: 'exam-2', ...iv('18:45', '19:15') }));
    expect(brief(vs)).toContainEqual({ constraint: 2, path: '$.appointments[6].end' });
  });
});

describe('constraint 3: availability, staff tasks, equipment', () => {
  it('provider available for the whole appointment', () => {
    const vs = mutate((r) => Object.assign(r.appointments[6]!, iv('16:00', '16:30')));
    expect(brief(vs)).toEqual([{ constraint: 3, path: '$.appointments[6].providerId' }]);
    expect(vs[0]!.message).toContain("provider 'dr-b' is not available 16:00-16:30");
  });

  it('room available', () => {
    const vs = mutate((r) => Object.assign(r.appointments[3]!, iv('15:00', '15:10'), { staff: [{ staffId: 'rn-kim', skill: 'phlebotomy', ...iv('15:00', '15:10') }] }));
    expect(brief(vs)).toEqual([{ constraint: 3, path: '$.appointments[3].roomId' }]);
  });

  it('staff task at start + offset', () => {
    const vs = mutate((r) => (r.appointments[2]!.staff[0]!.start = at('10:05')));
    expect(brief(vs)).toEqual([{ constraint: 3, path: '$.appointments[2].staff[0]' }]);
  });

  it('every staff task present, none extra', () => {
    expect(brief(mutate((r) => (r.appointments[2]!.staff = [])))).toEqual([{ constraint: 3, path: '$.appointments[2].staff' }]);
    const extra = mutate((r) => r.appointments[0]!.staff.push({ staffId: 'rn-lee', skill: 'phlebotomy', ...iv('10:00', '10:10') }));
    expect(brief(extra)).toEqual([{ constraint: 3, path: '$.appointments[0].staff[0]' }]);
  });

  it('staff member exists, has the skill and is available', () => {
    const unknown = mutate((r) => (r.appointments[3]!.staff[0]!.staffId = 'dr-a'));
    expect(brief(unknown)).toEqual([{ constraint: 3, path: '$.appointments[3].staff[0].staffId' }]);
    const noSkill = mutate((r) => (r.appointments[2]!.staff[0]!.staffId = 'tech-pat'));
    expect(brief(noSkill)).toContainEqual({ constraint: 3, path: '$.appointments[2].staff[0].skill' });
    const away = mutate((r) => (r.appointments[3]!.staff[0]!.staffId = 'tech-pat'));
    expect(brief(away)).toEqual([{ constraint: 3, path: '$.appointments[3].staff[0]' }]);
    expect(away[0]!.message).toContain("'tech-pat' is not available 10:30-10:40");
  });

  it('exactly the service equipment', () => {
    expect(brief(mutate((r) => (r.appointments[2]!.equipment = [])))).toEqual([{ constraint: 3, path: '$.appointments[2].equipment' }]);
    expect(brief(mutate((r) => (r.appointments[2]!.equipment[0]!.count = 2)))).toContainEqual({
      constraint: 3,
      path: '$.appointments[2].equipment[0].count',
    });
  });

  it('no equipment used while down', () => {
    const vs = mutate((r) =>
      Object.assign(r.appointments[2]!, iv('14:00', '14:30'), { staff: [{ staffId: 'rn-kim', skill: 'procedure-assist', ...iv('14:00', '14:30') }] }),
    );
    expect(brief(vs)).toEqual([{ constraint: 3, path: '$.appointments[2].equipment[0]' }]);
    expect(vs[0]!.message).toContain('14:00-14:30');
  });
});

describe('constraint 4: no double booking, room turnover, equipment capacity', () => {
  it('provider in two places', () => {
    const vs = mutate((r) => Object.assign(r.appointments[1]!, { roomId: 'exam-2', ...iv('10:10', '10:40') }));
    expect(brief(vs)).toEqual([{ constraint: 4, path: '$.appointments[1].providerId' }]);
  });

  it('room turnover after an appointment', () => {
    const vs = mutate((r) => Object.assign(r.appointments[6]!, iv('13:30', '14:00')));
    expect(brief(vs)).toEqual([{ constraint: 4, path: '$.appointments[6].roomId' }]);
    expect(vs[0]!.message).toContain('13:40');
  });

  it('room double-booked', () => {
    const vs = mutate((r) => (r.appointments[4]!.roomId = 'exam-1'));
    expect(brief(vs)).toEqual([]); // 11:50 in exam-1 is free: r1 ends 10:30 (+10), bk-1 at 13:00
    const clash = mutate((r) => Object.assign(r.appointments[4]!, { roomId: 'exam-1', providerId: 'dr-b', ...iv('13:20', '13:40') }));
    expect(brief(clash)).toContainEqual({ constraint: 4, path: '$.appointments[4].roomId' });
  });

  it('staff member in two places', () => {
    const vs = mutate((r) =>
      Object.assign(r.appointments[3]!, iv('10:20', '10:30'), { staff: [{ staffId: 'rn-kim', skill: 'phlebotomy', ...iv('10:20', '10:30') }] }),
    );
    expect(brief(vs)).toContainEqual({ constraint: 4, path: '$.appointments[3].staff[0]' });
  });

  it('equipment units in use at most count minus down', () => {
    const vs = mutate((r) => {
      r.unscheduled = [];
      r.appointments.push(
        appt('r7', 'pt-7', 'injection', 'dr-c', 'proc-2', '10:15', '10:45', {
          equipment: [{ id: 'us', count: 1 }],
          staff: [{ staffId: 'rn-lee', skill: 'procedure-assist', ...iv('10:15', '10:45') }],
        }),
      );
    });
    expect(brief(vs)).toEqual([{ constraint: 4, path: '$.appointments[8].equipment[0]' }]);
    expect(vs[0]!.message).toContain('10:15-10:30');
  });
});

describe('constraint 5: one patient, one place', () => {
  it('overlapping appointments of a patient', () => {
    const vs = mutate((r) =>
      Object.assign(r.appointments[3]!, iv('10:20', '10:30'), { staff: [{ staffId: 'rn-lee', skill: 'phlebotomy', ...iv('10:20', '10:30') }] }),
    );
    expect(brief(vs)).toEqual([{ constraint: 5, path: '$.appointments[3].start' }]);
    expect(vs[0]!.message).toContain("patient 'pt-3'");
  });
});

describe('constraint 6: maxAppointments', () => {
  it('a fourth appointment for dr-a (max 3)', () => {
    const vs = mutate((r) => (r.appointments[6]!.providerId = 'dr-a'));
    expect(brief(vs)).toEqual([{ constraint: 6, path: '$.appointments[6].providerId' }]);
  });

  it('cancelled appointments do not count', () => {
    // appointments[7] is dr-a's cancelled one: dr-a has exactly 3 that hold capacity.
    expect(validateResult(instance, validResult()).violations).toEqual([]);
  });
});

describe('constraint 7: bookings', () => {
  it('a pinned booking keeps its times', () => {
    const vs = mutate((r) => Object.assign(r.appointments[5]!, iv('13:30', '14:00')));
    expect(brief(vs)).toEqual([
      { constraint: 7, path: '$.appointments[5].start' },
      { constraint: 7, path: '$.appointments[5].end' },
    ]);
  });

  it('a pinned booking keeps its room and provider', () => {
    expect(brief(mutate((r) => (r.appointments[5]!.roomId = 'exam-2')))).toEqual([{ constraint: 7, path: '$.appointments[5].roomId' }]);
    expect(brief(mutate((r) => (r.appointments[5]!.providerId = 'dr-b')))).toEqual([{ constraint: 7, path: '$.appointments[5].providerId' }]);
  });

  it('an unpinned booking may move but must stay', () => {
    const vs = mutate((r) => r.appointments.splice(6, 1));
    expect(brief(vs)).toEqual([{ constraint: 7, path: '$.appointments' }]);
  });

  it('a booking cannot be cancelled by the optimizer', () => {
    const vs = mutate((r) => (r.appointments[5]!.status = 'cancelled'));
    expect(brief(vs)).toEqual([{ constraint: 7, path: '$.appointments[5].status' }]);
  });
});

describe('messages in local clinic time', () => {
  it('survive a daylight-saving change (America/Chicago, 2026-03-08 02:00 CST -> 03:00 CDT)', () => {
    const parsed = parseInstance({
      version: 1,
      clinic: { id: 'dst', timezone: 'America/Chicago' },
      horizon: { start: '2026-03-08T00:00:00-06:00', end: '2026-03-08T06:00:00-05:00' },
      providers: [{ id: 'dr-a', specialties: ['fm'], availability: [{ start: '2026-03-08T00:00:00-06:00', end: '2026-03-08T01:00:00-06:00' }] }],
      rooms: [{ id: 'exam-1', capabilities: ['exam'], availability: [{ start: '2026-03-08T00:00:00-06:00', end: '2026-03-08T06:00:00-05:00' }] }],
      services: [{ id: 'visit', minutes: 30, specialty: 'fm', roomCapability: 'exam' }],
      requests: [{ id: 'r1', patientId: 'pt-1', serviceId: 'visit', urgency: 'routine' }],
    });
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
    const report = validateResult(parsed.value, {
      appointments: [appt('r1', 'pt-1', 'visit', 'dr-a', 'exam-1', '', '', { start: '2026-03-08T08:00:00Z', end: '2026-03-08T08:30:00Z' })],
    });
    expect(brief(report.violations)).toEqual([{ constraint: 3, path: '$.appointments[0].providerId' }]);
    expect(report.violations[0]!.message).toContain('not available 03:00-03:30 (available 00:00-01:00)');
    expect(report.score).toBe(10 - 0.25 * 2); // 06:00Z -> 08:00Z is 2 real hours
  });
});
