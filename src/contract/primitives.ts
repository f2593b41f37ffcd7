import { z } from 'zod';
import { isRfc3339, isValidTimeZone } from '../domain/time.js';

export const Id = z.string().min(1, 'must be a non-empty id');

export const Instant = z
  .string()
  .refine(isRfc3339, 'must be an RFC 3339 date-time with an explicit offset, e.g. 2026-11-23T08:00:00-06:00');

export const TimeZone = z
  .string()
  .refine(isValidTimeZone, 'must be an IANA time zone such as America/Chicago');

export const Interval = z.object({ start: Instant, end: Instant });
export type Interval = z.infer<typeof Interval>;

export const Urgency = z.enum(['emergency', 'urgent', 'routine']);
export type Urgency = z.infer<typeof Urgency>;

export const PositiveMinutes = z.number().int('must be whole minutes').positive('must be more than 0 minutes');
export const NonNegativeMinutes = z.number().int('must be whole minutes').min(0, 'must not be negative');

export const ResourceKind = z.enum(['room', 'equipment', 'provider']);
export type ResourceKind = z.infer<typeof ResourceKind>;
