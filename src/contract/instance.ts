import { z } from 'zod';
import { Booking } from './appointment.js';
import { Authorization, Referral } from './authorization.js';
import { checkInstanceReferences } from './instanceChecks.js';
import { Id, Instant, Interval, NonNegativeMinutes, PositiveMinutes, TimeZone, Urgency } from './primitives.js';
import { Overbooking } from './overbooking.js';
import { WaitlistPolicy } from './waitlistPolicy.js';

const Availability = z.array(Interval).default([]);

export const Provider = z.object({
  id: Id,
  name: z.string().optional(),
  specialties: z.array(Id).min(1, 'a provider needs at least one specialty'),
  availability: Availability,
  maxAppointments: z.number().int().min(0).optional(),
});

export const Room = z.object({
  id: Id,
  name: z.string().optional(),
  capabilities: z.array(Id).min(1, 'a room needs at least one capability'),
  availability: Availability,
});

export const Equipment = z.object({
  id: Id,
  name: z.string().optional(),
  count: z.number().int().positive('an equipment item needs at least one unit'),
  downtime: z
    .array(z.object({ start: Instant, end: Instant, units: z.number().int().positive().optional() }))
    .default([]),
});

export const Staff = z.object({
  id: Id,
  name: z.string().optional(),
  skills: z.array(Id).min(1, 'a staff member needs at least one skill'),
  availability: Availability,
});

export const StaffTask = z.object({ skill: Id, offsetMinutes: NonNegativeMinutes, minutes: PositiveMinutes });

export const Service = z.object({
  id: Id,
  name: z.string().optional(),
  minutes: PositiveMinutes,
  specialty: Id.optional(),
  roomCapability: Id,
  equipment: z.array(z.object({ id: Id, count: z.number().int().positive().default(1) })).default([]),
  staffTasks: z.array(StaffTask).default([]),
  turnoverMinutes: NonNegativeMinutes.default(0),
  prep: z.array(z.string()).default([]),
  // Extensions for cancellations (optional).
  lateCancelHours: z.number().min(0).optional(),
  lateCancelFee: z.number().min(0).optional(),
  // Extension (optional): a request for it is booked only once its prior authorisation is approved.
  requiresAuthorization: z.boolean().optional(),
});

export const Request = z.object({
  id: Id,
  patientId: Id,
  serviceId: Id,
  urgency: Urgency,
  earliestStart: Instant.optional(),
  latestEnd: Instant.optional(),
  minutes: PositiveMinutes.optional(),
  providerId: Id.optional(),
  preferredProviderIds: z.array(Id).default([]),
  // Extensions (optional): prior authorisation, and the referral the request came with.
  authorization: Authorization.optional(),
  referral: Referral.optional(),
  // Extension (optional): the estimated chance the patient does not come (the no-show model's estimate);
  // only overbooking reads it.
  noShowProbability: z.number().min(0, 'must be between 0 and 1').max(1, 'must be between 0 and 1').optional(),
});

export const Weights = z.object({
  urgency: z
    .object({
      emergency: z.number().positive().default(1000),
      urgent: z.number().positive().default(100),
      routine: z.number().positive().default(10),
    })
    .default({ emergency: 1000, urgent: 100, routine: 10 }),
  preferredProvider: z.number().min(0).default(2),
  waitPerHour: z.number().min(0).default(0.25),
});

// Re-planning the rest of the day: the cost of each kind of change (spec, "Disruptions and re-planning").
export const ReplanSettings = z.object({
  maxOvertimeMinutes: NonNegativeMinutes.default(60),
  lateness: z
    .object({
      emergency: z.number().min(0).default(10),
      urgent: z.number().min(0).default(2),
      routine: z.number().min(0).default(1),
    })
    .default({ emergency: 10, urgent: 2, routine: 1 }),
  reassignProvider: z.number().min(0).default(30),
  changeRoom: z.number().min(0).default(5),
  bump: z
    .object({ routine: z.number().min(0).default(500), urgent: z.number().min(0).default(2000) })
    .default({ routine: 500, urgent: 2000 }),
  overtimePerMinute: z.number().min(0).default(2),
});
export const DEFAULT_REPLAN = {
  maxOvertimeMinutes: 60,
  lateness: { emergency: 10, urgent: 2, routine: 1 },
  reassignProvider: 30,
  changeRoom: 5,
  bump: { routine: 500, urgent: 2000 },
  overtimePerMinute: 2,
};

export const DEFAULT_WEIGHTS = { urgency: { emergency: 1000, urgent: 100, routine: 10 }, preferredProvider: 2, waitPerHour: 0.25 };

export const InstanceShape = z.object({
  version: z.literal(1, 'must be 1 (the contract version this service reads)'),
  clinic: z.object({
    id: Id,
    name: z.string().optional(),
    timezone: TimeZone,
    // Extensions for cancellations (optional).
    lateCancelHours: z.number().min(0).optional(),
    lateCancelFee: z.number().min(0).optional(),
    // Extension (optional): how a freed place is offered to the waitlist.
    waitlist: WaitlistPolicy.optional(),
  }),
  horizon: Interval,
  slotMinutes: PositiveMinutes.max(60, 'must be at most 60').default(5),
  providers: z.array(Provider).default([]),
  rooms: z.array(Room).default([]),
  equipment: z.array(Equipment).default([]),
  staff: z.array(Staff).default([]),
  services: z.array(Service).default([]),
  requests: z.array(Request).default([]),
  bookings: z.array(Booking).default([]),
  weights: Weights.default(DEFAULT_WEIGHTS),
  replan: ReplanSettings.default(DEFAULT_REPLAN),
  // Extension (optional): the batch optimizer may overbook providers (off when absent).
  overbooking: Overbooking.optional(),
});

export const Instance = InstanceShape.superRefine(checkInstanceReferences);
export type Instance = z.infer<typeof InstanceShape>;
export type InstanceInput = z.input<typeof InstanceShape>;
export type Provider = z.infer<typeof Provider>;
export type Room = z.infer<typeof Room>;
export type Equipment = z.infer<typeof Equipment>;
export type Staff = z.infer<typeof Staff>;
export type Service = z.infer<typeof Service>;
export type Request = z.infer<typeof Request>;
export type Weights = z.infer<typeof Weights>;
export type ReplanSettings = z.infer<typeof ReplanSettings>;
