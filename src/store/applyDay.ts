import { Appointment, holdsCapacity, type AppointmentStatus } from '../contract/appointment.js';
import type { BillingRecord } from '../contract/billing.js';
import { parseWith, type Problem } from '../contract/parse.js';
import { STATUS_TRANSITIONS } from '../booking/statusTransitions.js';
import { isLocalDate } from '../booking/dayGrid.js';
import { withOvertime } from '../booking/withOvertime.js';
import { entryJson, placementJson, recordToAppointment } from './appointmentRecord.js';
import type { ChangeOptions } from './book.js';
import { conflictsOf, planClaim, withSetup } from './claimPlan.js';
import { runAppointmentScript } from './commands.js';
import { clinicKeys } from './keys.js';
import type { Conflict } from './results.js';
import type { StoredAppointment } from './storedAppointment.js';
import type { Store } from './store.js';

export type ApplyDayResult =
  | { ok: true; version: number; appointments: StoredAppointment[] }
  | { ok: false; reason: 'stale'; version: number }
  | { ok: false; reason: 'conflict'; conflicts: Conflict[] }
  | { ok: false; reason: 'invalid'; problems: Problem[] }
  | { ok: false; reason: 'not-found' };

const NEW_STATUSES: readonly AppointmentStatus[] = ['booked', 'checked-in'];
const TRANSITIONS = JSON.stringify(STATUS_TRANSITIONS);

/**
 * Replaces a clinic-local date's live (booked, checked-in) appointments by `appointments`, in one step
 * and only if the date's version is still `expectedVersion` (else 'stale' with the current one).
 * An item with the id of a live appointment of the date updates it (its version advances if it
 * changed; a status change, e.g. to cancelled, is recorded in its history); an item without an id is
 * booked new; a live appointment the plan leaves out is cancelled (recorded). Holds, and appointments
 * already in progress or done, stay and must not collide with the plan; the plan may list them (as an
 * optimizer's result does, pinned) only as they are stored, except that a re-plan (`allowOvertime`) may
 * give a visit in progress a new end (an overrun), which claims its resources until then. The version
 * advances by one. `billing` (a re-plan's late cancellations and no-shows) is recorded in the same step,
 * each unless its appointment has a billing record already.
 */
export async function applyDay(
  store: Store,
  clinicId: string,
  date: string,
  expectedVersion: number,
  appointments: Appointment[],
  options: ChangeOptions & {
    /** A re-plan's plan: providers may work on past their availability, up to the clinic's `replan.maxOvertimeMinutes`. */
    allowOvertime?: boolean;
    /** Billing flags to record with the plan (their date is this date). */
    billing?: readonly BillingRecord[];
    /** An overbooking plan's no-show estimates by request id: its visits claim their expected load (usageOf). */
    noShowProbabilities?: Readonly<Record<string, number>>;
  },
): Promise<ApplyDayResult> {
  if (!isLocalDate(date)) return { ok: false, reason: 'invalid', problems: [{ path: '$.date', message: `'${date}' is not a date (YYYY-MM-DD)` }] };
  return withSetup(store, clinicId, async ({ setup, version }) => {
    const problems: Problem[] = [];
    const items = appointments.map((given, i) => {
      const at = (p: Problem) => ({ path: p.path.replace(/^\$/, `$[${i}]`), message: p.message });
      const parsed = parseWith(Appointment, given);
      if (!parsed.ok) {
        problems.push(...parsed.problems.map(at));
        return undefined;
      }
      const a = parsed.value;
      const status = a.status ?? 'booked';
      if (a.id === undefined && !NEW_STATUSES.includes(status))
        problems.push({ path: `$[${i}].status`, message: `a new appointment in a plan must be booked or checked-in, not '${status}'` });
      const entry = entryJson({ status, by: options.actor, reason: options.reason, action: 'plan' });
      // A cancelled or no-show item keeps the placement it had and claims nothing; one in progress or
      // done may only come back as it is stored (the script checks), and stays as it is.
      if (!holdsCapacity(status)) return { ...(a.id !== undefined ? { id: a.id } : {}), b: '', u: '[]', r: '[]', s: status, e: entry };
      const rules = options.allowOvertime ? withOvertime(setup, setup.replan.maxOvertimeMinutes) : setup;
      const estimates = options.noShowProbabilities;
      const claimOptions = { date, ...(estimates ? { overbook: { noShowProbability: estimates[a.requestId] } } : {}) };
      // A re-plan may give a visit under way a new end (an overrun): its capacity is claimed afresh (x).
      if (status === 'in-progress' && options.allowOvertime && a.id !== undefined) {
        const planned = planClaim(rules, a, claimOptions);
        if (!planned.ok) {
          problems.push(...planned.problems.map(at));
          return undefined;
        }
        const { body, claims, refs } = planned.plan;
        return { id: a.id, b: body, u: claims, r: refs, s: status, e: entry, x: true };
      }
      if (!NEW_STATUSES.includes(status)) return { ...(a.id !== undefined ? { id: a.id } : {}), b: placementJson(a), u: '[]', r: '[]', s: status, e: entry };
      const planned = planClaim(rules, a, claimOptions);
      if (!planned.ok) {
        problems.push(...planned.problems.map(at));
        return undefined;
      }
      const { body, claims, refs } = planned.plan;
      return { ...(a.id !== undefined ? { id: a.id } : {}), b: body, u: claims, r: refs, s: status, e: entry };
    });
    if (problems.length > 0) return { ok: false, reason: 'invalid', problems } as const;
    const cancel = entryJson({ status: 'cancelled', by: options.actor, reason: options.reason ?? 'not in the applied plan', action: 'plan' });
    const raw = await runAppointmentScript(store, clinicId, 'medschedApplyDay', [
      date, expectedVersion, version, JSON.stringify(items.filter((x) => x !== undefined)), cancel, TRANSITIONS,
      clinicKeys(store.prefix, clinicId).billing(''), JSON.stringify((options.billing ?? []).map((r) => [r.appointmentId, JSON.stringify(r)])),
    ]);
    if (Array.isArray(raw)) {
      const [after, recs] = raw as [number, string[]];
      return { ok: true, version: after, appointments: recs.map(recordToAppointment) } as const;
    }
    const reply = JSON.parse(raw as string) as { reason: string; version?: number; conflicts?: string[]; id?: string; from?: string; to?: string };
    switch (reply.reason) {
      case 'setup-changed':
        return 'setup-changed' as const;
      case 'stale':
        return { ok: false, reason: 'stale', version: reply.version! } as const;
      case 'conflict':
        return { ok: false, reason: 'conflict', conflicts: conflictsOf(setup, reply.conflicts ?? []) } as const;
      case 'invalid-transition':
        return { ok: false, reason: 'invalid', problems: [{ path: pathOf(appointments, reply.id!, 'status'), message: `appointment '${reply.id}' cannot go from '${reply.from}' to '${reply.to}'` }] } as const;
      default:
        return {
          ok: false,
          reason: 'invalid',
          problems: [{ path: pathOf(appointments, reply.id!, 'id'), message: `'${reply.id}' is not an appointment of ${date} a plan can set this way (unknown, another date, given twice, or a hold or visit under way that the plan changes)` }],
        } as const;
    }
  });
}

function pathOf(appointments: Appointment[], id: string, field: string): string {
  const index = appointments.findIndex((a) => a.id === id);
  return `$[${index}].${field}`;
}
