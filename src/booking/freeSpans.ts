// Half-open spans [start, end) of epoch ms, sorted and disjoint once merged: just enough interval
// arithmetic for narrowDay.ts to tell where a resource could still take a visit.

// The validator's interval arithmetic (booking already judges placements by the validator's rules).
import { union, type Span } from '../validator/intervals.js';

export { union, type Span };

/**
 * The runs of at least `length` ms that lie inside both `open` and `within` and meet none of `busy`
 * (all three in any order).
 */
export function freeRuns(open: readonly Span[], within: readonly Span[], busy: readonly Span[], length: number): Span[] {
  const a = union(open);
  const b = union(within);
  const taken = union(busy);
  const out: Span[] = [];
  let k = 0;
  for (let i = 0, j = 0; i < a.length && j < b.length; ) {
    const start = Math.max(a[i]!.start, b[j]!.start);
    const end = Math.min(a[i]!.end, b[j]!.end);
    if (a[i]!.end < b[j]!.end) i++;
    else j++;
    if (end - start < length) continue;
    // Cut the shared part by the busy spans (sorted, so the cursor only moves forward).
    let from = start;
    while (k > 0 && taken[k - 1]!.end > from) k--;
    for (; k < taken.length && taken[k]!.start < end; k++) {
      if (taken[k]!.end <= from) continue;
      if (taken[k]!.start - from >= length) out.push({ start: from, end: taken[k]!.start });
      from = Math.max(from, taken[k]!.end);
    }
    if (end - from >= length) out.push({ start: from, end });
  }
  return out;
}

/** Whether [start, end) meets any of the sorted disjoint spans (binary search). */
export function meetsAny(spans: readonly Span[], start: number, end: number): boolean {
  let lo = 0;
  let hi = spans.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (spans[mid]!.end <= start) lo = mid + 1;
    else hi = mid;
  }
  return lo < spans.length && spans[lo]!.start < end;
}
