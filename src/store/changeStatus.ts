import { holdsCapacity, type AppointmentStatus } from '../contract/appointment.js';
import { STATUS_TRANSITIONS } from '../booking/statusTransitions.js';
import { entryJson } from './appointmentRecord.js';
import type { ChangeOptions } from './book.js';
import { runAppointmentScript } from './commands.js';
import type { ChangeStatusResult } from './results.js';
import { toResult } from './scriptReply.js';
import type { Store } from './store.js';

const TRANSITIONS = JSON.stringify(STATUS_TRANSITIONS);

/**
 * Moves an appointment to another FHIR status if its version is still `expectedVersion` and the
 * transition is allowed (booked → checked-in → in-progress → fulfilled; booked/checked-in →
 * cancelled | noshow). Cancel and no-show free its capacity. Recorded in its history.
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
  const raw = await runAppointmentScript(store, clinicId, 'medschedChangeStatus', [id, expectedVersion, options.to, entry, TRANSITIONS, frees]);
  return toResult(raw, null) as ChangeStatusResult;
}
