/** A half-open time span in epoch ms. */
export type Span = { start: number; end: number };

/** The spans less [out.start, out.end). */
export function subtractSpan(list: Span[], out: Span): Span[] {
  const result: Span[] = [];
  for (const s of list) {
    if (out.end <= s.start || out.start >= s.end) result.push(s);
    else {
      if (s.start < out.start) result.push({ start: s.start, end: out.start });
      if (out.end < s.end) result.push({ start: out.end, end: s.end });
    }
  }
  return result;
}

export const toInterval = (s: Span) => ({ start: new Date(s.start).toISOString(), end: new Date(s.end).toISOString() });
