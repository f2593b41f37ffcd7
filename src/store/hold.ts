import type { Appointment } from '../contract/appointment.js';
import type { Request } from '../contract/instance.js';
import { planClaim, withSetup } from './claimPlan.js';
import { runAppointmentScript } from './commands.js';
import type { HoldResult, ReleaseHoldResult } from './results.js';
import { toResult } from './scriptReply.js';
import type { Store } from './store.js';

export type HoldOptions = {
  /** Who holds (a front desk, an integration): the per-caller cap counts by it. */
  caller: string;
  /** The hold lapses this long after Redis's clock at creation. */
  ttlMs: number;
  maxHoldsPerCaller: number;
  /** The request it books, for its window, length and provider wish. */
  request?: Request;
};

/**
 * Holds capacity for an appointment until `ttlMs` from now (Redis's clock): every counter it needs is
 * claimed as for a booking, all or nothing. The hold is a StoredAppointment with `hold` set.
 */
export async function hold(store: Store, clinicId: string, appointment: Appointment, options: HoldOptions): Promise<HoldResult> {
  return withSetup(store, clinicId, async ({ setup, version }) => {
    const planned = planClaim(setup, appointment, options.request ? { request: options.request } : {});
    if (!planned.ok) return { ok: false, reason: 'invalid', problems: planned.problems } as const;
    const { date, body, claims, refs } = planned.plan;
    const raw = await runAppointmentScript(store, clinicId, 'medschedClaim', [
      version, date, body, claims, refs, 'hold', '', options.caller, Math.max(1, Math.round(options.ttlMs)), options.maxHoldsPerCaller,
    ]);
    return toResult(raw, setup) as HoldResult | 'setup-changed';
  });
}

/** Gives a hold up at once (its capacity is free again). */
export async function releaseHold(store: Store, clinicId: string, holdId: string): Promise<ReleaseHoldResult> {
  return toResult(await runAppointmentScript(store, clinicId, 'medschedReleaseHold', [holdId]), null) as ReleaseHoldResult;
}

/**
 * Gives back the capacity of every hold whose time has come; returns how many. Every write does this
 * first anyway, so this is only for keeping counters tidy on a quiet clinic (or a periodic sweeper).
 */
export async function sweepHolds(store: Store, clinicId: string): Promise<number> {
  return Number(await runAppointmentScript(store, clinicId, 'medschedSweepHolds', []));
}
