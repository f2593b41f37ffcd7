import { isHistory, type Appointment } from './appointment.js';
import type { Instance } from './instance.js';
import type { Problem } from './parse.js';
import { jsonPath } from './parse.js';
import type { ReplanInput } from './replan.js';
import { toMs } from '../domain/time.js';

type Path = (string | number)[];

/** How an event names an appointment: by its id, else by its requestId (a batch result has no ids). */
export function findAppointment(appointments: readonly Appointment[], ref: string): number {
  const byId = appointments.findIndex((a) => a.id === ref);
  return byId >= 0 ? byId : appointments.findIndex((a) => a.id === undefined && a.requestId === ref);
}

/**
 * Rules of a re-plan input that span documents: `now` inside the horizon, the day's appointments
 * naming what the instance has, and every event naming something that exists and can still happen.
 * Every problem is listed with its JSON path in the re-plan input ($.now, $.appointments[i], $.events[k]).
 */
export function checkReplanInput(inst: Instance, input: ReplanInput): Problem[] {
  const problems: Problem[] = [];
  const report = (path: Path, message: string) => problems.push({ path: jsonPath(path), message });
  const h0 = toMs(inst.horizon.start);
  const h1 = toMs(inst.horizon.end);
  const now = toMs(input.now);
  if (now < h0 || now > h1) report(['now'], `must lie inside the horizon ${inst.horizon.start} .. ${inst.horizon.end}`);

  const providers = new Set(inst.providers.map((p) => p.id));
  const rooms = new Set(inst.rooms.map((r) => r.id));
  const staff = new Set(inst.staff.map((s) => s.id));
  const equipment = new Map(inst.equipment.map((e) => [e.id, e]));
  const services = new Map(inst.services.map((s) => [s.id, s]));
  const requestIds = new Set(inst.requests.map((r) => r.id));

  const seenIds = new Map<string, number>();
  const seenRequests = new Map<string, number>();
  input.appointments.forEach((a, i) => {
    const path = ['appointments', i];
    if (a.id !== undefined) {
      const k = seenIds.get(a.id);
      if (k !== undefined) report([...path, 'id'], `appointment id '${a.id}' is already used by appointments[${k}]`);
      else seenIds.set(a.id, i);
    }
    if (a.status !== 'cancelled' && a.status !== 'noshow') {
      const k = seenRequests.get(a.requestId);
      if (k !== undefined) report([...path, 'requestId'], `request '${a.requestId}' already has an appointment (appointments[${k}])`);
      else seenRequests.set(a.requestId, i);
    }
    if (!services.has(a.serviceId)) report([...path, 'serviceId'], `unknown service '${a.serviceId}'`);
    if (a.providerId !== null && !providers.has(a.providerId)) report([...path, 'providerId'], `unknown provider '${a.providerId}'`);
    if (!rooms.has(a.roomId)) report([...path, 'roomId'], `unknown room '${a.roomId}'`);
    a.staff.forEach((s, j) => !staff.has(s.staffId) && report([...path, 'staff', j, 'staffId'], `unknown staff member '${s.staffId}'`));
    a.equipment.forEach((e, j) => !equipment.has(e.id) && report([...path, 'equipment', j, 'id'], `unknown equipment '${e.id}'`));
    if (toMs(a.end) <= toMs(a.start)) report([...path, 'end'], 'the appointment must end after it starts');
    if (a.status === 'fulfilled' && toMs(a.start) > now)
      report([...path, 'status'], `is fulfilled but starts at ${a.start}, after now (${input.now})`);
  });

  const appointmentAt = (path: Path, ref: string): Appointment | undefined => {
    const i = findAppointment(input.appointments, ref);
    if (i < 0) {
      report(path, `unknown appointment '${ref}': no appointment of the day has this id (or requestId)`);
      return undefined;
    }
    return input.appointments[i];
  };
  const span = (path: Path, start: string, end: string) => {
    if (toMs(end) <= toMs(start)) report([...path, 'end'], `ends at ${end}, not after it starts at ${start}`);
  };
  const newRequests = new Set<string>();

  input.events.forEach((e, k) => {
    const path: Path = ['events', k];
    switch (e.type) {
      case 'delay':
        if (!providers.has(e.providerId)) report([...path, 'providerId'], `unknown provider '${e.providerId}'`);
        break;
      case 'overrun': {
        const a = appointmentAt([...path, 'appointmentId'], e.appointmentId);
        if (!a) break;
        if (isHistory(a.status) && a.status !== 'in-progress')
          report([...path, 'appointmentId'], `appointment '${e.appointmentId}' is already ${a.status}; it cannot run long`);
        else if (toMs(e.expectedEnd) <= toMs(a.start))
          report([...path, 'expectedEnd'], `expected end ${e.expectedEnd} is not after the appointment's start ${a.start}`);
        else if (a.status === 'in-progress' && toMs(e.expectedEnd) < now)
          report([...path, 'expectedEnd'], `expected end ${e.expectedEnd} is before now (${input.now})`);
        break;
      }
      case 'cancellation':
      case 'noshow': {
        const a = appointmentAt([...path, 'appointmentId'], e.appointmentId);
        if (!a) break;
        if (isHistory(a.status))
          report([...path, 'appointmentId'], `appointment '${e.appointmentId}' is already ${a.status}; it cannot be ${e.type === 'noshow' ? 'a no-show' : 'cancelled'}`);
        else if (e.type === 'noshow' && a.status === 'checked-in')
          report([...path, 'appointmentId'], `the patient of appointment '${e.appointmentId}' is checked in, so it is not a no-show`);
        else if (e.type === 'noshow' && toMs(a.start) > now)
          report([...path, 'appointmentId'], `appointment '${e.appointmentId}' starts at ${a.start}, after now (${input.now}): too early for a no-show`);
        else if (e.type === 'cancellation' && toMs(e.at) > now)
          report([...path, 'at'], `the cancellation is at ${e.at}, after now (${input.now})`);
        break;
      }
      case 'emergency': {
        const r = e.request;
        const rp = [...path, 'request'];
        if (requestIds.has(r.id) || seenRequests.has(r.id) || newRequests.has(r.id))
          report([...rp, 'id'], `request id '${r.id}' is already used`);
        newRequests.add(r.id);
        const service = services.get(r.serviceId);
        if (!service) report([...rp, 'serviceId'], `unknown service '${r.serviceId}'`);
        if (r.providerId !== undefined && !providers.has(r.providerId)) report([...rp, 'providerId'], `unknown provider '${r.providerId}'`);
        const minutes = r.minutes ?? service?.minutes;
        if (minutes !== undefined && minutes % inst.slotMinutes !== 0)
          report([...rp, r.minutes !== undefined ? 'minutes' : 'serviceId'], `duration ${minutes} min is off the ${inst.slotMinutes}-minute grid`);
        if (r.earliestStart && r.latestEnd) span(rp, r.earliestStart, r.latestEnd);
        break;
      }
      case 'resource-down': {
        const known = e.kind === 'room' ? rooms.has(e.id) : e.kind === 'provider' ? providers.has(e.id) : equipment.has(e.id);
        if (!known) report([...path, 'id'], `unknown ${e.kind} '${e.id}'`);
        span(path, e.start, e.end);
        if (e.units !== undefined) {
          if (e.kind !== 'equipment') report([...path, 'units'], 'units only apply to equipment');
          else if (known && e.units > equipment.get(e.id)!.count)
            report([...path, 'units'], `${e.units} units down but '${e.id}' has only ${equipment.get(e.id)!.count}`);
        }
        break;
      }
      case 'staff-absence':
        if (!staff.has(e.staffId)) report([...path, 'staffId'], `unknown staff member '${e.staffId}'`);
        span(path, e.start, e.end);
        break;
    }
  });
  return problems;
}
