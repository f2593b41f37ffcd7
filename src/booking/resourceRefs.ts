import type { Appointment } from '../contract/appointment.js';
import type { ClinicSetup } from '../contract/clinicSetup.js';

// What a live appointment depends on in the set-up, so a set-up change cannot pull it from under it:
// the ids it names, and the grid its capacity counters are numbered on (slot length and zone).

export const gridRef = (setup: Pick<ClinicSetup, 'slotMinutes' | 'clinic'>) => `grid:${setup.slotMinutes}|${setup.clinic.timezone}`;

export function refsOfAppointment(setup: ClinicSetup, a: Appointment): string[] {
  const refs = new Set<string>([gridRef(setup), `service:${a.serviceId}`, `room:${a.roomId}`]);
  if (a.providerId !== null) refs.add(`provider:${a.providerId}`);
  for (const s of a.staff) refs.add(`staff:${s.staffId}`);
  for (const e of a.equipment) refs.add(`equipment:${e.id}`);
  return [...refs];
}

export function refsOfSetup(setup: ClinicSetup): string[] {
  return [
    gridRef(setup),
    ...setup.services.map((s) => `service:${s.id}`),
    ...setup.rooms.map((r) => `room:${r.id}`),
    ...setup.providers.map((p) => `provider:${p.id}`),
    ...setup.staff.map((s) => `staff:${s.id}`),
    ...setup.equipment.map((e) => `equipment:${e.id}`),
  ];
}

/** Where in a set-up document a reference lives and how to name it. */
export function describeRef(ref: string): { path: string; what: string } {
  const colon = ref.indexOf(':');
  const kind = ref.slice(0, colon);
  const id = ref.slice(colon + 1);
  switch (kind) {
    case 'grid': {
      const [slot, zone] = id.split('|');
      return { path: '$.slotMinutes', what: `the ${slot}-minute grid in ${zone} (slotMinutes and clinic.timezone cannot change while appointments are booked)` };
    }
    case 'service':
      return { path: '$.services', what: `service '${id}'` };
    case 'room':
      return { path: '$.rooms', what: `room '${id}'` };
    case 'provider':
      return { path: '$.providers', what: `provider '${id}'` };
    case 'staff':
      return { path: '$.staff', what: `staff member '${id}'` };
    default:
      return { path: '$.equipment', what: `equipment '${id}'` };
  }
}
