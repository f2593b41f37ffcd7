import { z } from 'zod';
import { Appointment } from './appointment.js';
import { Request } from './instance.js';
import { Id, Instant, ResourceKind } from './primitives.js';

// Disruptions, exactly as the contract lists them ("Disruptions and re-planning the rest of the day").
export const DelayEvent = z.object({ type: z.literal('delay'), providerId: Id, availableFrom: Instant });
export const OverrunEvent = z.object({ type: z.literal('overrun'), appointmentId: Id, expectedEnd: Instant });
export const EmergencyEvent = z.object({
  type: z.literal('emergency'),
  // A walk-in or add-on; its urgency is emergency unless it says otherwise.
  request: Request.extend({ urgency: Request.shape.urgency.default('emergency') }),
});
export const CancellationEvent = z.object({ type: z.literal('cancellation'), appointmentId: Id, at: Instant });
export const NoShowEvent = z.object({ type: z.literal('noshow'), appointmentId: Id });
export const ResourceDownEvent = z.object({
  type: z.literal('resource-down'),
  kind: ResourceKind,
  id: Id,
  start: Instant,
  end: Instant,
  units: z.number().int().positive().optional(),
});
export const StaffAbsenceEvent = z.object({ type: z.literal('staff-absence'), staffId: Id, start: Instant, end: Instant });

export const ReplanEvent = z.discriminatedUnion(
  'type',
  [DelayEvent, OverrunEvent, EmergencyEvent, CancellationEvent, NoShowEvent, ResourceDownEvent, StaffAbsenceEvent],
  { error: 'must be an event whose type is one of delay, overrun, emergency, cancellation, noshow, resource-down, staff-absence' },
);
export type ReplanEvent = z.infer<typeof ReplanEvent>;

/**
 * The same events with no field they do not know (the service's bodies are strict: a misspelt field is
 * refused with its path, never dropped), the emergency's request included.
 */
export const StrictReplanEvent = z.discriminatedUnion(
  'type',
  [
    DelayEvent.strict(),
    OverrunEvent.strict(),
    EmergencyEvent.extend({ request: EmergencyEvent.shape.request.strict() }).strict(),
    CancellationEvent.strict(),
    NoShowEvent.strict(),
    ResourceDownEvent.strict(),
    StaffAbsenceEvent.strict(),
  ],
  { error: 'must be an event whose type is one of delay, overrun, emergency, cancellation, noshow, resource-down, staff-absence' },
);

/** The day as it stands: every appointment of the day with its status (a batch result works as is). */
export const DayState = z.object({ appointments: z.array(Appointment) });
export type DayState = z.infer<typeof DayState>;

/** Everything a re-plan reads besides the instance. */
export const ReplanInput = z.object({
  now: Instant,
  appointments: z.array(Appointment),
  events: z.array(ReplanEvent),
});
export type ReplanInput = z.infer<typeof ReplanInput>;

const Slot = z.object({ providerId: Id.nullable(), roomId: Id, start: Instant, end: Instant });
export type Slot = z.infer<typeof Slot>;

export const ChangeKind = z.enum(['moved', 'reassigned', 'bumped', 'added', 'cancelled']);

export const Change = z.object({
  kind: ChangeKind,
  appointmentId: Id.optional(),
  requestId: Id,
  patientId: Id,
  from: Slot.nullable(),
  to: Slot.nullable(),
  /** Minutes the start moved later (negative when earlier); 0 when it did not move or has no new place. */
  delayMinutes: z.number(),
  /** The room changed too (a reassignment or a move may also change the room). */
  roomChanged: z.boolean().optional(),
});
export type Change = z.infer<typeof Change>;

export const PatientNotification = z.object({
  patientId: Id,
  requestId: Id,
  kind: z.enum(['moved', 'bumped', 'added']),
  message: z.string(),
});
export const StaffNotification = z.object({
  kind: z.enum(['provider', 'staff']),
  id: Id,
  name: z.string(),
  /** Their agenda for the rest of the day after the re-plan. */
  agenda: z.array(z.object({ requestId: Id, start: Instant, end: Instant, roomId: Id })),
  message: z.string(),
});

export const BillingFlag = z.object({
  appointmentId: Id.optional(),
  requestId: Id,
  patientId: Id,
  serviceId: Id,
  cancelledAt: Instant,
  start: Instant,
  hoursBefore: z.number(),
  windowHours: z.number(),
  fee: z.number().nullable(),
  reason: z.string(),
});
export type BillingFlag = z.infer<typeof BillingFlag>;

export const Rebooking = z.object({
  requestId: Id,
  patientId: Id,
  proposal: Appointment.nullable(),
  reason: z.string().optional(),
});
export type Rebooking = z.infer<typeof Rebooking>;

export const CostBreakdown = z.object({
  lateness: z.number(),
  reassignments: z.number(),
  roomChanges: z.number(),
  bumps: z.number(),
  overtime: z.number(),
});
export type CostBreakdown = z.infer<typeof CostBreakdown>;

export const ReplanResult = z.object({
  status: z.enum(['optimal', 'feasible', 'infeasible', 'no-solution']),
  now: Instant,
  cost: z.number(),
  bound: z.number(),
  gap: z.number().min(0),
  solveMs: z.number().min(0),
  summary: z.string(),
  /** The whole day after the re-plan: history as it was, the rest re-planned; bumped appointments are left out. */
  appointments: z.array(Appointment),
  changes: z.array(Change),
  notifications: z.object({ patients: z.array(PatientNotification), staff: z.array(StaffNotification) }),
  billing: z.array(BillingFlag),
  rebooking: z.array(Rebooking),
  /** New requests (emergencies, walk-ins) that fit nowhere, with the reasons. */
  unscheduled: z.array(z.object({ requestId: Id, reasons: z.array(z.string()) })),
  costBreakdown: CostBreakdown,
  stats: z
    .object({ movable: z.number().int(), fixed: z.number().int(), columns: z.number().int(), rows: z.number().int(), backend: z.string() })
    .partial()
    .optional(),
});
export type ReplanResult = z.infer<typeof ReplanResult>;
