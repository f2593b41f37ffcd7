// Which reminders an appointment should have right now, and when each falls due (pure: the clock is given).
import { offsetKey, type ReminderOffset } from '../contract/reminderSettings.js';
import { dayBounds, localDateOf } from '../booking/dayGrid.js';
import { reminderJobId } from './reminderJobs.js';

export type PlannedReminder = {
  offset: ReminderOffset;
  /** The offset's stable name (`email-86400s`). */
  key: string;
  /** When it is to go out (epoch ms); a postcard's is the clinic-local midnight of the day it is printed. */
  dueMs: number;
  jobId: string;
};

/**
 * A reminder that fell due a moment ago (an appointment booked 71 h 55 min ahead, a worker that was away)
 * still goes out; one further in the past is no reminder any more and is left out.
 */
export const LATE_GRACE_MS = 15 * 60_000;

type Remindable = { id: string; status: string; start: string; hold?: unknown };

/** Only a booked appointment (not a hold, not checked in, cancelled or done) that lies ahead is reminded of. */
export function plannedReminders(clinicId: string, appointment: Remindable, offsets: readonly ReminderOffset[], timeZone: string, nowMs: number): PlannedReminder[] {
  if (appointment.hold !== undefined || appointment.status !== 'booked') return [];
  const startMs = Date.parse(appointment.start);
  if (!(startMs > nowMs)) return [];
  const planned: PlannedReminder[] = [];
  for (const offset of offsets) {
    const key = offsetKey(offset);
    const sendAt = startMs - Math.round(offset.minutesBefore * 60) * 1000;
    let dueMs = sendAt;
    let lateUntil = sendAt + LATE_GRACE_MS;
    if (offset.channel === 'postcard') {
      // Postcards are printed by the day: listed from the start of the day they fall on, to its end.
      const day = dayBounds(localDateOf(sendAt, timeZone), timeZone);
      dueMs = day.start;
      lateUntil = day.end;
    }
    if (nowMs >= lateUntil) continue;
    planned.push({ offset, key, dueMs, jobId: reminderJobId(clinicId, appointment.id, key, startMs) });
  }
  return planned;
}
