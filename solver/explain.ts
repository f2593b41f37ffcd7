import type { Instance } from '../src/contract/instance.js';
import { localTime, toMs } from '../src/domain/time.js';
import type { Lane, Model } from './model/types.js';
import type { Usage } from './usage.js';

/**
 * Why a request is not on the schedule, in the words of the constraint that blocks it.
 * Each requirement (provider, room, staff, equipment, the patient's own time) is checked on its own
 * inside the request's window, first against opening hours and downtime, then against what is booked.
 */
export function explainUnscheduled(inst: Instance, model: Model, usage: Usage, index: number): string[] {
  const r = model.requests[index]!;
  const service = inst.services.find((s) => s.id === r.serviceId)!;
  const request = inst.requests.find((q) => q.id === r.id);
  const minutes = r.length * model.slotMinutes;
  const at = (slot: number) => localTime(model.origin + slot * model.slotMinutes * 60_000, model.timeZone);
  const windowEnd = r.last + r.length;
  const between = `between ${at(r.first)} and ${at(Math.max(r.first, windowEnd))}`;
  if (r.last < r.first) return [`its window ${between} is shorter than the ${minutes}-minute '${service.name ?? service.id}'`];

  const lanesOf = (kind: Lane['kind'], ids: (id: string) => boolean) =>
    model.lanes.map((lane, l) => ({ lane, l })).filter(({ lane }) => lane.kind === kind && lane.ids.some(ids));
  const providerIds = service.specialty
    ? inst.providers.filter((p) => p.specialties.includes(service.specialty!) && (!request?.providerId || p.id === request.providerId))
    : [];
  const requirements: { what: string; blockedStatic: string; blockedBooked: string; lanes: number[]; need: number; offset: number; length: number }[] = [];
  if (service.specialty) {
    const hours = providerIds.map((p) => `${p.name ?? p.id} works ${p.availability.map((a) => `${localTime(toMs(a.start), model.timeZone)}-${localTime(toMs(a.end), model.timeZone)}`).join(', ') || 'no hours'}`);
    const who = request?.providerId ? `${providerIds[0]?.name ?? request.providerId}, the provider this request requires,` : `no provider with specialty '${service.specialty}'`;
    requirements.push({
      what: 'provider',
      blockedStatic: `${who} ${request?.providerId ? 'is not' : 'is'} available for ${minutes} min ${between} (${hours.join('; ')})`,
      blockedBooked: request?.providerId
        ? `${providerIds[0]?.name ?? request.providerId}, the provider this request requires, is fully booked ${between}`
        : `every provider with specialty '${service.specialty}' (${providerIds.map((p) => p.name ?? p.id).join(', ')}) is fully booked ${between}`,
      lanes: lanesOf('provider', (id) => providerIds.some((p) => p.id === id)).map((x) => x.l),
      need: 1,
      offset: 0,
      length: r.length,
    });
  }
  const roomLanes = lanesOf('room', (id) => inst.rooms.find((room) => room.id === id)!.capabilities.includes(service.roomCapability)).map((x) => x.l);
  requirements.push({
    what: 'room',
    blockedStatic: `no room with capability '${service.roomCapability}' is open for ${minutes} min ${between}`,
    blockedBooked: `every room with capability '${service.roomCapability}' is taken ${between}`,
    lanes: roomLanes,
    need: 1,
    offset: 0,
    length: r.length,
  });
  for (const task of service.staffTasks) {
    const lanes = lanesOf('staff', (id) => inst.staff.find((s) => s.id === id)!.skills.includes(task.skill)).map((x) => x.l);
    requirements.push({
      what: 'staff',
      blockedStatic: `no staff member with skill '${task.skill}' is on duty for the ${task.minutes}-minute task ${between}`,
      blockedBooked: `every staff member with skill '${task.skill}' is busy ${between}`,
      lanes,
      need: 1,
      offset: task.offsetMinutes / model.slotMinutes,
      length: task.minutes / model.slotMinutes,
    });
  }
  for (const e of r.equipment) {
    const item = inst.equipment.find((x) => x.id === e.id)!;
    const down = item.downtime
      .filter((d) => toMs(d.start) < model.origin + windowEnd * model.slotMinutes * 60_000 && toMs(d.end) > model.origin + r.first * model.slotMinutes * 60_000)
      .map((d) => `${localTime(toMs(d.start), model.timeZone)}-${localTime(toMs(d.end), model.timeZone)}`);
    const name = item.name ?? item.id;
    requirements.push({
      what: 'equipment',
      blockedStatic: down.length ? `the ${name} is down ${down.join(', ')}` : `not enough units of the ${name} for ${minutes} min ${between}`,
      blockedBooked: item.count === 1 ? `the only ${name} is booked ${between}` : `all ${item.count} units of the ${name} are booked ${between}`,
      lanes: [e.lane],
      need: e.count,
      offset: 0,
      length: r.length,
    });
  }
  if (r.patientLane >= 0)
    requirements.push({
      what: 'patient',
      blockedStatic: `the patient's other fixed appointments fill the window ${between}`,
      blockedBooked: `the patient's other appointments fill the window ${between}`,
      lanes: [r.patientLane],
      need: 1,
      offset: 0,
      length: r.length,
    });

  const atCap = (lane: number) => model.lanes[lane]?.kind === 'provider' && (usage.providerCount.get(lane) ?? 0) >= model.maxAppointments.get(lane)!;
  const possible = (req: (typeof requirements)[number], booked: boolean) =>
    req.lanes.some((l) => {
      if (booked && atCap(l)) return false;
      const cap = model.lanes[l]!.cap;
      const used = booked ? usage.used[l]! : null;
      for (let t = r.first; t <= r.last; t++) {
        let ok = true;
        for (let s = t + req.offset; s < t + req.offset + req.length && ok; s++) ok = cap[s]! - (used ? used[s]! : 0) >= req.need;
        if (ok) return true;
      }
      return false;
    });
  const staticBlocks = requirements.filter((q) => !possible(q, false)).map((q) => q.blockedStatic);
  if (staticBlocks.length) return staticBlocks;
  if (r.modes.length === 0) return [`no time ${between} when a provider, a room, the staff and the equipment it needs are all available together`];
  const bookedBlocks = requirements.filter((q) => !possible(q, true)).map((q) => q.blockedBooked);
  const capped = providerIds.filter((p) => atCap(model.lanes.findIndex((lane) => lane.kind === 'provider' && lane.ids[0] === p.id)));
  if (capped.length && bookedBlocks.length)
    bookedBlocks.push(`${capped.map((p) => `${p.name ?? p.id} has reached the maximum of ${p.maxAppointments} appointments`).join('; ')}`);
  if (bookedBlocks.length) return bookedBlocks;
  return [`no time ${between} when a provider, a room, the staff and the equipment it needs are all free together; the time left went to requests of higher priority`];
}
