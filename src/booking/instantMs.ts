import { toMs } from '../domain/time.js';

// A clinic day's instants repeat (a few hundred grid times across hundreds of bookings), and parsing
// them is most of what narrowing a day costs: remember them (bounded; invisible to callers).
const known = new Map<string, number>();

/** toMs, remembered. */
export function instantMs(instant: string): number {
  let ms = known.get(instant);
  if (ms === undefined) {
    if (known.size > 20_000) known.clear();
    known.set(instant, (ms = toMs(instant)));
  }
  return ms;
}
