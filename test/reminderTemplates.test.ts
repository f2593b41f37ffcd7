// Reminders' words: English and Spanish, the date and time written the local way in the clinic's zone,
// across a daylight-saving change (America/Chicago falls back on 2026-11-01 at 02:00 CDT → 01:00 CST):
// a reminder written before the change for a visit after it says the visit's own local time, never the
// time at the sender's offset. Checked against the platform's own Intl formatting (not date-fns) too,
// and the times reminders fall due around the change.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { offsetKey } from '../src/contract/reminderSettings.js';
import { localWhen, renderReminder, type ReminderFacts } from '../src/reminders/reminderMessage.js';
import { plannedReminders } from '../src/reminders/reminderPlan.js';

const ZONE = 'America/Chicago';
const LINKS = { confirm: 'https://sched.example.org/r/TOKEN/confirm', cancel: 'https://sched.example.org/r/TOKEN/cancel' };

const facts = (over: Partial<ReminderFacts>): ReminderFacts => ({
  language: 'en',
  channel: 'email',
  patientName: 'Ana Torres',
  clinicName: 'Lakeshore Community Health',
  serviceName: 'Blood draw',
  providerName: 'Dr. Sami Haddad',
  startMs: Date.parse('2026-11-02T09:00:00-06:00'),
  timeZone: ZONE,
  links: LINKS,
  ...over,
});

/** The local hour and minute (and AM/PM) by the platform's Intl (an independent check of date-fns + @date-fns/tz). */
function intlClock(ms: number, language: 'en' | 'es'): string {
  const parts = new Intl.DateTimeFormat('en-US', { timeZone: ZONE, hour: 'numeric', minute: '2-digit', hourCycle: language === 'en' ? 'h12' : 'h23' }).formatToParts(ms);
  const part = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  return `${Number(part('hour'))}:${part('minute')}${language === 'en' ? ` ${part('dayPeriod')}` : ''}`;
}

describe('reminder messages across the fall-back change in Chicago', () => {
  it('English: a visit the day after the change, its reminder written before it, says 9:00 AM (CST), not 10:00', () => {
    // Written on 2026-10-30 at 10:00 CDT (UTC-5); the visit is at 09:00 CST (UTC-6), 15:00 UTC.
    const message = renderReminder(facts({}));
    expect(message.subject).toBe('Reminder: your appointment on Monday, November 2, 2026 at 9:00 AM');
    expect(message.text).toContain('This is a reminder of your Blood draw appointment at Lakeshore Community Health on Monday, November 2, 2026 at 9:00 AM with Dr. Sami Haddad.');
    expect(message.text).toContain(`To confirm that you will come: ${LINKS.confirm}`);
    expect(message.text).toContain(`To cancel the appointment: ${LINKS.cancel}`);
    expect(message.text).toMatch(/^Hello Ana Torres,\n/);
    expect(message.text).not.toMatch(/10:00/);
  });

  it('Spanish: the same visit reads "lunes 2 de noviembre de 2026 a las 9:00"', () => {
    const message = renderReminder(facts({ language: 'es' }));
    expect(message.subject).toBe('Recordatorio: su cita del lunes 2 de noviembre de 2026 a las 9:00');
    expect(message.text).toContain('Le recordamos su cita de Blood draw en Lakeshore Community Health el lunes 2 de noviembre de 2026 a las 9:00 con Dr. Sami Haddad.');
    expect(message.text).toContain(`Para confirmar su asistencia: ${LINKS.confirm}`);
    expect(message.text).toContain(`Para cancelar la cita: ${LINKS.cancel}`);
    expect(message.text).toMatch(/^Hola, Ana Torres:\n/);
  });

  it('on the day of the change itself: before 02:00 CDT and after 01:00 CST, each at its own offset', () => {
    // 01:30 happens twice on 2026-11-01: first at UTC-5 (06:30Z), then at UTC-6 (07:30Z).
    const firstHalfPast = Date.parse('2026-11-01T01:30:00-05:00');
    const secondHalfPast = Date.parse('2026-11-01T01:30:00-06:00');
    expect(localWhen(firstHalfPast, ZONE, 'en')).toEqual({ date: 'Sunday, November 1, 2026', time: '1:30 AM' });
    expect(localWhen(secondHalfPast, ZONE, 'en')).toEqual({ date: 'Sunday, November 1, 2026', time: '1:30 AM' });
    // A morning visit that day (after the change), and an afternoon visit the day before (still CDT).
    expect(localWhen(Date.parse('2026-11-01T15:00:00Z'), ZONE, 'en')).toEqual({ date: 'Sunday, November 1, 2026', time: '9:00 AM' });
    expect(localWhen(Date.parse('2026-11-01T15:00:00Z'), ZONE, 'es')).toEqual({ date: 'domingo 1 de noviembre de 2026', time: '9:00' });
    expect(localWhen(Date.parse('2026-10-31T21:30:00Z'), ZONE, 'en')).toEqual({ date: 'Saturday, October 31, 2026', time: '4:30 PM' });
    expect(localWhen(Date.parse('2026-10-31T21:30:00Z'), ZONE, 'es')).toEqual({ date: 'sábado 31 de octubre de 2026', time: '16:30' });
  });

  it('writes every time of the fortnight around the change as the platform\'s Intl does, in both languages', () => {
    const from = Date.parse('2026-10-25T00:00:00Z');
    const quarterHours = (14 * 24 * 60) / 15;
    fc.assert(
      fc.property(fc.integer({ min: 0, max: quarterHours }), fc.constantFrom<'en' | 'es'>('en', 'es'), (q, language) => {
        const ms = from + q * 15 * 60_000;
        const { time } = localWhen(ms, ZONE, language);
        expect(time).toBe(intlClock(ms, language));
        const message = renderReminder(facts({ startMs: ms, language }));
        expect(message.subject).toContain(time);
      }),
      { numRuns: 300 },
    );
  });

  it('SMS carries the time and the links; a call and a postcard carry the time and no links', () => {
    const sms = renderReminder(facts({ channel: 'sms' }));
    expect(sms.text).toBe(
      `Lakeshore Community Health: reminder of your appointment on Monday, November 2, 2026 at 9:00 AM.\nTo confirm that you will come: ${LINKS.confirm}\nTo cancel the appointment: ${LINKS.cancel}`,
    );
    const call = renderReminder(facts({ channel: 'voice', language: 'es', links: null }));
    expect(call.text).toBe(
      'Hola, Ana Torres. Le llamamos de Lakeshore Community Health para recordarle su cita de Blood draw el lunes 2 de noviembre de 2026 a las 9:00. Si no puede venir, llame a la clínica.',
    );
    const card = renderReminder(facts({ channel: 'postcard', links: null }));
    expect(card.text).toContain('on Monday, November 2, 2026 at 9:00 AM');
    expect(card.text).not.toMatch(/https?:/);
  });
});

