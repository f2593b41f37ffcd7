// The pure precomputation of a write: the appointment checked on its own, its date, and the counters
// it claims with their caps, ready for one script call.
import { Appointment } from '../contract/appointment.js';
import type { ClinicSetup } from '../contract/clinicSetup.js';
import type { Request } from '../contract/instance.js';
import { parseWith, type Problem } from '../contract/parse.js';
import { formatInZone, toMs } from '../domain/time.js';
import { dayBounds, localDateOf } from '../booking/dayGrid.js';
import { placementProblems } from '../booking/placementProblems.js';
import { refsOfAppointment } from '../booking/resourceRefs.js';
import { parseField } from '../booking/usageFields.js';
import { usageOf, type Overbook } from '../booking/usageOf.js';
import { placementJson } from './appointmentRecord.js';
import type { Conflict } from './results.js';
import { forgetSetup, setupForWrite, type VersionedSetup } from './setup.js';
import type { Store } from './store.js';

export type ClaimPlan = { date: string; body: string; claims: string; refs: string };

export function planClaim(
  setup: ClinicSetup,
  input: Appointment,
  options: { request?: Request; date?: string; overbook?: Overbook } = {},
): { ok: true; plan: ClaimPlan } | { ok: false; problems: Problem[] } {
  // Callers pass typed values, but a plan may come straight from JSON: read it with the schema's defaults.
  const parsed = parseWith(Appointment, input);
  if (!parsed.ok) return { ok: false, problems: parsed.problems };
  const appointment = parsed.value;
  const problems = placementProblems(setup, appointment, options);
  if (problems.length > 0) return { ok: false, problems };
  const date = options.date ?? localDateOf(toMs(appointment.start), setup.clinic.timezone);
  const claims = usageOf(setup, appointment, date, options.overbook).map((c) => [c.field, c.units, c.cap]);
  return {
    ok: true,
    plan: { date, body: placementJson(appointment), claims: JSON.stringify(claims), refs: JSON.stringify(refsOfAppointment(setup, appointment)) },
  };
}

/** "date|field" counters the script found full, as resources over clinic-local time spans (adjacent slots merged). */
export function conflictsOf(setup: ClinicSetup, found: string[]): Conflict[] {
  const zone = setup.clinic.timezone;
  const slotMs = setup.slotMinutes * 60_000;
  const spans = new Map<string, { start: number; end: number }[]>();
  for (const item of found) {
    const bar = item.indexOf('|');
    const date = item.slice(0, bar);
    const field = parseField(item.slice(bar + 1));
    const day = dayBounds(date, zone);
    const resource = `${field.kind}:${field.id}`;
    const span = field.slot === null ? { start: day.start, end: day.end } : { start: day.start + field.slot * slotMs, end: day.start + (field.slot + 1) * slotMs };
    const list = spans.get(resource) ?? [];
    list.push(span);
    spans.set(resource, list);
  }
  const conflicts: Conflict[] = [];
  for (const [resource, list] of spans) {
    list.sort((a, b) => a.start - b.start);
    let current: { start: number; end: number } | undefined;
    for (const s of list) {
      if (current && s.start <= current.end) current.end = Math.max(current.end, s.end);
      else {
        if (current) conflicts.push({ resource, start: formatInZone(current.start, zone), end: formatInZone(current.end, zone) });
        current = { ...s };
      }
    }
    if (current) conflicts.push({ resource, start: formatInZone(current.start, zone), end: formatInZone(current.end, zone) });
  }
  return conflicts;
}

/**
 * Runs `attempt` on the clinic's set-up; when the script says the set-up changed meanwhile
 * (`'setup-changed'`), reads it again and retries (a set-up change is rare; three tries are plenty).
 */
export async function withSetup<T>(
  store: Store,
  clinicId: string,
  attempt: (current: VersionedSetup) => Promise<T | 'setup-changed'>,
): Promise<T | { ok: false; reason: 'not-found' }> {
  for (let tries = 0; tries < 3; tries++) {
    const current = await setupForWrite(store, clinicId);
    if (!current) return { ok: false, reason: 'not-found' };
    const result = await attempt(current);
    if (result !== 'setup-changed') return result;
    forgetSetup(store, clinicId);
  }
  throw new Error(`the set-up of clinic '${clinicId}' kept changing during a write; try again`);
}
