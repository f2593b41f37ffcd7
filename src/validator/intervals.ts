// Half-open intervals [start, end) on epoch milliseconds.

export type Span = { start: number; end: number };

/** Sorted, merged union; touching intervals ([8,12) and [12,16)) merge into one. */
export function union(spans: readonly Span[]): Span[] {
  const sorted = spans.filter((s) => s.end > s.start).sort((a, b) => a.start - b.start);
  const merged: Span[] = [];
  for (const s of sorted) {
    const last = merged[merged.length - 1];
    if (last && s.start <= last.end) last.end = Math.max(last.end, s.end);
    else merged.push({ start: s.start, end: s.end });
  }
  return merged;
}

/** The parts of [start, end) that no interval of `available` covers. */
export function uncovered(available: readonly Span[], start: number, end: number): Span[] {
  const gaps: Span[] = [];
  let cursor = start;
  for (const s of union(available)) {
    if (s.end <= cursor) continue;
    if (s.start >= end) break;
    if (s.start > cursor) gaps.push({ start: cursor, end: s.start });
    cursor = Math.max(cursor, s.end);
    if (cursor >= end) break;
  }
  if (cursor < end) gaps.push({ start: cursor, end });
  return gaps;
}

/**
 * Every pair of items whose intervals overlap, as [earlier, later] (by start, then by input order).
 * Empty intervals overlap nothing.
 */
export function overlappingPairs<T extends Span>(items: readonly T[]): [T, T][] {
  const sorted = items.filter((s) => s.end > s.start).sort((a, b) => a.start - b.start);
  const pairs: [T, T][] = [];
  let active: T[] = [];
  for (const item of sorted) {
    active = active.filter((a) => a.end > item.start);
    for (const a of active) pairs.push([a, item]);
    active.push(item);
  }
  return pairs;
}

export function overlaps(a: Span, b: Span): boolean {
  return a.start < b.end && b.start < a.end;
}

/** Group items by a key, keeping input order inside each group. */
export function groupBy<T>(items: readonly T[], key: (item: T) => string | null | undefined): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    if (k === null || k === undefined) continue;
    const group = groups.get(k);
    if (group) group.push(item);
    else groups.set(k, [item]);
  }
  return groups;
}
