// A clinic-local date as epoch-ms bounds, and the slot grid that starts at its local midnight.
import { TZDate } from '@date-fns/tz';
import { formatInZone } from '../domain/time.js';

const LOCAL_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Whether `text` is a real calendar date written YYYY-MM-DD. */
export function isLocalDate(text: string): boolean {
  const m = LOCAL_DATE.exec(text);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const probe = new Date(Date.UTC(y, mo - 1, d));
  return probe.getUTCFullYear() === y && probe.getUTCMonth() === mo - 1 && probe.getUTCDate() === d;
}

/** [local midnight, next local midnight) of `date` in `timeZone` (23 or 25 hours on DST days). */
export function dayBounds(date: string, timeZone: string): { start: number; end: number } {
  // Zone arithmetic is slow and every booking asks for the same few days: remember them (bounded).
  const key = `${timeZone}|${date}`;
  const known = bounds.get(key);
  if (known) return { ...known };
  const m = LOCAL_DATE.exec(date);
  if (!m) throw new Error(`'${date}' is not a date (YYYY-MM-DD)`);
  const [y, mo, d] = [Number(m[1]), Number(m[2]) - 1, Number(m[3])];
  const found = { start: new TZDate(y, mo, d, timeZone).getTime(), end: new TZDate(y, mo, d + 1, timeZone).getTime() };
  if (bounds.size > 10_000) bounds.clear();
  bounds.set(key, found);
  return { ...found };
}
const bounds = new Map<string, { start: number; end: number }>();

/** The clinic-local date (YYYY-MM-DD) of an instant. */
export function localDateOf(ms: number, timeZone: string): string {
  return formatInZone(ms, timeZone).slice(0, 10);
}
