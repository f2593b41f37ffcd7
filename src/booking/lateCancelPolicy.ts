// The late-cancellation policy of a service, as the contract words it: the window is the service's
// `lateCancelHours`, else the clinic's; the fee the service's `lateCancelFee`, else the clinic's, else
// none; no window, no flag. Pure.
import type { ClinicSetup } from '../contract/clinicSetup.js';
import type { BillingRecord } from '../contract/billing.js';
import type { BillingFlag } from '../contract/replan.js';
import { formatInZone, toMs } from '../domain/time.js';

export type LateCancelPolicy = { windowHours: number; fee: number | null; windowFrom: 'service' | 'clinic'; feeFrom: 'service' | 'clinic' | null };

type PolicySetup = Pick<ClinicSetup, 'clinic' | 'services'>;

export function lateCancelPolicy(setup: PolicySetup, serviceId: string): LateCancelPolicy | null {
  const service = setup.services.find((s) => s.id === serviceId);
  const own = service?.lateCancelHours;
  const windowHours = own ?? setup.clinic.lateCancelHours;
  if (windowHours === undefined) return null;
  const fee = service?.lateCancelFee ?? setup.clinic.lateCancelFee ?? null;
  const feeFrom = service?.lateCancelFee !== undefined ? 'service' : setup.clinic.lateCancelFee !== undefined ? 'clinic' : null;
  return { windowHours, fee, windowFrom: own !== undefined ? 'service' : 'clinic', feeFrom };
}

/** The policy of every service that has one (what the status script judges a cancellation by). */
export function lateCancelPolicies(setup: PolicySetup): Record<string, LateCancelPolicy> {
  const out: Record<string, LateCancelPolicy> = {};
  for (const s of setup.services) {
    const policy = lateCancelPolicy(setup, s.id);
    if (policy) out[s.id] = policy;
  }
  return out;
}

type Placed = { id: string; requestId: string; patientId: string; serviceId: string; providerId: string | null; roomId: string; start: string; end: string };

/**
 * A re-plan's billing flags as records, for the appointments the plan ended (`ended`, by id): when the
 * event says it happened, by whoever applies the plan, why as the re-plan words it. A flag for an appointment the plan does not end (one
 * cancelled before, or without an id) is not the plan's to record.
 */
export function billingRecordsOfReplan(
  setup: PolicySetup,
  date: string,
  flags: readonly BillingFlag[],
  ended: readonly Placed[],
  by: string,
): BillingRecord[] {
  const byId = new Map(ended.map((a) => [a.id, a]));
  const out: BillingRecord[] = [];
  for (const flag of flags) {
    const appointment = flag.appointmentId !== undefined ? byId.get(flag.appointmentId) : undefined;
    const policy = lateCancelPolicy(setup, flag.serviceId);
    if (!appointment || !policy) continue;
    const noShow = flag.reason === 'no-show';
    out.push({
      appointmentId: appointment.id,
      requestId: appointment.requestId,
      patientId: appointment.patientId,
      serviceId: appointment.serviceId,
      providerId: appointment.providerId,
      roomId: appointment.roomId,
      date,
      start: appointment.start,
      end: appointment.end,
      kind: noShow ? 'no-show' : 'late-cancellation',
      at: formatInZone(toMs(flag.cancelledAt), setup.clinic.timezone),
      hoursBefore: flag.hoursBefore,
      windowHours: flag.windowHours,
      fee: flag.fee,
      policy: { windowFrom: policy.windowFrom, feeFrom: policy.feeFrom },
      by,
      reason: flag.reason,
      source: 'replan',
    });
  }
  return out;
}
