import type { Appointment } from '../contract/appointment.js';
import type { Request } from '../contract/instance.js';
import type { SlotOption } from '../contract/slotOption.js';

/** The appointment a slot option stands for (to hold or book it), status booked. */
export function appointmentFromOption(request: Request, option: SlotOption): Appointment {
  return {
    requestId: request.id,
    patientId: request.patientId,
    serviceId: request.serviceId,
    providerId: option.providerId,
    roomId: option.roomId,
    start: option.start,
    end: option.end,
    equipment: option.equipment.map((e) => ({ ...e })),
    staff: option.staff.map((s) => ({ ...s })),
    status: 'booked',
  };
}
