// The store's answers to appointment writes as HTTP: 2xx with the appointment and its ETag, or the
// error that says what blocked it.
import type { Problem } from '../contract/parse.js';
import type { AppointmentResult } from '../store/results.js';
import type { StoredAppointment } from '../store/storedAppointment.js';
import { ApiError, notFound } from './errors.js';
import type { Answer } from './idempotency.js';
import { etag } from './preconditions.js';

/** The appointment as an answer: body, ETag (its version) and where to read it. */
export function appointmentAnswer(clinicId: string, appointment: StoredAppointment, status: number): Answer {
  return {
    status,
    body: appointment,
    headers: { etag: etag(appointment.version), location: `/clinics/${clinicId}/appointments/${encodeURIComponent(appointment.id)}` },
  };
}

/** The appointment of a successful write; any failure thrown as its HTTP error. */
export function okOrThrow(result: AppointmentResult, what: string, pathOf: (path: string) => string = (p) => p): StoredAppointment {
  if (result.ok) return result.appointment;
  switch (result.reason) {
    case 'conflict':
      throw new ApiError(409, {
        error: 'conflict',
        message: `the time is taken: ${result.conflicts.map((c) => `${c.resource} ${c.start} - ${c.end}`).join('; ') || 'a resource is fully used'}`,
        conflicts: result.conflicts,
      });
    case 'stale':
      throw new ApiError(412, {
        error: 'stale',
        message: `the appointment is at version ${result.current.version}, not the one in If-Match; read it again and retry`,
        current: result.current,
      });
    case 'not-found':
      throw notFound(what);
    case 'invalid-transition':
      throw new ApiError(409, {
        error: 'invalid-transition',
        message: `an appointment that is ${result.from} cannot become ${result.to}`,
        from: result.from,
        to: result.to,
      });
    case 'hold-expired':
      throw new ApiError(410, { error: 'hold-expired', message: 'the hold has expired and its time was released; search and hold again' });
    case 'too-many-holds':
      throw new ApiError(429, { error: 'too-many-holds', message: 'this caller already has the most live holds allowed in this clinic; book or release some first' });
    case 'invalid':
      throw unplaceable(result.problems.map((p: Problem) => ({ ...p, path: pathOf(p.path) })));
  }
}

export const unplaceable = (problems: Problem[], message = 'the appointment breaks a rule of the clinic set-up') =>
  new ApiError(422, { error: 'unplaceable', message, problems });
