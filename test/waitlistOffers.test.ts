// The pure part of the waitlist: which waiting requests a freed place fits (the freed provider, room,
// staff and equipment can serve the service inside the freed time, inside the request's and the
// patient's window, earlier than the place they have, prior authorisation approved) and in which
// order (first-come, or by urgency). Also the late-cancellation policy and the authorisation check.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Appointment } from '../src/contract/appointment.js';
import { ClinicSetup } from '../src/contract/clinicSetup.js';
import type { Request } from '../src/contract/instance.js';
import type { WaitlistEntry } from '../src/contract/waitlist.js';
import { authorizationRefusal, clearedForBooking } from '../src/booking/authorizationCheck.js';
import { billingRecordsOfReplan, lateCancelPolicies, lateCancelPolicy } from '../src/booking/lateCancelPolicy.js';
import { waitlistOrder, type WaitingCandidate } from '../src/booking/waitlistOffers.js';
import { toMs } from '../src/domain/time.js';
import { at, serviceClinic } from './support/serviceClinic.js';

const base = serviceClinic('wl', 3);
const setup = ClinicSetup.parse({
  ...base,
  clinic: { ...base.clinic, lateCancelHours: 24, lateCancelFee: 40 },
  providers: [...base.providers, { id: 'dr-card', specialties: ['cardio'], availability: base.providers[0]!.availability }],
  services: [
    ...base.services,
    { id: 'long-visit', minutes: 60, specialty: 'gp', roomCapability: 'exam' },
    { id: 'mri', minutes: 30, specialty: 'gp', roomCapability: 'exam', requiresAuthorization: true, lateCancelHours: 48, lateCancelFee: 300 },
    { id: 'echo', minutes: 30, specialty: 'cardio', roomCapability: 'exam', lateCancelFee: 90 },
  ],
});
const NOW = toMs(at('07:00'));

/** The visit dr-0 had in room-0 at 10:00-10:30 (cancelled by p-gone). */
const freedVisit: Appointment & { id: string } = {
  id: 'a1', requestId: 'r-gone', patientId: 'p-gone', serviceId: 'visit', providerId: 'dr-0', roomId: 'room-0',
  start: at('10:00'), end: at('10:30'), equipment: [], staff: [], status: 'cancelled',
};
const freed = (appointment = freedVisit, passedBy: string[] = []) => ({ appointment, passedBy });

let joined = 0;
function candidate(id: string, request: Partial<Request> = {}, entry: Partial<WaitlistEntry> = {}, currentStart: string | null = null): WaitingCandidate {
  const req: Request = { id: `r-${id}`, patientId: `p-${id}`, serviceId: 'visit', urgency: 'routine', preferredProviderIds: [], ...request };
  return {
    entry: { id, requestId: req.id, patientId: req.patientId, joinedAt: new Date(Date.UTC(2030, 0, 1, 0, joined++)).toISOString(), by: 'desk', ...entry },
    request: req,
    currentStartMs: currentStart === null ? null : toMs(currentStart),
  };
}
const FIRST_COME = { order: 'first-come', offerMinutes: 30 } as const;
const BY_URGENCY = { order: 'urgency', offerMinutes: 30 } as const;
const ids = (fits: { entryId: string }[]) => fits.map((f) => f.entryId);

