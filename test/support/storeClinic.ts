// A small clinic set-up for the store tests: every kind of resource a booking can collide on.
import type { Appointment } from '../../src/contract/appointment.js';
import type { ClinicSetup } from '../../src/contract/clinicSetup.js';
import { formatInZone } from '../../src/domain/time.js';

export const ZONE = 'America/Chicago';
export const DATE = '2026-11-23';
const at = (hhmm: string) => `${DATE}T${hhmm}:00-06:00`;
const day = [{ start: at('08:00'), end: at('17:00') }];

export function storeClinic(id: string): ClinicSetup {
  return {
    clinic: { id, timezone: ZONE },
    slotMinutes: 5,
    providers: [
      { id: 'dr-a', specialties: ['fm'], availability: day },
      { id: 'dr-b', specialties: ['fm'], availability: day },
      { id: 'dr-c', specialties: ['fm'], availability: [{ start: at('08:00'), end: at('12:00') }], maxAppointments: 2 },
    ],
    rooms: [
      { id: 'exam-1', capabilities: ['exam'], availability: day },
      { id: 'exam-2', capabilities: ['exam'], availability: day },
      { id: 'proc-1', capabilities: ['exam', 'proc'], availability: [{ start: at('08:00'), end: at('12:00') }, { start: at('12:05'), end: at('17:00') }] },
    ],
    equipment: [
      { id: 'ecg', count: 1, downtime: [{ start: at('15:00'), end: at('16:00') }] },
      { id: 'pump', count: 2, downtime: [{ start: at('13:00'), end: at('14:00'), units: 1 }] },
    ],
    staff: [
      { id: 'nurse-1', skills: ['nursing'], availability: day },
      { id: 'nurse-2', skills: ['nursing'], availability: day },
    ],
    services: [
      { id: 'visit', minutes: 20, specialty: 'fm', roomCapability: 'exam', equipment: [], staffTasks: [], turnoverMinutes: 0, prep: [] },
      { id: 'proc', minutes: 30, specialty: 'fm', roomCapability: 'proc', equipment: [{ id: 'pump', count: 1 }], staffTasks: [{ skill: 'nursing', offsetMinutes: 10, minutes: 10 }], turnoverMinutes: 10, prep: [] },
      { id: 'ecg-test', minutes: 15, roomCapability: 'exam', equipment: [{ id: 'ecg', count: 1 }], staffTasks: [{ skill: 'nursing', offsetMinutes: 0, minutes: 15 }], turnoverMinutes: 0, prep: [] },
      { id: 'double-pump', minutes: 20, specialty: 'fm', roomCapability: 'exam', equipment: [{ id: 'pump', count: 2 }], staffTasks: [], turnoverMinutes: 0, prep: [] },
    ],
    weights: { urgency: { emergency: 1000, urgent: 100, routine: 10 }, preferredProvider: 2, waitPerHour: 0.25 },
    replan: { maxOvertimeMinutes: 60, lateness: { emergency: 10, urgent: 2, routine: 1 }, reassignProvider: 30, changeRoom: 5, bump: { routine: 500, urgent: 2000 }, overtimePerMinute: 2 },
  };
}

const MINUTE = 60_000;
const SERVICE_MINUTES: Record<string, number> = { visit: 20, proc: 30, 'ecg-test': 15, 'double-pump': 20 };

/** Minutes after 08:00 local on DATE. */
export function minutesAt(offset: number): string {
  return formatInZone(Date.parse(at('08:00')) + offset * MINUTE, ZONE);
}

export type Visit = {
  requestId: string;
  patientId: string;
  serviceId: keyof typeof SERVICE_MINUTES;
  providerId?: string | null;
  roomId: string;
  /** minutes after 08:00 */
  start: number;
  staffId?: string;
};

/** A well-formed appointment of the service (its staff task and equipment as the service has them). */
export function visit(v: Visit): Appointment {
  const minutes = SERVICE_MINUTES[v.serviceId]!;
  const staff =
    v.serviceId === 'proc'
      ? [{ staffId: v.staffId ?? 'nurse-1', skill: 'nursing', start: minutesAt(v.start + 10), end: minutesAt(v.start + 20) }]
      : v.serviceId === 'ecg-test'
        ? [{ staffId: v.staffId ?? 'nurse-1', skill: 'nursing', start: minutesAt(v.start), end: minutesAt(v.start + 15) }]
        : [];
  const equipment =
    v.serviceId === 'proc' ? [{ id: 'pump', count: 1 }] : v.serviceId === 'ecg-test' ? [{ id: 'ecg', count: 1 }] : v.serviceId === 'double-pump' ? [{ id: 'pump', count: 2 }] : [];
  return {
    requestId: v.requestId,
    patientId: v.patientId,
    serviceId: v.serviceId,
    providerId: v.serviceId === 'ecg-test' ? null : (v.providerId ?? 'dr-a'),
    roomId: v.roomId,
    start: minutesAt(v.start),
    end: minutesAt(v.start + minutes),
    equipment,
    staff,
  };
}
