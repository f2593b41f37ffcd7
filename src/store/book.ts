import type { Appointment } from '../contract/appointment.js';
import type { Request } from '../contract/instance.js';
import { entryJson } from './appointmentRecord.js';
import { planClaim, withSetup } from './claimPlan.js';
import { runAppointmentScript } from './commands.js';
import type { BookResult } from './results.js';
import { toResult } from './scriptReply.js';
import type { Store } from './store.js';

export type ChangeOptions = { actor: string; reason?: string };

/**
 * Books an appointment, directly or from a live hold (which keeps its id and counters). A direct
 * booking checks the appointment on its own (placementProblems, with the request's rules when given),
 * then one script checks every counter it needs over the whole interval and writes all or nothing.
 */
export async function book(
  store: Store,
  clinicId: string,
  input: Appointment | { holdId: string },
  options: ChangeOptions & { request?: Request },
): Promise<BookResult> {
  const entry = entryJson({ status: 'booked', by: options.actor, reason: options.reason, action: 'book' });
  if ('holdId' in input) {
    const raw = await runAppointmentScript(store, clinicId, 'medschedBookHold', [input.holdId, entry]);
    return toResult(raw, null) as BookResult;
  }
  return withSetup(store, clinicId, async ({ setup, version }) => {
    const planned = planClaim(setup, input, options.request ? { request: options.request } : {});
    if (!planned.ok) return { ok: false, reason: 'invalid', problems: planned.problems } as const;
    const { date, body, claims, refs } = planned.plan;
    const raw = await runAppointmentScript(store, clinicId, 'medschedClaim', [version, date, body, claims, refs, 'book', entry, '', 0, 0]);
    return toResult(raw, setup) as BookResult | 'setup-changed';
  });
}
