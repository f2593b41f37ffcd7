// The jobs' pure pieces: job ids read back to what they name (for any clinic id), a plan's diff
// against the schedule, and the worker configuration's checks.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Appointment } from '../src/contract/appointment.js';
import { bookingsJobId, optimizeJobId, parseJobId, replanJobId } from '../src/jobs/jobIds.js';
import { scheduleDiff } from '../src/jobs/scheduleDiff.js';
import { loadWorkerConfig } from '../src/jobs/workerConfig.js';

describe('job ids', () => {
  const date = fc
    .date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2099-12-31T00:00:00Z'), noInvalidDate: true })
    .map((d) => d.toISOString().slice(0, 10));
  it('read back to the clinic and date (and re-plan number) they were made from, whatever the clinic id', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 30 }), date, fc.integer({ min: 1, max: 1e9 }), (clinicId, d, n) => {
        // BullMQ takes a custom id with ':' only when it has exactly three parts.
        for (const id of [optimizeJobId(clinicId, d), replanJobId(clinicId, d, n)]) expect(id.split(':')).toHaveLength(3);
        expect(parseJobId(optimizeJobId(clinicId, d))).toEqual({ queue: 'optimize', clinicId, date: d });
        expect(parseJobId(replanJobId(clinicId, d, n))).toEqual({ queue: 'replan', clinicId, date: d, n });
        expect(parseJobId(bookingsJobId(clinicId, 'b1'))).toEqual({ queue: 'bookings', clinicId, batchId: 'b1' });
      }),
    );
  });
  it('are not confused with anything else', () => {
    for (const id of ['', 'optimize', 'optimize:c1', 'optimize:c1:2026-1-1', 'replan:c1:2026-01-01', 'replan:c1:2026-01-01.0', 'other:c1:2026-01-01', 'optimize:c1:2026-01-01:x', 'optimize:%zz:2026-01-01'])
      expect(parseJobId(id)).toBe(null);
  });
});

describe('scheduleDiff', () => {
  const a = (id: string | undefined, requestId: string, providerId: string, start: string, roomId = 'r1'): Appointment => ({
    ...(id !== undefined ? { id } : {}),
    requestId,
    patientId: `pt-${requestId}`,
    serviceId: 's',
    providerId,
    roomId,
    start: `2026-11-24T${start}:00-06:00`,
    end: `2026-11-24T${start.slice(0, 2)}:59:00-06:00`,
    equipment: [],
    staff: [],
    status: 'booked',
  });
  it('sorts each visit into added, moved, reassigned, unchanged or unscheduled', () => {
    const current = [a('a1', 'q1', 'dr-a', '09:00'), a('a2', 'q2', 'dr-a', '10:00'), a('a3', 'q3', 'dr-b', '11:00'), a('a4', 'q4', 'dr-b', '12:00'), a('a5', 'q5', 'dr-c', '13:00')];
    const proposed = [
      a('a1', 'q1', 'dr-a', '09:00'), // unchanged
      { ...a('a2', 'q2', 'dr-a', '10:00'), start: '2026-11-24T16:00:00Z' }, // the same instant in UTC: unchanged
      a('a3', 'q3', 'dr-b', '14:00'), // moved in time
      a('a4', 'q4', 'dr-c', '12:00'), // another provider
      a(undefined, 'q6', 'dr-c', '15:00'), // new
      a('a5', 'q5', 'dr-c', '13:00', 'r2'), // another room: moved
    ];
    const diff = scheduleDiff(current, proposed, [{ requestId: 'q7', reasons: ['no provider'] }]);
    expect(diff.unchanged.map((e) => e.appointmentId)).toEqual(['a1', 'a2']);
    expect(diff.moved.map((e) => e.appointmentId)).toEqual(['a3', 'a5']);
    expect(diff.reassigned).toEqual([expect.objectContaining({ appointmentId: 'a4', from: expect.objectContaining({ providerId: 'dr-b' }), to: expect.objectContaining({ providerId: 'dr-c' }) })]);
    expect(diff.added).toEqual([expect.objectContaining({ requestId: 'q6', from: null })]);
    expect(diff.unscheduled).toEqual([{ requestId: 'q7', reasons: ['no provider'] }]);
  });
  it('reports a visit the plan leaves out, with the reason the plan gives', () => {
    const diff = scheduleDiff([a('a1', 'q1', 'dr-a', '09:00'), a('a2', 'q2', 'dr-a', '10:00')], [a('a1', 'q1', 'dr-a', '09:00')], [{ requestId: 'q2', reasons: ['bumped'] }]);
    expect(diff.unscheduled).toEqual([{ requestId: 'q2', appointmentId: 'a2', reasons: ['bumped'] }]);
  });
});

describe('worker configuration', () => {
  it('takes defaults, and refuses a solve that could outlast the drain grace', () => {
    const ok = loadWorkerConfig({ MEDSCHED_WORKER_ID: 'w1' });
    expect(ok).toMatchObject({ ok: true, config: { workerId: 'w1', optimizeMs: 60_000, drainGraceMs: 120_000, prefix: 'medsched' } });
    const tight = loadWorkerConfig({ MEDSCHED_OPTIMIZE_SECONDS: '100', MEDSCHED_DRAIN_GRACE_SECONDS: '100' });
    expect(tight).toMatchObject({ ok: false, problems: [{ path: 'MEDSCHED_OPTIMIZE_SECONDS' }] });
    const typo = loadWorkerConfig({ MEDSCHED_LOCK_MS: '5s', REDIS_URL: 'localhost' });
    expect(typo.ok ? [] : typo.problems.map((p) => p.path).sort()).toEqual(['MEDSCHED_LOCK_MS', 'REDIS_URL']);
  });
});
