import type { z } from 'zod';
import { minutesBetween, toMs } from '../domain/time.js';
import type { Instance } from './instance.js';

type Path = (string | number)[];
type Report = (path: Path, message: string) => void;

// Rules of the contract that span fields: references, the grid, intervals, weights.
export function checkInstanceReferences(inst: Instance, ctx: z.RefinementCtx): void {
  const report: Report = (path, message) => ctx.addIssue({ code: 'custom', path, message });
  const slot = inst.slotMinutes;
  const h0 = toMs(inst.horizon.start);
  const h1 = toMs(inst.horizon.end);
  if (h1 <= h0) report(['horizon', 'end'], 'the horizon must end after it starts');

  const lists = ['providers', 'rooms', 'equipment', 'staff', 'services', 'requests'] as const;
  for (const list of lists) uniqueIds(inst[list], [list], report);
  uniqueIds(inst.bookings.map((b) => ({ id: b.requestId })), ['bookings'], report, 'requestId');

  const providers = new Map(inst.providers.map((p) => [p.id, p]));
  const equipment = new Map(inst.equipment.map((e) => [e.id, e]));
  const services = new Map(inst.services.map((s) => [s.id, s]));
  const rooms = new Map(inst.rooms.map((r) => [r.id, r]));
  const staff = new Map(inst.staff.map((s) => [s.id, s]));
  const capabilities = new Set(inst.rooms.flatMap((r) => r.capabilities));
  const specialties = new Set(inst.providers.flatMap((p) => p.specialties));
  const skills = new Set(inst.staff.flatMap((s) => s.skills));

  inst.providers.forEach((p, i) => checkAvailability(p.availability, ['providers', i, 'availability'], report));
  inst.rooms.forEach((r, i) => checkAvailability(r.availability, ['rooms', i, 'availability'], report));
  inst.staff.forEach((s, i) => checkAvailability(s.availability, ['staff', i, 'availability'], report));
  inst.equipment.forEach((e, i) =>
    e.downtime.forEach((d, j) => {
      const path = ['equipment', i, 'downtime', j];
      if (toMs(d.end) <= toMs(d.start)) report([...path, 'end'], 'downtime must end after it starts');
      if (d.units !== undefined && d.units > e.count)
        report([...path, 'units'], `${d.units} units down but '${e.id}' has only ${e.count}`);
    }),
  );

  inst.services.forEach((s, i) => {
    const path = ['services', i];
    if (s.minutes % slot !== 0)
      report([...path, 'minutes'], `duration ${s.minutes} min is off the ${slot}-minute grid (use a multiple of ${slot})`);
    if (!capabilities.has(s.roomCapability))
      report([...path, 'roomCapability'], `no room has the capability '${s.roomCapability}'`);
    if (s.specialty !== undefined && !specialties.has(s.specialty))
      report([...path, 'specialty'], `no provider has the specialty '${s.specialty}'`);
    s.equipment.forEach((e, j) => {
      const item = equipment.get(e.id);
      if (!item) report([...path, 'equipment', j, 'id'], `unknown equipment '${e.id}'`);
      else if (e.count > item.count)
        report([...path, 'equipment', j, 'count'], `needs ${e.count} units of '${e.id}' but the clinic has ${item.count}`);
    });
    s.staffTasks.forEach((t, j) => {
      const tp = [...path, 'staffTasks', j];
      if (!skills.has(t.skill)) report([...tp, 'skill'], `no staff member has the skill '${t.skill}'`);
      if (t.offsetMinutes % slot !== 0) report([...tp, 'offsetMinutes'], `offset ${t.offsetMinutes} min is off the ${slot}-minute grid`);
      if (t.minutes % slot !== 0) report([...tp, 'minutes'], `task length ${t.minutes} min is off the ${slot}-minute grid`);
      if (t.offsetMinutes + t.minutes > s.minutes)
        report([...tp, 'minutes'], `the task ends at minute ${t.offsetMinutes + t.minutes}, after the ${s.minutes}-minute service`);
    });
  });

  inst.requests.forEach((r, i) => {
    const path = ['requests', i];
    const service = services.get(r.serviceId);
    if (!service) report([...path, 'serviceId'], `unknown service '${r.serviceId}'`);
    if (r.minutes !== undefined && r.minutes % slot !== 0)
      report([...path, 'minutes'], `duration ${r.minutes} min is off the ${slot}-minute grid (use a multiple of ${slot})`);
    if (service && r.minutes !== undefined)
      service.staffTasks.forEach((t, j) => {
        if (t.offsetMinutes + t.minutes > r.minutes!)
          report([...path, 'minutes'], `${r.minutes} min is shorter than staff task ${j} of '${service.id}', which ends at minute ${t.offsetMinutes + t.minutes}`);
      });
    const es = r.earliestStart ? toMs(r.earliestStart) : h0;
    const le = r.latestEnd ? toMs(r.latestEnd) : h1;
    if (le <= es) report([...path, 'latestEnd'], 'latestEnd must be after earliestStart');
    if (h1 > h0 && r.earliestStart && (es < h0 || es >= h1)) report([...path, 'earliestStart'], 'earliestStart lies outside the horizon');
    if (h1 > h0 && r.latestEnd && (le <= h0 || le > h1)) report([...path, 'latestEnd'], 'latestEnd lies outside the horizon');
    if (r.providerId !== undefined) {
      const p = providers.get(r.providerId);
      if (!p) report([...path, 'providerId'], `unknown provider '${r.providerId}'`);
      else if (service && !service.specialty)
        report([...path, 'providerId'], `service '${service.id}' needs no provider, so the request cannot name one`);
      else if (service?.specialty && !p.specialties.includes(service.specialty))
        report([...path, 'providerId'], `provider '${p.id}' does not have the specialty '${service.specialty}' that '${service.id}' needs`);
    }
    r.preferredProviderIds.forEach((id, j) => {
      if (!providers.has(id)) report([...path, 'preferredProviderIds', j], `unknown provider '${id}'`);
    });
  });

  inst.bookings.forEach((b, i) => {
    const path = ['bookings', i];
    const service = services.get(b.serviceId);
    if (!service) report([...path, 'serviceId'], `unknown service '${b.serviceId}'`);
    if (b.providerId !== null && !providers.has(b.providerId)) report([...path, 'providerId'], `unknown provider '${b.providerId}'`);
    if (service?.specialty && b.providerId === null) report([...path, 'providerId'], `service '${service.id}' needs a provider`);
    if (!rooms.has(b.roomId)) report([...path, 'roomId'], `unknown room '${b.roomId}'`);
    if (toMs(b.end) <= toMs(b.start)) report([...path, 'end'], 'the appointment must end after it starts');
    const offset = minutesBetween(inst.horizon.start, b.start);
    if (offset % slot !== 0) report([...path, 'start'], `start is off the ${slot}-minute grid of the horizon`);
    b.equipment.forEach((e, j) => {
      if (!equipment.has(e.id)) report([...path, 'equipment', j, 'id'], `unknown equipment '${e.id}'`);
    });
    b.staff.forEach((s, j) => {
      if (!staff.has(s.staffId)) report([...path, 'staff', j, 'staffId'], `unknown staff member '${s.staffId}'`);
    });
    const request = inst.requests.find((r) => r.id === b.requestId);
    if (request && (request.patientId !== b.patientId || request.serviceId !== b.serviceId))
      report([...path, 'requestId'], `booking does not match request '${b.requestId}' (patient or service differs)`);
  });

  const horizonHours = (h1 - h0) / 3_600_000;
  if (horizonHours <= 0) return; // the weights are judged against a valid horizon only
  const minUrgency = Math.min(...Object.values(inst.weights.urgency));
  if (!(minUrgency > inst.weights.waitPerHour * horizonHours))
    report(
      ['weights'],
      `every urgency weight must exceed waitPerHour × horizon hours (${inst.weights.waitPerHour} × ${horizonHours} = ${inst.weights.waitPerHour * horizonHours}), so that scheduling a request is always worth more than leaving it out`,
    );
}

function uniqueIds(items: { id: string }[], path: Path, report: Report, field = 'id'): void {
  const seen = new Map<string, number>();
  items.forEach((item, i) => {
    const first = seen.get(item.id);
    if (first !== undefined) report([...path, i, field], `duplicate ${field} '${item.id}' (also at index ${first})`);
    else seen.set(item.id, i);
  });
}

function checkAvailability(intervals: { start: string; end: string }[], path: Path, report: Report): void {
  const sorted = intervals.map((iv, i) => ({ s: toMs(iv.start), e: toMs(iv.end), i })).sort((a, b) => a.s - b.s);
  for (const iv of sorted) if (iv.e <= iv.s) report([...path, iv.i, 'end'], 'the interval must end after it starts');
  for (let k = 1; k < sorted.length; k++) {
    const prev = sorted[k - 1]!;
    const cur = sorted[k]!;
    if (cur.s < prev.e) report([...path, cur.i], `overlaps availability interval ${prev.i} of the same resource`);
  }
}
