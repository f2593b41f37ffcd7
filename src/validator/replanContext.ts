// What every re-plan check reads: the instance, the expectations, the result and how they match.
import type { Appointment } from '../contract/appointment.js';
import type { Instance } from '../contract/instance.js';
import { jsonPath } from '../contract/parse.js';
import type { Change } from '../contract/replan.js';
import { formatInZone, toMs } from '../domain/time.js';
import { matchResult, type Matching } from './matchReplanResult.js';
import type { DayExpectations } from './replanExpectations.js';

export type ReplanRule = 'history' | 'coverage' | 'not-before-now' | 'hard-constraint' | 'overtime' | 'changes';

export type ReplanViolation = { rule: string; path: string; message: string };

export type ReplanResultLike = { appointments: Appointment[]; changes?: Change[]; unscheduled?: { requestId: string }[] };

export type ReplanContext = {
  instance: Instance;
  day: DayExpectations;
  result: ReplanResultLike;
  matching: Matching;
  /** Path relative to the result: ['appointments', 3, 'start'] -> $.appointments[3].start. */
  report(rule: ReplanRule, path: (string | number)[], message: string): void;
  /** Local clinic time, "10:40" (with the date when it is not the horizon's first day). */
  time(ms: number): string;
  /** "request 'r3' (10:30-11:00 with 'dr-a' in 'exam-1')". */
  label(a: Appointment): string;
};

export function buildReplanContext(
  instance: Instance,
  day: DayExpectations,
  result: ReplanResultLike,
  violations: ReplanViolation[],
): ReplanContext {
  const zone = instance.clinic.timezone;
  const firstDay = formatInZone(toMs(instance.horizon.start), zone).slice(0, 10);
  const time = (ms: number) => {
    if (!Number.isFinite(ms)) return '(invalid time)';
    const iso = formatInZone(ms, zone);
    return iso.slice(0, 10) === firstDay ? iso.slice(11, 16) : `${iso.slice(0, 10)} ${iso.slice(11, 16)}`;
  };
  return {
    instance,
    day,
    result,
    matching: matchResult(day, result.appointments),
    report: (rule, path, message) => violations.push({ rule, path: jsonPath(path), message }),
    time,
    label: (a) => {
      const who = a.providerId === null ? '' : ` with '${a.providerId}'`;
      return `request '${a.requestId}' (${time(toMs(a.start))}-${time(toMs(a.end))}${who} in '${a.roomId}')`;
    },
  };
}
