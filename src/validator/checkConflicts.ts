// Constraint 4 (people and rooms): nobody is in two places at once; rooms get their turnover.
import { limitThousandths, MAX_AT_ONCE, visitLoadThousandths, type Overbooking } from '../contract/overbooking.js';
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
  const overbooking = ctx.instance.overbooking;
  const probability = new Map(ctx.instance.requests.map((r) => [r.id, r.noShowProbability]));
  for (const [id, placed] of byProvider) {
    const uses: Use[] = placed.map((p) => ({ start: p.start, end: p.end, p }));
    if (overbooking) checkOverbooked(ctx, id, uses, overbooking, probability);
    else
      for (const [a, b] of overlappingPairs(uses))
        ctx.report(4, [b.p.index, 'providerId'], `provider '${id}' is booked twice at once: ${ctx.label(a.p)} and ${ctx.label(b.p)}`);
  }
}

/**
 * Overbooking (extension): at every moment at most two visits at once, whose expected loads (1 less the
 * request's no-show probability, in thousandths; 1 once the patient has checked in) add up to at most the limit. The most visits at once
 * are reached where one starts, so checking at each start covers every moment.
 */
function checkOverbooked(ctx: Context, id: string, uses: Use[], overbooking: Overbooking, probability: ReadonlyMap<string, number | undefined>): void {
  const load = (u: Use) => visitLoadThousandths(u.p.appt.status, probability.get(u.p.appt.requestId));
  const limit = limitThousandths(overbooking);
  const sorted = uses.filter((u) => u.end > u.start).sort((a, b) => a.start - b.start || a.p.index - b.p.index);
  let active: Use[] = [];
  for (const u of sorted) {
    active = [...active.filter((a) => a.end > u.start), u];
    if (active.length === 1) continue;
    const others = active.slice(0, -1).map((a) => ctx.label(a.p)).join(' and ');
    const total = active.reduce((sum, a) => sum + load(a), 0);
    if (active.length > MAX_AT_ONCE)
      ctx.report(4, [u.p.index, 'providerId'], `provider '${id}' has ${active.length} visits at once (overbooking allows at most ${MAX_AT_ONCE}): ${ctx.label(u.p)} overlaps ${others}`);
    else if (total > limit)
      ctx.report(
        4,
        [u.p.index, 'providerId'],
        `provider '${id}' is overbooked beyond the limit: ${ctx.label(u.p)} overlaps ${others}, an expected load of ${(total / 1000).toFixed(3)} (1 less each patient's no-show probability) over the allowed ${(limit / 1000).toFixed(3)}`,
      );
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
