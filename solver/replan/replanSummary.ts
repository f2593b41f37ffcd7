import type { Instance } from '../../src/contract/instance.js';
import type { Change, ReplanInput } from '../../src/contract/replan.js';
import { findAppointment } from '../../src/contract/replanChecks.js';
import { localTime, MINUTE_MS, toMs } from '../../src/domain/time.js';

/** "Dr. Okafor is 25 min late: 3 patients moved by 10-25 min, 1 reassigned to NP Reyes". */
export function replanSummary(inst: Instance, input: ReplanInput, changes: Change[]): string {
  const zone = inst.clinic.timezone;
  const name = new Map<string, string>([...inst.providers, ...inst.staff, ...inst.rooms, ...inst.equipment].map((x) => [x.id, x.name ?? x.id]));
  const service = new Map(inst.services.map((s) => [s.id, s.name ?? s.id]));
  const at = (iso: string) => localTime(toMs(iso), zone);
  const apptOf = (ref: string) => input.appointments[findAppointment(input.appointments, ref)];

  const what = input.events.map((e) => {
    switch (e.type) {
      case 'delay': {
        const first = input.appointments.filter((a) => a.providerId === e.providerId && toMs(a.end) > toMs(input.now)).map((a) => toMs(a.start));
        const late = Math.round((toMs(e.availableFrom) - Math.max(toMs(input.now), Math.min(...first, toMs(e.availableFrom)))) / MINUTE_MS);
        return late > 0 ? `${name.get(e.providerId)} is ${late} min late` : `${name.get(e.providerId)} is available from ${at(e.availableFrom)}`;
      }
      case 'overrun': {
        const a = apptOf(e.appointmentId)!;
        return `${service.get(a.serviceId)} in ${name.get(a.roomId)} runs ${Math.round((toMs(e.expectedEnd) - toMs(a.end)) / MINUTE_MS)} min long`;
      }
      case 'emergency':
        return `emergency ${service.get(e.request.serviceId) ?? e.request.serviceId} for ${e.request.patientId}`;
      case 'cancellation':
        return `${apptOf(e.appointmentId)!.patientId} cancelled the ${at(apptOf(e.appointmentId)!.start)} ${service.get(apptOf(e.appointmentId)!.serviceId)}`;
      case 'noshow':
        return `${apptOf(e.appointmentId)!.patientId} did not come at ${at(apptOf(e.appointmentId)!.start)}`;
      case 'resource-down':
        return `${name.get(e.id)} is down ${at(e.start)}-${at(e.end)}`;
      case 'staff-absence':
        return `${name.get(e.staffId)} is out ${at(e.start)}-${at(e.end)}`;
    }
  });

  const parts: string[] = [];
  const moved = changes.filter((c) => c.kind === 'moved' && c.delayMinutes !== 0);
  if (moved.length > 0) {
    const d = moved.map((c) => Math.abs(c.delayMinutes));
    const lo = Math.min(...d);
    const hi = Math.max(...d);
    const dir = moved.every((c) => c.delayMinutes > 0) ? 'moved' : 'moved (some earlier)';
    parts.push(`${moved.length} ${moved.length === 1 ? 'patient' : 'patients'} ${dir} by ${lo === hi ? lo : `${lo}-${hi}`} min`);
  }
  const roomOnly = changes.filter((c) => c.kind === 'moved' && c.delayMinutes === 0);
  if (roomOnly.length > 0) parts.push(`${roomOnly.length} moved to another room`);
  const reassigned = changes.filter((c) => c.kind === 'reassigned');
  if (reassigned.length > 0) {
    const to = [...new Set(reassigned.map((c) => name.get(c.to!.providerId ?? '') ?? c.to!.providerId))].join(', ');
    parts.push(`${reassigned.length} reassigned to ${to}`);
  }
  const added = changes.filter((c) => c.kind === 'added');
  for (const c of added) parts.push(`${c.patientId} seen at ${at(c.to!.start)}${c.to!.providerId ? ` by ${name.get(c.to!.providerId)}` : ''}`);
  const bumped = changes.filter((c) => c.kind === 'bumped').length;
  if (bumped > 0) parts.push(`${bumped} bumped to another day`);
  const head = what.length > 0 ? what.join('; ') : 'no events';
  return `${head}: ${parts.length > 0 ? parts.join(', ') : 'nothing else changes'}`;
}