describe('when reminders fall due around the change', () => {
  const appointment = { id: 'a7', status: 'booked', start: '2026-11-02T09:00:00-06:00' };
  const offsets = [
    { channel: 'email' as const, minutesBefore: 72 * 60 },
    { channel: 'email' as const, minutesBefore: 24 * 60 },
    { channel: 'sms' as const, minutesBefore: 120 },
    { channel: 'postcard' as const, minutesBefore: 7 * 24 * 60 },
  ];
  const start = Date.parse(appointment.start);

  it('an offset is that many real hours before the start (72 h before 09:00 CST is 10:00 CDT); a postcard is due from the local midnight of its day', () => {
    const now = Date.parse('2026-10-20T12:00:00-05:00');
    const planned = plannedReminders('lake', appointment, offsets, ZONE, now);
    expect(planned.map((p) => p.key)).toEqual(['email-259200s', 'email-86400s', 'sms-7200s', 'postcard-604800s']);
    expect(planned.map((p) => p.dueMs)).toEqual([
      Date.parse('2026-10-30T10:00:00-05:00'),
      Date.parse('2026-11-01T09:00:00-06:00'),
      Date.parse('2026-11-02T07:00:00-06:00'),
      // 7 × 24 h before is 2026-10-26 10:00 CDT: printed from that day's midnight.
      Date.parse('2026-10-26T00:00:00-05:00'),
    ]);
    expect(planned.every((p) => p.dueMs === start - p.offset.minutesBefore * 60_000 || p.offset.channel === 'postcard')).toBe(true);
    expect(planned[0]!.jobId).toBe(`reminder:lake:a7|${offsetKey(offsets[0]!)}|${start}`);
  });

  it('leaves out what is past (but a moment ago), and everything of an appointment that is not booked or is a hold', () => {
    const late = Date.parse('2026-11-01T09:10:00-06:00'); // the 24 h reminder fell due 10 minutes ago
    expect(plannedReminders('lake', appointment, offsets, ZONE, late).map((p) => p.key)).toEqual(['email-86400s', 'sms-7200s']);
    const later = Date.parse('2026-11-01T09:20:00-06:00');
    expect(plannedReminders('lake', appointment, offsets, ZONE, later).map((p) => p.key)).toEqual(['sms-7200s']);
    const now = Date.parse('2026-10-20T12:00:00-05:00');
    expect(plannedReminders('lake', { ...appointment, status: 'cancelled' }, offsets, ZONE, now)).toEqual([]);
    expect(plannedReminders('lake', { ...appointment, status: 'checked-in' }, offsets, ZONE, now)).toEqual([]);
    expect(plannedReminders('lake', { ...appointment, hold: { expiresAt: 'x', caller: 'y' } }, offsets, ZONE, now)).toEqual([]);
  });
});