describe('which waiting requests a freed place fits', () => {
  it('places a fitting request at the freed start with its own length, provider and room of the freed visit', () => {
    const fits = waitlistOrder(setup, freed(), [candidate('w1', { minutes: 15 })], FIRST_COME, NOW);
    expect(fits).toEqual([
      {
        entryId: 'w1',
        appointment: {
          requestId: 'r-w1', patientId: 'p-w1', serviceId: 'visit', providerId: 'dr-0', roomId: 'room-0',
          start: at('10:00'), end: at('10:15'), equipment: [], staff: [], status: 'booked',
        },
      },
    ]);
  });

  it('leaves out what the freed place cannot serve: too long, another provider named, another specialty, staff or equipment it did not have', () => {
    const fits = waitlistOrder(
      setup,
      freed(),
      [
        candidate('too-long', { serviceId: 'long-visit' }),
        candidate('other-dr', { providerId: 'dr-1' }),
        candidate('same-dr', { providerId: 'dr-0' }),
        candidate('cardio', { serviceId: 'echo' }),
        candidate('needs-draw-staff', { serviceId: 'draw' }),
        candidate('needs-ecg', { serviceId: 'ecg-visit' }),
      ],
      FIRST_COME,
      NOW,
    );
    expect(ids(fits)).toEqual(['same-dr']);
  });

  it('reuses the freed staff member for a task of the same skill inside the time they were freed for', () => {
    const draw: Appointment & { id: string } = {
      ...freedVisit, serviceId: 'draw', providerId: null, end: at('10:15'),
      staff: [{ staffId: 'st-2', skill: 'phlebotomy', start: at('10:00'), end: at('10:15') }],
    };
    const fits = waitlistOrder(setup, freed(draw), [candidate('blood', { serviceId: 'draw' }), candidate('gp', { serviceId: 'visit' })], FIRST_COME, NOW);
    expect(ids(fits)).toEqual(['blood']);
    expect(fits[0]!.appointment).toMatchObject({ providerId: null, staff: [{ staffId: 'st-2', skill: 'phlebotomy', start: at('10:00'), end: at('10:15') }] });
  });

  it("keeps to the request's window, the patient's window, and to earlier than the place the patient has", () => {
    const fits = waitlistOrder(
      setup,
      freed(),
      [
        candidate('req-too-late', { earliestStart: at('10:30') }),
        candidate('req-ok', { earliestStart: at('09:00'), latestEnd: at('12:00') }),
        candidate('patient-too-early', {}, { latestEnd: at('10:15') }),
        candidate('patient-ok', {}, { earliestStart: at('10:00'), latestEnd: at('10:30') }),
        candidate('has-earlier', {}, { appointmentId: 'a9' }, at('09:00')),
        candidate('has-same', {}, { appointmentId: 'a9' }, at('10:00')),
        candidate('has-later', {}, { appointmentId: 'a9' }, at('15:00')),
      ],
      FIRST_COME,
      NOW,
    );
    expect(ids(fits)).toEqual(['req-ok', 'patient-ok', 'has-later']);
  });

  it('offers nothing to whoever holds an offer, passed on this place, or freed it, and nothing once the place has started', () => {
    const offer = { holdId: 'a7', slotId: 's', providerId: 'dr-1', roomId: 'room-1', start: at('11:00'), end: at('11:30'), offeredAt: at('07:00'), expiresAt: at('07:30') };
    const all = [
      candidate('offered', {}, { offer }),
      candidate('declined'),
      candidate('freer', { patientId: 'p-gone' }),
      candidate('waiting'),
    ];
    expect(ids(waitlistOrder(setup, freed(freedVisit, ['declined']), all, FIRST_COME, NOW))).toEqual(['waiting']);
    expect(waitlistOrder(setup, freed(), all, FIRST_COME, toMs(at('10:00')))).toEqual([]);
  });

  it('asks for an approved prior authorisation that still covers the visit when the service requires one', () => {
    const freedMri = { ...freedVisit, serviceId: 'mri' };
    const fits = waitlistOrder(
      setup,
      freed(freedMri),
      [
        candidate('none', { serviceId: 'mri' }),
        candidate('pending', { serviceId: 'mri', authorization: { status: 'pending' } }),
        candidate('denied', { serviceId: 'mri', authorization: { status: 'denied', number: 'X1' } }),
        candidate('lapsed', { serviceId: 'mri', authorization: { status: 'approved', number: 'X2', expiresAt: at('10:00') } }),
        candidate('approved', { serviceId: 'mri', authorization: { status: 'approved', number: 'X3', expiresAt: at('12:00') } }),
      ],
      FIRST_COME,
      NOW,
    );
    expect(ids(fits)).toEqual(['approved']);
  });
});

