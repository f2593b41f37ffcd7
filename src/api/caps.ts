// Size caps on a clinic set-up: far above any real clinic, low enough that one request can never make
// slot search or a booking slow for everyone (the body limit alone would allow ~10,000 providers).
import type { z } from 'zod';
import type { ClinicSetup } from '../contract/clinicSetup.js';

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
