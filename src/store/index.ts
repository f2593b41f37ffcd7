// The store's public functions in one place (each lives in its own file).
export { connectStore, storeReady, type Store } from './store.js';
export { clinicKeys } from './keys.js';
export { getSetup, putSetup, type PutSetupResult, type VersionedSetup } from './setup.js';
export { putRequest, getRequest, listRequests, deleteRequest, type PutRequestResult } from './requests.js';
export { hold, releaseHold, sweepHolds, type HoldOptions } from './hold.js';
export { book, type ChangeOptions } from './book.js';
export { changeStatus } from './changeStatus.js';
export { reschedule, type NewPlacement } from './reschedule.js';
export { getAppointment, requestsScheduledElsewhere } from './readAppointments.js';
export { dayStamp, listDay } from './day.js';
export { applyDay, type ApplyDayResult } from './applyDay.js';
export { beginIdempotent, finishIdempotent, abandonIdempotent, type IdempotencyState } from './idempotency.js';
export { StoredAppointment, HistoryEntry, Hold } from './storedAppointment.js';
export type * from './results.js';
