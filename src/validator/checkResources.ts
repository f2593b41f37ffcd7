// Constraint 3: provider, room and staff are available; staff tasks and equipment are exactly the service's.
import { MINUTE_MS, toMs } from '../domain/time.js';
import { count as units, spansOf, type Context, type Placed } from './context.js';
import { uncovered, type Span } from './intervals.js';

export function checkResources(ctx: Context): void {
  for (const p of ctx.placed) {
    checkProviderAvailable(ctx, p);
    checkRoomAvailable(ctx, p);
    checkStaffTasks(ctx, p);
    p.appt.staff.forEach((_, k) => checkStaffEntry(ctx, p, k));
    checkEquipmentList(ctx, p);
  }
}

function describeGaps(ctx: Context, gaps: Span[]): string {
  return gaps.map((g) => ctx.span(g.start, g.end)).join(', ');
}

function describeAvailability(ctx: Context, spans: Span[]): string {
  return spans.length === 0 ? 'no availability at all' : `available ${spans.map((s) => ctx.span(s.start, s.end)).join(', ')}`;
}

function checkProviderAvailable(ctx: Context, p: Placed): void {
  const provider = p.appt.providerId === null ? undefined : ctx.providers.get(p.appt.providerId);
  if (!provider) return; // none needed, or unknown (constraint 1)
  const availability = spansOf(provider.availability);
  const gaps = uncovered(availability, p.start, p.end);
  if (gaps.length > 0)
    ctx.report(
      3,
      [p.index, 'providerId'],
      `${ctx.label(p)}: provider '${provider.id}' is not available ${describeGaps(ctx, gaps)} (${describeAvailability(ctx, availability)})`,
    );
}

function checkRoomAvailable(ctx: Context, p: Placed): void {
  const room = ctx.rooms.get(p.appt.roomId);
  if (!room) return;
  const availability = spansOf(room.availability);
  const gaps = uncovered(availability, p.start, p.end);
  if (gaps.length > 0)
    ctx.report(
      3,
      [p.index, 'roomId'],
      `${ctx.label(p)}: room '${room.id}' is not available ${describeGaps(ctx, gaps)} (${describeAvailability(ctx, availability)})`,
    );
}

type Task = { skill: string; start: number; end: number };

/** Each staff task of the service appears exactly once in `staff`, at start + offsetMinutes. */
function checkStaffTasks(ctx: Context, p: Placed): void {
  if (!p.service) return;
  const tasks: Task[] = p.service.staffTasks.map((t) => ({
    skill: t.skill,
    start: p.start + t.offsetMinutes * MINUTE_MS,
    end: p.start + (t.offsetMinutes + t.minutes) * MINUTE_MS,
  }));
  const entries = p.appt.staff.map((s, k) => ({ ...s, k, startMs: toMs(s.start), endMs: toMs(s.end) }));
  const used = new Set<number>();
  const take = (match: (e: (typeof entries)[number]) => boolean) => {
    const entry = entries.find((e) => !used.has(e.k) && match(e));
    if (entry) used.add(entry.k);
    return entry;
  };

  // Exact matches first, so that a wrong entry is not blamed for a task another entry covers.
  const unmatched = tasks.filter((t) => !take((e) => e.skill === t.skill && e.startMs === t.start && e.endMs === t.end));
  for (const t of unmatched) {
    const entry = take((e) => e.skill === t.skill);
    if (entry)
      ctx.report(
        3,
        [p.index, 'staff', entry.k],
        `${ctx.label(p)}: the '${t.skill}' task must run ${ctx.span(t.start, t.end)} but '${entry.staffId}' is booked for it ${ctx.span(entry.startMs, entry.endMs)}`,
      );
    else
      ctx.report(3, [p.index, 'staff'], `${ctx.label(p)}: nobody is assigned the '${t.skill}' task ${ctx.span(t.start, t.end)} that service '${p.service.id}' needs`);
  }
  for (const e of entries.filter((e) => !used.has(e.k)))
    ctx.report(
      3,
      [p.index, 'staff', e.k],
      `${ctx.label(p)}: '${e.staffId}' is booked for a '${e.skill}' task ${ctx.span(e.startMs, e.endMs)} that service '${p.service.id}' does not have`,
    );
}

/** The staff member exists, has the skill and is available over the task. */
function checkStaffEntry(ctx: Context, p: Placed, k: number): void {
  const entry = p.appt.staff[k]!;
  const path = [p.index, 'staff', k];
  const start = toMs(entry.start);
  const end = toMs(entry.end);
  if (!Number.isFinite(start) || !Number.isFinite(end)) {
    ctx.report(3, path, `${ctx.label(p)}: the '${entry.skill}' task of '${entry.staffId}' has an invalid start or end`);
    return;
  }
  const member = ctx.staff.get(entry.staffId);
  if (!member) {
    ctx.report(3, [...path, 'staffId'], `${ctx.label(p)}: unknown staff member '${entry.staffId}'`);
    return;
  }
  if (!member.skills.includes(entry.skill))
    ctx.report(3, [...path, 'skill'], `${ctx.label(p)}: '${member.id}' does not have the skill '${entry.skill}'`);
  const availability = spansOf(member.availability);
  const gaps = uncovered(availability, start, end);
  if (gaps.length > 0)
    ctx.report(
      3,
      path,
      `${ctx.label(p)}: '${member.id}' is not available ${describeGaps(ctx, gaps)} for the '${entry.skill}' task (${describeAvailability(ctx, availability)})`,
    );
}

/** The appointment lists exactly the service's equipment ids and counts. */
function checkEquipmentList(ctx: Context, p: Placed): void {
  if (!p.service) return;
  const needed = new Map(p.service.equipment.map((e) => [e.id, e.count]));
  const listed = new Set<string>();
  p.appt.equipment.forEach((e, k) => {
    const path = [p.index, 'equipment', k];
    const count = needed.get(e.id);
    if (!ctx.equipment.has(e.id)) ctx.report(3, [...path, 'id'], `${ctx.label(p)}: unknown equipment '${e.id}'`);
    else if (count === undefined)
      ctx.report(3, [...path, 'id'], `${ctx.label(p)} uses '${e.id}', which service '${p.service!.id}' does not need`);
    else if (listed.has(e.id)) ctx.report(3, [...path, 'id'], `${ctx.label(p)} lists '${e.id}' more than once`);
    else if (e.count !== count)
      ctx.report(3, [...path, 'count'], `${ctx.label(p)} uses ${units(e.count, 'unit')} of '${e.id}' but service '${p.service!.id}' needs ${count}`);
    listed.add(e.id);
  });
  for (const [id, count] of needed)
    if (!listed.has(id))
      ctx.report(3, [p.index, 'equipment'], `${ctx.label(p)} does not reserve the ${units(count, 'unit')} of '${id}' that service '${p.service.id}' needs`);
}