describe('in which order', () => {
  it('first-come: who joined first; by urgency: emergency, urgent, routine, then who joined first', () => {
    const list = [candidate('routine-1'), candidate('urgent-1', { urgency: 'urgent' }), candidate('routine-2'), candidate('emergency-1', { urgency: 'emergency' }), candidate('urgent-2', { urgency: 'urgent' })];
    expect(ids(waitlistOrder(setup, freed(), list, FIRST_COME, NOW))).toEqual(['routine-1', 'urgent-1', 'routine-2', 'emergency-1', 'urgent-2']);
    expect(ids(waitlistOrder(setup, freed(), list, BY_URGENCY, NOW))).toEqual(['emergency-1', 'urgent-1', 'urgent-2', 'routine-1', 'routine-2']);
  });

  it('property: the order is the fitting entries sorted by the policy, whatever order they come in', () => {
    const urgencies = ['emergency', 'urgent', 'routine'] as const;
    const rank = { emergency: 0, urgent: 1, routine: 2 };
    fc.assert(
      fc.property(
        fc.array(fc.record({ minute: fc.integer({ min: 0, max: 50 }), urgency: fc.constantFrom(...urgencies), minutes: fc.constantFrom(15, 30, 45) }), { maxLength: 12 }),
        fc.boolean(),
        (specs, byUrgency) => {
          const list = specs.map((s, i) => ({
            ...candidate(`e${i}`, { urgency: s.urgency, minutes: s.minutes }),
            entry: { id: `e${i}`, requestId: `r-e${i}`, patientId: `p-e${i}`, by: 'desk', joinedAt: new Date(Date.UTC(2030, 0, 1, 0, s.minute)).toISOString() },
          }));
          const fits = waitlistOrder(setup, freed(), list, byUrgency ? BY_URGENCY : FIRST_COME, NOW);
          const expected = list
            .filter((c) => (c.request.minutes ?? 30) <= 30)
            .sort((a, b) => (byUrgency ? rank[a.request.urgency] - rank[b.request.urgency] : 0) || toMs(a.entry.joinedAt) - toMs(b.entry.joinedAt) || (a.entry.id < b.entry.id ? -1 : 1));
          expect(ids(fits)).toEqual(expected.map((c) => c.entry.id));
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('the late-cancellation policy', () => {
  it("takes the service's window, else the clinic's, and the service's fee, else the clinic's; no window, no policy", () => {
    expect(lateCancelPolicy(setup, 'mri')).toEqual({ windowHours: 48, fee: 300, windowFrom: 'service', feeFrom: 'service' });
    expect(lateCancelPolicy(setup, 'visit')).toEqual({ windowHours: 24, fee: 40, windowFrom: 'clinic', feeFrom: 'clinic' });
    expect(lateCancelPolicy(setup, 'echo')).toEqual({ windowHours: 24, fee: 90, windowFrom: 'clinic', feeFrom: 'service' });
    const bare = { clinic: { ...setup.clinic, lateCancelHours: undefined, lateCancelFee: undefined }, services: setup.services };
    expect(lateCancelPolicy(bare, 'visit')).toBeNull();
    expect(lateCancelPolicy(bare, 'mri')).toEqual({ windowHours: 48, fee: 300, windowFrom: 'service', feeFrom: 'service' });
    expect(lateCancelPolicy({ ...bare, services: [{ ...setup.services[0]!, lateCancelHours: 2 }] }, 'visit')).toEqual({ windowHours: 2, fee: null, windowFrom: 'service', feeFrom: null });
    expect(Object.keys(lateCancelPolicies(bare))).toEqual(['mri']);
  });

  it("turns a re-plan's flags into billing records for the appointments the plan ends, when and by whom", () => {
    const flag = { appointmentId: 'a1', requestId: 'r-gone', patientId: 'p-gone', serviceId: 'visit', cancelledAt: '2030-01-15T14:00:00Z', start: at('10:00'), hoursBefore: 2, windowHours: 24, fee: 40, reason: 'cancelled 2 h before the appointment, inside the 24 h late-cancellation window' };
    const records = billingRecordsOfReplan(setup, '2030-01-15', [flag, { ...flag, appointmentId: 'a-not-ended' }], [freedVisit], 'charge-nurse');
    expect(records).toEqual([
      {
        appointmentId: 'a1', requestId: 'r-gone', patientId: 'p-gone', serviceId: 'visit', providerId: 'dr-0', roomId: 'room-0', date: '2030-01-15',
        start: at('10:00'), end: at('10:30'), kind: 'late-cancellation', at: '2030-01-15T08:00:00-06:00', hoursBefore: 2, windowHours: 24, fee: 40,
        policy: { windowFrom: 'clinic', feeFrom: 'clinic' }, by: 'charge-nurse', reason: flag.reason, source: 'replan',
      },
    ]);
    expect(billingRecordsOfReplan(setup, '2030-01-15', [{ ...flag, reason: 'no-show' }], [freedVisit], 'x')[0]!.kind).toBe('no-show');
  });
});

describe('prior authorisation', () => {
  it('refuses with the reason until approved and in date; a service that requires none is never held up', () => {
    const mri = (authorization?: Request['authorization']) => ({ id: 'r1', serviceId: 'mri', ...(authorization ? { authorization } : {}) });
    expect(authorizationRefusal(setup, mri(), null)).toMatch(/service 'mri' requires prior authorisation and request 'r1' carries none/);
    expect(authorizationRefusal(setup, mri({ status: 'pending', number: 'PA-1' }), null)).toMatch(/authorisation of request 'r1' \(number PA-1\) is pending, not approved/);
    expect(authorizationRefusal(setup, mri({ status: 'denied' }), null)).toMatch(/is denied/);
    expect(authorizationRefusal(setup, mri({ status: 'approved', number: 'PA-2' }), toMs(at('10:00')))).toBeNull();
    expect(authorizationRefusal(setup, mri({ status: 'approved', expiresAt: at('09:00') }), toMs(at('10:00')))).toMatch(/runs out at/);
    expect(authorizationRefusal(setup, { id: 'r2', serviceId: 'visit' }, null)).toBeNull();
    const split = clearedForBooking(setup, [mri({ status: 'pending' }), { id: 'r2', serviceId: 'visit' }, { ...mri({ status: 'approved' }), id: 'r3' }]);
    expect(split.cleared.map((r) => r.id)).toEqual(['r2', 'r3']);
    expect(split.held).toEqual([{ requestId: 'r1', reasons: [expect.stringMatching(/^not placed: service 'mri' requires prior authorisation.*pending/)] }]);
  });
});
