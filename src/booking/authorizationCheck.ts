// Prior authorisation: a request for a service that requires it is booked only once the payer has
// approved it (and the approval has not run out before the visit). Pure; the routes, the bulk bookings,
// the waitlist and the optimizer all ask this one function.
import type { ClinicSetup } from '../contract/clinicSetup.js';
import type { Request } from '../contract/instance.js';
import { toMs } from '../domain/time.js';

/**
 * Why `request` may not be booked for a visit starting at `startMs` (null: it may). Without a start
 * (the optimizer, which places it somewhere), an approval's expiry is not judged here.
 */
export function authorizationRefusal(
  setup: Pick<ClinicSetup, 'services'>,
  request: Pick<Request, 'id' | 'serviceId' | 'authorization'>,
  startMs: number | null,
): string | null {
  const service = setup.services.find((s) => s.id === request.serviceId);
  if (!service?.requiresAuthorization) return null;
  const needs = `service '${service.id}' requires prior authorisation`;
  const auth = request.authorization;
  if (!auth) return `${needs} and request '${request.id}' carries none: record it (authorization.status 'approved' with its number) once the payer approves`;
  const number = auth.number !== undefined ? ` (number ${auth.number})` : '';
  if (auth.status !== 'approved') return `${needs} and the authorisation of request '${request.id}'${number} is ${auth.status}, not approved`;
  if (auth.expiresAt !== undefined && startMs !== null && startMs >= toMs(auth.expiresAt))
    return `${needs} and the approval of request '${request.id}'${number} runs out at ${auth.expiresAt}, before this visit starts`;
  return null;
}

/**
 * The requests an optimization may place, and those it must leave out (prior authorisation not approved),
 * each with its reason as `unscheduled` words it.
 */
export function clearedForBooking<R extends Pick<Request, 'id' | 'serviceId' | 'authorization'>>(
  setup: Pick<ClinicSetup, 'services'>,
  requests: readonly R[],
): { cleared: R[]; held: { requestId: string; reasons: string[] }[] } {
  const cleared: R[] = [];
  const held: { requestId: string; reasons: string[] }[] = [];
  for (const request of requests) {
    const refusal = authorizationRefusal(setup, request, null);
    if (refusal === null) cleared.push(request);
    else held.push({ requestId: request.id, reasons: [`not placed: ${refusal}`] });
  }
  return { cleared, held };
}
