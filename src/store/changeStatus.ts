import { holdsCapacity, type AppointmentStatus } from '../contract/appointment.js';
import { lateCancelPolicies } from '../booking/lateCancelPolicy.js';
import { STATUS_TRANSITIONS } from '../booking/statusTransitions.js';
import { entryJson } from './appointmentRecord.js';
import type { ChangeOptions } from './book.js';
import { runAppointmentScript } from './commands.js';
import { clinicKeys } from './keys.js';
import type { ChangeStatusResult } from './results.js';
import { toResult } from './scriptReply.js';
import { setupForWrite } from './setup.js';
import type { Store } from './store.js';

const TRANSITIONS = JSON.stringify(STATUS_TRANSITIONS);

/**
 * Moves an appointment to another FHIR status if its version is still `expectedVersion` and the
 * transition is allowed (booked → checked-in → in-progress → fulfilled; booked/checked-in →
 * cancelled | noshow). Cancel and no-show free its capacity. Recorded in its history. A cancellation
 * inside its service's late-cancellation window (judged on Redis's clock against the start) and a
 * no-show are flagged for billing in the same step, by the clinic's policies (whoever cancels: the
 * desk, a patient's link).
 */
export async function changeStatus(
  store: Store,
  clinicId: string,
  id: string,
  expectedVersion: number,
  options: ChangeOptions & { to: AppointmentStatus },
): Promise<ChangeStatusResult> {
  const entry = entryJson({ status: options.to, by: options.actor, reason: options.reason, action: 'status' });
  const frees = holdsCapacity(options.to) ? '0' : '1';
  // The policies of the set-up as this process last read it (the policy of a moment ago is the policy).
  const setup = frees === '1' ? (await setupForWrite(store, clinicId))?.setup : undefined;
  const policies = setup ? lateCancelPolicies(setup) : {};
  const billingKey = Object.keys(policies).length > 0 ? clinicKeys(store.prefix, clinicId).billing('') : '';
  const raw = await runAppointmentScript(store, clinicId, 'medschedChangeStatus', [
    id, expectedVersion, options.to, entry, TRANSITIONS, frees, billingKey, JSON.stringify(policies),
  ]);
  return toResult(raw, null) as ChangeStatusResult;
}
