// Size caps on a clinic set-up: far above any real clinic, low enough that one request can never make
// slot search or a booking slow for everyone (the body limit alone would allow ~10,000 providers).
import { z } from 'zod';
import { Appointment } from '../contract/appointment.js';
import type { ClinicSetup } from '../contract/clinicSetup.js';
import { Id } from '../contract/primitives.js';
import { ApiError } from './errors.js';

export const SETUP_CAPS = {
  items: 500, // providers, rooms, staff, services, equipment each
  intervals: 100, // availability or downtime intervals of one resource
  labels: 50, // specialties, capabilities, skills of one resource
  serviceParts: 20, // equipment and staff tasks of one service
};

type Issue = { path: (string | number)[]; message: string };

/** Every cap a set-up exceeds, with the path of the list that is too long. */
export function capProblems(setup: ClinicSetup): Issue[] {
  const issues: Issue[] = [];
  const cap = (items: readonly unknown[], max: number, path: (string | number)[], what: string) => {
    if (items.length > max) issues.push({ path, message: `at most ${max} ${what} (got ${items.length})` });
  };
  for (const list of ['providers', 'rooms', 'staff', 'services', 'equipment'] as const) cap(setup[list], SETUP_CAPS.items, [list], list);
  setup.providers.forEach((p, i) => {
    cap(p.availability, SETUP_CAPS.intervals, ['providers', i, 'availability'], 'intervals');
    cap(p.specialties, SETUP_CAPS.labels, ['providers', i, 'specialties'], 'specialties');
  });
  setup.rooms.forEach((r, i) => {
    cap(r.availability, SETUP_CAPS.intervals, ['rooms', i, 'availability'], 'intervals');
    cap(r.capabilities, SETUP_CAPS.labels, ['rooms', i, 'capabilities'], 'capabilities');
  });
  setup.staff.forEach((s, i) => {
    cap(s.availability, SETUP_CAPS.intervals, ['staff', i, 'availability'], 'intervals');
    cap(s.skills, SETUP_CAPS.labels, ['staff', i, 'skills'], 'skills');
  });
  setup.equipment.forEach((e, i) => cap(e.downtime, SETUP_CAPS.intervals, ['equipment', i, 'downtime'], 'downtime intervals'));
  setup.services.forEach((s, i) => {
    cap(s.equipment, SETUP_CAPS.serviceParts, ['services', i, 'equipment'], 'equipment items');
    cap(s.staffTasks, SETUP_CAPS.serviceParts, ['services', i, 'staffTasks'], 'staff tasks');
    cap(s.prep, SETUP_CAPS.serviceParts, ['services', i, 'prep'], 'prep lines');
  });
  return issues;
}

/** The caps as a zod check, so they report like every other validation problem. */
export function checkCaps(setup: ClinicSetup, ctx: z.RefinementCtx): void {
  for (const issue of capProblems(setup)) ctx.addIssue({ code: 'custom', path: issue.path, message: issue.message });
}

// Caps on what the other routes take and keep: far above a real clinic day, low enough that one caller
// cannot make an optimization, a search or a listing slow or large for everyone.
export const REQUEST_CAPS = {
  /** Waiting requests a clinic may keep (remove served ones: DELETE /clinics/{id}/requests/{rid}). */
  waitingPerClinic: 50_000,
  /** Waiting requests reaching into one day that an optimization takes (the 100-provider bench day has ~2,300). */
  perOptimizedDay: 5_000,
  /** Preferred providers of one request. */
  preferredProviders: 50,
  /** Equipment items and staff members of one appointment. */
  appointmentParts: 50,
};

/** A request's preferred providers, capped. */
export const PreferredProviderIds = z
  .array(Id)
  .max(REQUEST_CAPS.preferredProviders, `at most ${REQUEST_CAPS.preferredProviders} preferred providers`)
  .default([]);

/** An appointment of a bulk booking, its lists capped. */
export const CappedAppointment = Appointment.extend({
  equipment: Appointment.shape.equipment.unwrap().max(REQUEST_CAPS.appointmentParts, `at most ${REQUEST_CAPS.appointmentParts} equipment items`).default([]),
  staff: Appointment.shape.staff.unwrap().max(REQUEST_CAPS.appointmentParts, `at most ${REQUEST_CAPS.appointmentParts} staff members`).default([]),
});

/** The answer when a clinic's waiting list is at its cap. */
export const waitingListFull = (clinicId: string, max: number) =>
  new ApiError(409, {
    error: 'cap-reached',
    message: `clinic '${clinicId}' already has ${max} waiting requests, the most it may keep (cap: waiting requests per clinic); delete served ones first`,
    problems: [{ path: '$.body', message: `a clinic keeps at most ${max} waiting requests` }],
  });

/** The answer when a day has more waiting requests than one optimization takes. */
export const dayTooLarge = (date: string, count: number) =>
  new ApiError(422, {
    error: 'cap-exceeded',
    message: `${count} waiting requests reach into ${date}; an optimization takes at most ${REQUEST_CAPS.perOptimizedDay} (cap: requests per optimized day)`,
    problems: [{ path: '$.body.date', message: `at most ${REQUEST_CAPS.perOptimizedDay} waiting requests per optimized day (got ${count})` }],
  });
