import type { AppointmentStatus } from '../contract/appointment.js';
import type { Problem } from '../contract/parse.js';
import type { StoredAppointment } from './storedAppointment.js';

/** A resource already taken (or not there) over [start, end), clinic-local RFC 3339. */
export type Conflict = { resource: string; start: string; end: string };

export type Ok = { ok: true; appointment: StoredAppointment };
export type ConflictFailure = { ok: false; reason: 'conflict'; conflicts: Conflict[] };
export type StaleFailure = { ok: false; reason: 'stale'; current: StoredAppointment };
export type NotFound = { ok: false; reason: 'not-found' };
export type InvalidTransition = { ok: false; reason: 'invalid-transition'; from: AppointmentStatus; to: AppointmentStatus };
export type HoldExpired = { ok: false; reason: 'hold-expired' };
export type TooManyHolds = { ok: false; reason: 'too-many-holds' };
/** The appointment itself is wrong (unknown ids, unavailable resources, off the grid, ...); paths point into it. */
export type Invalid = { ok: false; reason: 'invalid'; problems: Problem[] };

export type HoldResult = Ok | ConflictFailure | TooManyHolds | Invalid | NotFound;
export type BookResult = Ok | ConflictFailure | HoldExpired | Invalid | NotFound;
export type ReleaseHoldResult = Ok | HoldExpired | NotFound;
export type ChangeStatusResult = Ok | StaleFailure | NotFound | InvalidTransition;
export type RescheduleResult = Ok | ConflictFailure | StaleFailure | NotFound | InvalidTransition | Invalid;

/** Every answer of the appointment writes. */
export type AppointmentResult = HoldResult | BookResult | ReleaseHoldResult | ChangeStatusResult | RescheduleResult;
