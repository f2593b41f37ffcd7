// Re-plan rules on the appointments themselves: history kept (1), every appointment of the day and
// every new request accounted for (2), nothing moved into the past or ahead of its time (3).
import { holdsCapacity, type Appointment } from '../contract/appointment.js';
import { toMs } from '../domain/time.js';
import { equipmentKey, historyDiffs, isLiveStatus, staffKey } from './matchReplanResult.js';
import type { ReplanContext } from './replanContext.js';

function show(ctx: ReplanContext, a: Appointment, field: keyof Appointment): string {
  if (field === 'start' || field === 'end') return ctx.time(toMs(a[field]));
  if (field === 'staff') return a.staff.length === 0 ? 'no staff' : staffKey(a);
  if (field === 'equipment') return a.equipment.length === 0 ? 'no equipment' : equipmentKey(a);
  return JSON.stringify(a[field] ?? null);
}

/** Rule 1: history is never changed; cancellation and no-show events only change the status. */
export function checkHistory(ctx: ReplanContext): void {
  ctx.day.history.forEach(({ dayIndex, expected }, entry) => {
    const i = ctx.matching.history[entry];
    const planned = ctx.label(expected);
    if (i === undefined) {
      ctx.report('history', ['appointments'], `${planned}, '${expected.status}' (day appointments[${dayIndex}]), is missing from the result; history always stays on the day`);
      return;
    }
    const actual = ctx.result.appointments[i]!;
    for (const field of historyDiffs(expected, actual))
      ctx.report(
        'history',
        ['appointments', i, field],
        `${planned} must appear as history with ${field} ${show(ctx, expected, field)}, but the result has ${show(ctx, actual, field)}`,
      );
  });
}

/** Rule 2: each live appointment once (or bumped), each new request placed or listed, nothing else. */
export function checkCoverage(ctx: ReplanContext): void {
  const { day, matching, result } = ctx;
  const bumped = new Set((result.changes ?? []).filter((c) => c.kind === 'bumped').map((c) => c.requestId));
  const unscheduled = new Set((result.unscheduled ?? []).map((u) => u.requestId));
  const statusOk = (i: number, what: string) => {
    const a = result.appointments[i]!;
    if (!isLiveStatus(a))
      ctx.report('coverage', ['appointments', i, 'status'], `${what} ${ctx.label(a)} has not started, so its status must be booked or checked-in, not '${a.status}'`);
  };

  day.live.forEach((l, entry) => {
    const i = matching.live[entry];
    if (i !== undefined) return statusOk(i, 'appointment');
    const a = l.planned;
    // An emergency is never bumped while it fits anywhere; one that fits nowhere any more is bumped and
    // listed in unscheduled with the reasons (as a new emergency that fits nowhere is).
    if (l.urgency === 'emergency') {
      if (!bumped.has(a.requestId) || !unscheduled.has(a.requestId))
        ctx.report('coverage', ['appointments'], `${ctx.label(a)} is missing: it is an emergency, never bumped unless it fits nowhere, and then it is both 'bumped' in changes and listed in unscheduled with the reasons`);
    }
    else if (!bumped.has(a.requestId))
      ctx.report('coverage', ['appointments'], `${ctx.label(a)} is missing from the result and changes has no 'bumped' entry for it`);
  });

  day.fresh.forEach((q, entry) => {
    const i = matching.fresh[entry];
    if (i !== undefined) return statusOk(i, 'new');
    const r = q.request;
    const excused = unscheduled.has(r.id) || (r.urgency !== 'emergency' && bumped.has(r.id));
    if (!excused)
      ctx.report('coverage', ['appointments'], `new ${r.urgency} request '${r.id}' (events[${q.eventIndex}]) is neither placed nor listed in unscheduled`);
  });

  matching.roles.forEach((role, i) => {
    const a = result.appointments[i]!;
    if (role.kind === 'duplicate')
      ctx.report('coverage', ['appointments', i, 'requestId'], `${ctx.label(a)} appears again: request '${a.requestId}' is already at appointments[${role.first}]`);
    else if (role.kind === 'extra')
      ctx.report('coverage', ['appointments', i], `${ctx.label(a)} is neither an appointment of the day nor a new request of the events`);
  });
}

/** Rule 3: nothing starts before now; a kept appointment not before its planned start; a new request not before its earliest start. */
export function checkNotBeforeNow(ctx: ReplanContext): void {
  const { day, matching, result } = ctx;
  matching.roles.forEach((role, i) => {
    const a = result.appointments[i]!;
    if (role.kind === 'history' || !holdsCapacity(a.status)) return;
    const start = toMs(a.start);
    const path = ['appointments', i, 'start'];
    if (start < day.now) {
      ctx.report('not-before-now', path, `${ctx.label(a)} starts before now (${ctx.time(day.now)})`);
      return;
    }
    if (role.kind === 'live') {
      const l = day.live[role.entry]!;
      const mayBeEarlier = l.planned.status === 'checked-in' || l.planned.earlierOk === true;
      if (start < l.plannedStart && !mayBeEarlier)
        ctx.report(
          'not-before-now',
          path,
          `${ctx.label(a)} starts before its planned start ${ctx.time(l.plannedStart)}; only a checked-in patient or one with earlierOk may be seen earlier`,
        );
    } else if (role.kind === 'new') {
      const q = day.fresh[role.entry]!;
      if (start < q.earliestStart)
        ctx.report('not-before-now', path, `${ctx.label(a)} starts before the request's earliest start ${ctx.time(q.earliestStart)}`);
    }
  });
}
