// A clinic set-up for the service tests: n interchangeable providers, rooms and staff (so a test can
// make every booking collide on exactly one resource), one ECG cart, on one day in Chicago.
export const DAY = '2030-01-15';
const OPEN = `${DAY}T08:00:00-06:00`;
const CLOSE = `${DAY}T17:00:00-06:00`;

/** `HH:MM` on the clinic day as RFC 3339 with the Chicago offset of that day (CST). */
export const at = (hhmm: string) => `${DAY}T${hhmm}:00-06:00`;

export function serviceClinic(id: string, n: number) {
  const day = [{ start: OPEN, end: CLOSE }];
  const range = (prefix: string) => Array.from({ length: n }, (_, i) => `${prefix}-${i}`);
  return {
    clinic: { id, name: `Test clinic ${id}`, timezone: 'America/Chicago' },
    slotMinutes: 15,
    providers: range('dr').map((pid) => ({ id: pid, specialties: ['gp'], availability: day })),
    rooms: range('room').map((rid) => ({ id: rid, capabilities: ['exam'], availability: day })),
    staff: range('st').map((sid) => ({ id: sid, skills: ['phlebotomy'], availability: day })),
    equipment: [{ id: 'ecg', count: 1 }],
    services: [
      { id: 'visit', minutes: 30, specialty: 'gp', roomCapability: 'exam' },
      { id: 'draw', minutes: 15, roomCapability: 'exam', staffTasks: [{ skill: 'phlebotomy', offsetMinutes: 0, minutes: 15 }] },
      { id: 'ecg-visit', minutes: 30, specialty: 'gp', roomCapability: 'exam', equipment: [{ id: 'ecg', count: 1 }] },
    ],
  };
}
