import { toMs } from '../../src/domain/time.js';

export type Grid = { origin: number; slotMs: number; slots: number };

export function makeGrid(horizon: { start: string; end: string }, slotMinutes: number): Grid {
  const origin = toMs(horizon.start);
  const slotMs = slotMinutes * 60_000;
  return { origin, slotMs, slots: Math.floor((toMs(horizon.end) - origin) / slotMs) };
}

/** Slots fully inside the union of the intervals (adjacent intervals count as one). */
export function coveredSlots(grid: Grid, intervals: { start: string; end: string }[]): Uint8Array {
  const mask = new Uint8Array(grid.slots);
  const merged = mergeIntervals(intervals.map((iv) => [toMs(iv.start), toMs(iv.end)] as [number, number]));
  for (const [a, b] of merged) {
    const from = Math.max(0, Math.ceil((a - grid.origin) / grid.slotMs));
    const to = Math.min(grid.slots, Math.floor((b - grid.origin) / grid.slotMs));
    mask.fill(1, from, Math.max(from, to));
  }
  return mask;
}

/** Slots that [a, b) touches at all (for downtime and blocking, which round outward). */
export function touchedSlots(grid: Grid, a: number, b: number): [number, number] {
  const from = Math.max(0, Math.floor((a - grid.origin) / grid.slotMs));
  const to = Math.min(grid.slots, Math.ceil((b - grid.origin) / grid.slotMs));
  return [from, Math.max(from, to)];
}

function mergeIntervals(list: [number, number][]): [number, number][] {
  const sorted = [...list].sort((x, y) => x[0] - y[0]);
  const out: [number, number][] = [];
  for (const [a, b] of sorted) {
    const last = out[out.length - 1];
    if (last && a <= last[1]) last[1] = Math.max(last[1], b);
    else out.push([a, b]);
  }
  return out;
}

export function slotToMs(grid: Grid, slot: number): number {
  return grid.origin + slot * grid.slotMs;
}
