// Constraint 4 (people and rooms): nobody is in two places at once; rooms get their turnover.
import { MINUTE_MS, toMs } from '../domain/time.js';
import type { Context, Placed } from './context.js';
import { groupBy, overlappingPairs, overlaps } from './intervals.js';

export function checkConflicts(ctx: Context): void {
  checkProviders(ctx);
  checkRooms(ctx);
  checkStaff(ctx);
}

type Use = { start: number; end: number; p: Placed };

function checkProviders(ctx: Context): void {
  const byProvider = groupBy(ctx.placed, (p) => p.appt.providerId);
  for (const [id, placed] of byProvider) {
    const uses: Use[] = placed.map((p) => ({ start: p.start, end: p.end, p }));
    for (const [a, b] of overlappingPairs(uses))
      ctx.report(4, [b.p.index, 'providerId'], `provider '${id}' is booked twice at once: ${ctx.label(a.p)} and ${ctx.label(b.p)}`);
  }
}

/** A room is blocked from an appointment's start until its end plus the service's turnover. */
function checkRooms(ctx: Context): void {
  const byRoom = groupBy(ctx.placed, (p) => p.appt.roomId);
  for (const [id, placed] of byRoom) {
    const blocked: Use[] = placed.map((p) => ({ start: p.start, end: p.end + turnoverMs(p), p }));
    for (const [a, b] of overlappingPairs(blocked)) {
      const path = [b.p.index, 'roomId'];
      if (overlaps(a.p, b.p)) ctx.report(4, path, `room '${id}' is booked twice at once: ${ctx.label(a.p)} and ${ctx.label(b.p)}`);
      else
        ctx.report(
          4,
          path,
          `room '${id}' needs ${turnoverMs(a.p) / MINUTE_MS} min of turnover after ${ctx.label(a.p)}, so it is not free until ${ctx.time(a.end)}, but ${ctx.label(b.p)} starts there at ${ctx.time(b.p.start)}`,
        );
    }
  }
}

function turnoverMs(p: Placed): number {
  return (p.service?.turnoverMinutes ?? 0) * MINUTE_MS;
}

type Task = Use & { k: number; skill: string };

function checkStaff(ctx: Context): void {
  const tasks = ctx.placed.flatMap((p) =>
    p.appt.staff.map((s, k) => ({ staffId: s.staffId, task: { start: toMs(s.start), end: toMs(s.end), p, k, skill: s.skill } })),
  );
  const byStaff = groupBy(tasks, (t) => t.staffId);
  for (const [id, list] of byStaff) {
    const valid: Task[] = list.map((t) => t.task).filter((t) => Number.isFinite(t.start) && Number.isFinite(t.end));
    for (const [a, b] of overlappingPairs(valid))
      ctx.report(
        4,
        [b.p.index, 'staff', b.k],
        `staff member '${id}' is booked twice at once: '${a.skill}' ${ctx.span(a.start, a.end)} for request '${a.p.appt.requestId}' and '${b.skill}' ${ctx.span(b.start, b.end)} for request '${b.p.appt.requestId}'`,
      );
  }
}
