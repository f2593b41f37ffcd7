// A stored request by id, for a hold or booking that names one.
import type { Request } from '../contract/instance.js';
import { getRequest } from '../store/requests.js';
import type { Store } from '../store/store.js';
import { unplaceable } from './appointmentAnswers.js';

export function storedRequestOrNull(store: Store, clinicId: string, requestId: string): Promise<Request | null> {
  return getRequest(store, clinicId, requestId);
}

/** The stored request a body names; 422 naming `$.body.requestId` when there is none. */
export async function storedRequest(store: Store, clinicId: string, requestId: string): Promise<Request> {
  const found = await storedRequestOrNull(store, clinicId, requestId);
  if (!found)
    throw unplaceable([{ path: '$.body.requestId', message: `unknown request '${requestId}' (store it with POST /clinics/{id}/requests, or give it inline as request)` }]);
  return found;
}
