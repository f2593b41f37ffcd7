import type { Booking } from '../contract/appointment.js';
import type { Instance } from '../contract/instance.js';
import type { Urgency } from '../contract/primitives.js';
import { MINUTE_MS, toMs } from '../domain/time.js';

/**
 * What an appointment must satisfy, whether it comes from a request of the instance or only from
 * one of its bookings.
 */
export type Demand = {
  requestId: string;
  patientId: string;
  serviceId: string;
  origin: 'request' | 'booking';
  urgency: Urgency;
  /** Epoch ms; defaults to the horizon. */
  earliestStart: number;
  latestEnd: number;
  /** Required duration, undefined when the service is unknown. */
  minutes: number | undefined;
  /** "Only this provider" (continuity of care). */
  providerId: string | undefined;
  preferredProviderIds: readonly string[];
};

/**
 * Requests of the instance by id, then bookings whose requestId is not a request.
 *
 * A booking without a matching request is treated as a routine request with no provider wish,
 * whose window is the whole horizon (so earliestStart is the horizon start, which is also what the
 * score measures its wait from) and whose duration is the booking's own (a booked visit may have
 * been given a longer slot than the service's default).
 */
export function demandsOf(instance: Instance): Map<string, Demand> {
  const h0 = toMs(instance.horizon.start);
  const h1 = toMs(instance.horizon.end);
  const services = new Map(instance.services.map((s) => [s.id, s]));
  const demands = new Map<string, Demand>();
  for (const r of instance.requests) {
    demands.set(r.id, {
      requestId: r.id,
      patientId: r.patientId,
      serviceId: r.serviceId,
      origin: 'request',
      urgency: r.urgency,
      earliestStart: r.earliestStart ? toMs(r.earliestStart) : h0,
      latestEnd: r.latestEnd ? toMs(r.latestEnd) : h1,
      minutes: r.minutes ?? services.get(r.serviceId)?.minutes,
      providerId: r.providerId,
      preferredProviderIds: r.preferredProviderIds,
    });
  }
  for (const b of instance.bookings) {
    if (!demands.has(b.requestId)) demands.set(b.requestId, bookingDemand(b, h0, h1));
  }
  return demands;
}

function bookingDemand(b: Booking, h0: number, h1: number): Demand {
  return {
    requestId: b.requestId,
    patientId: b.patientId,
    serviceId: b.serviceId,
    origin: 'booking',
    urgency: 'routine',
    earliestStart: h0,
    latestEnd: h1,
    minutes: (toMs(b.end) - toMs(b.start)) / MINUTE_MS,
    providerId: undefined,
    preferredProviderIds: [],
  };
}
