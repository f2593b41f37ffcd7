// Equipment capacity over time. Constraint 3: no unit is used while down. Constraint 4: at every
// instant the units in use are at most count minus the units down.
import type { Equipment } from '../contract/instance.js';
import { toMs } from '../domain/time.js';
import { count, type Context, type Placed } from './context.js';
import { groupBy } from './intervals.js';

type Use = { p: Placed; k: number; count: number; start: number; end: number };

/** A stretch of time during which an item is over capacity, for the same reason throughout. */
type Overload = { key: string; constraint: 3 | 4; start: number; end: number; uses: Use[]; available: number; down: number };

export function checkEquipment(ctx: Context): void {
  const uses = ctx.placed.flatMap((p) =>
    p.appt.equipment.map((e, k) => ({ id: e.id, use: { p, k, count: e.count, start: p.start, end: p.end } })),
  );
  for (const [id, list] of groupBy(uses, (u) => u.id)) {
    const item = ctx.equipment.get(id);
    if (item) checkItem(ctx, item, list.map((u) => u.use)); // unknown ids are reported under constraint 3
  }
}

function checkItem(ctx: Context, item: Equipment, uses: Use[]): void {
  for (const o of mergeAdjacent(overloads(item, uses))) report(ctx, item, o);
}

/** Sweep the elementary segments between all use and downtime boundaries. */
function overloads(item: Equipment, uses: Use[]): Overload[] {
  // Downtime without `units` takes every unit down.
  const downs = item.downtime.map((d) => ({ start: toMs(d.start), end: toMs(d.end), units: d.units ?? item.count }));
  const valid = uses.filter((u) => u.end > u.start);
  const cuts = [...new Set([...valid, ...downs].flatMap((s) => [s.start, s.end]))].sort((a, b) => a - b);
  const found: Overload[] = [];
  for (let i = 0; i + 1 < cuts.length; i++) {
    const start = cuts[i]!;
    const end = cuts[i + 1]!;
    const inUse = valid.filter((u) => u.start <= start && end <= u.end);
    if (inUse.length === 0) continue;
    const downUnits = downs.filter((d) => d.start <= start && end <= d.end).reduce((n, d) => n + d.units, 0);
    const down = Math.min(item.count, downUnits);
    const available = item.count - down;
    const total = inUse.reduce((n, u) => n + u.count, 0);
    if (total <= available) continue;
    // A use that alone exceeds what is left while units are down breaks constraint 3; the rest,
    // if they still do not fit together, break constraint 4.
    const aloneTooMany = down > 0 ? inUse.filter((u) => u.count > available) : [];
    for (const u of aloneTooMany)
      found.push({ key: `3|${u.p.index}|${u.k}|${available}`, constraint: 3, start, end, uses: [u], available, down });
    const others = inUse.filter((u) => !aloneTooMany.includes(u));
    if (others.reduce((n, u) => n + u.count, 0) > available) {
      const key = `4|${others.map((u) => `${u.p.index}.${u.k}`).join(',')}|${available}`;
      found.push({ key, constraint: 4, start, end, uses: others, available, down });
    }
  }
  return found;
}

/** Join consecutive segments with the same cause into one stretch, so each problem is told once. */
function mergeAdjacent(segments: Overload[]): Overload[] {
  const merged: Overload[] = [];
  const last = new Map<string, Overload>();
  for (const s of segments) {
    const previous = last.get(s.key);
    if (previous && previous.end === s.start) previous.end = s.end;
    else {
      const copy = { ...s };
      merged.push(copy);
      last.set(s.key, copy);
    }
  }
  return merged;
}

function report(ctx: Context, item: Equipment, o: Overload): void {
  const when = ctx.span(o.start, o.end);
  const downNote = o.down === item.count ? `'${item.id}' is down` : `${o.down} of its ${item.count} units are down`;
  if (o.constraint === 3) {
    const u = o.uses[0]!;
    ctx.report(3, [u.p.index, 'equipment', u.k], `${ctx.label(u.p)} uses ${count(u.count, 'unit')} of '${item.id}' ${when}, while ${downNote}`);
    return;
  }
  // Blame the use that started last: it is the one that tipped the item over.
  const last = [...o.uses].sort((a, b) => b.start - a.start || b.p.index - a.p.index)[0]!;
  const total = o.uses.reduce((n, u) => n + u.count, 0);
  const requests = o.uses.map((u) => `'${u.p.appt.requestId}'`).join(', ');
  const limit = `${o.available} ${o.available === 1 ? 'is' : 'are'} available` + (o.down > 0 ? ` (${downNote})` : '');
  ctx.report(4, [last.p.index, 'equipment', last.k], `${count(total, 'unit')} of '${item.id}' are in use ${when} (requests ${requests}) but only ${limit}`);
}
