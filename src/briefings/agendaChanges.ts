// Whose agenda a change of the schedule touches (pure): each provider and staff member, with the
// appointments that came onto, left or moved within their agenda. An appointment is on a provider's agenda
// while it holds capacity; on a staff member's through their assignment in it, with the assignment's own
// times (so a draw moved from 10:30 to 10:45 inside an unchanged visit is a change for the phlebotomist).
import { holdsCapacity, type Appointment } from '../contract/appointment.js';
import type { PersonKind } from '../contract/briefing.js';
import { toMs } from '../domain/time.js';

type Placed = Appointment & { id?: string; hold?: unknown };

export type AgendaChange = { kind: PersonKind; personId: string; appointmentIds: string[] };

/** Per person (`kind:id`), what each of their appointments looks like to them. */
function agendas(appointments: readonly Placed[]): Map<string, Map<string, string>> {
  const out = new Map<string, Map<string, string>>();
  const put = (person: string, appointmentId: string, what: string) => {
    let agenda = out.get(person);
    if (!agenda) out.set(person, (agenda = new Map()));
    agenda.set(appointmentId, agenda.has(appointmentId) ? `${agenda.get(appointmentId)}+${what}` : what);
  };
  for (const a of appointments) {
    if (!holdsCapacity(a.status) || a.hold !== undefined || a.id === undefined) continue;
    const place = `${a.roomId}|${a.serviceId}`;
    if (a.providerId !== null) put(`provider:${a.providerId}`, a.id, `${toMs(a.start)}-${toMs(a.end)}|${place}`);
    for (const s of a.staff) put(`staff:${s.staffId}`, a.id, `${s.skill}@${toMs(s.start)}-${toMs(s.end)}|${place}|${a.providerId ?? ''}`);
  }
  return out;
}

/** Everyone whose agenda differs between `before` and `after` (each a list of one day's appointments), in a stable order. */
export function agendaChanges(before: readonly Placed[], after: readonly Placed[]): AgendaChange[] {
  const was = agendas(before);
  const is = agendas(after);
  const changes: AgendaChange[] = [];
  for (const person of new Set([...was.keys(), ...is.keys()])) {
    const a = was.get(person) ?? new Map<string, string>();
    const b = is.get(person) ?? new Map<string, string>();
    const ids = [...new Set([...a.keys(), ...b.keys()])].filter((id) => a.get(id) !== b.get(id));
    if (ids.length === 0) continue;
    const colon = person.indexOf(':');
    changes.push({ kind: person.slice(0, colon) as PersonKind, personId: person.slice(colon + 1), appointmentIds: ids.sort() });
  }
  return changes.sort((x, y) => x.kind.localeCompare(y.kind) || x.personId.localeCompare(y.personId));
}
