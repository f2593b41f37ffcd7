// A stored request by id, for a hold or booking that names one.
import type { Request } from '../contract/instance.js';
import { listRequests } from '../store/requests.js';
import type { Store } from '../store/store.js';
import { unplaceable } from './appointmentAnswers.js';

// The store has no single-request read: this lists the clinic's requests (fine for a clinic's waiting
// list; a getRequest in the store would make it one HGET).
export async function storedRequestOrNull(store: Store, clinicId: string, requestId: string): Promise<Request | null> {
  return (await listRequests(store, clinicId)).find((r) => r.id === requestId) ?? null;
}

/** The stored request a body names; 422 naming `$.body.requestId` when there is none. */
export async function storedRequest(store: Store, clinicId: string, requestId: string): Promise<Request> {
  const found = await storedRequestOrNull(store, clinicId, requestId);
  if (!found)
    throw unplaceable([{ path: '$.body.requestId', message: `unknown request '${requestId}' (store it with POST /clinics/{id}/requests, or give it inline as request)` }]);
  return found;
}
