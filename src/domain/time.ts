import { format, formatISO } from 'date-fns';
import { TZDate } from '@date-fns/tz';

// Instants are RFC 3339 strings at the edges and epoch milliseconds inside.
export const MINUTE_MS = 60_000;

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;

export function isRfc3339(text: string): boolean {
  return RFC3339.test(text) && !Number.isNaN(Date.parse(text));
}

export function toMs(instant: string): number {
  return Date.parse(instant);
}

/** Minutes between two instants (b - a). */
export function minutesBetween(a: string | number, b: string | number): number {
  const am = typeof a === 'string' ? toMs(a) : a;
  const bm = typeof b === 'string' ? toMs(b) : b;
  return (bm - am) / MINUTE_MS;
}

/** RFC 3339 in the clinic's zone, with the offset in force at that instant (DST-safe). */
export function formatInZone(ms: number, timeZone: string): string {
  return formatISO(new TZDate(ms, timeZone));
}

export function isValidTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return zone.length > 0;
  } catch {
    return false;
  }
}

/** Wall-clock time like 10:40 in the clinic's zone. */
export function localTime(ms: number, timeZone: string): string {
  // Zone conversion is slow and reports repeat the same few instants: remember them (bounded).
  const key = `${timeZone}|${ms}`;
  let text = localTimes.get(key);
  if (text === undefined) {
    if (localTimes.size > 10_000) localTimes.clear();
    localTimes.set(key, (text = format(new TZDate(ms, timeZone), 'HH:mm')));
  }
  return text;
}
const localTimes = new Map<string, string>();
