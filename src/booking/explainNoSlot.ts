import { explainUnscheduled } from '../../solver/explain.js';
import { compileModel } from '../../solver/model/compile.js';
import { touchedSlots, type Grid } from '../../solver/model/grid.js';
import { emptyUsage, type Usage } from '../../solver/usage.js';
import type { Booking } from '../contract/appointment.js';
import type { Instance } from '../contract/instance.js';
import { formatInZone, MINUTE_MS } from '../domain/time.js';
import { instantMs as toMs } from './instantMs.js';
import type { NarrowedDay } from './narrowDay.js';

const FALLBACK_TAIL = '; the time left went to requests of higher priority';

/**
 * Why slot search found no place, in the words of solver/explain.ts. That explainer tells what is
 * closed (opening hours, downtime: the lanes' capacity) from what is taken (the usage), so the day is
 * compiled without its bookings and the bookings are laid on as usage: a provider busy all afternoon
 * is then "fully booked", not "not available".
 */
export function explainNoSlot(day: NarrowedDay): string[] {
  const { whole: instance, request } = day;
  const outside = windowOutsideDay(instance, request.earliestStart, request.latestEnd);
  if (outside) return [outside];

  const open: Instance = { ...instance, bookings: [] };
  const model = compileModel(open);
  const r = model.requests[0]!;
  // Without its bookings the patient has one visit, so the compiled day has no lane for them: add it.
  if (instance.bookings.some((b) => b.patientId === request.patientId))
    r.patientLane = model.lanes.push({ kind: 'patient', ids: [request.patientId], label: request.patientId, cap: new Int32Array(model.slots).fill(1) }) - 1;
  const usage = emptyUsage(model);
  const lanes = new Map(model.lanes.flatMap((lane, l) => lane.ids.map((id): [string, number] => [`${lane.kind}:${id}`, l])));
  for (const b of instance.bookings) addBooking(open, model, usage, lanes, b, request.patientId);
  // A search competes with nobody: the explainer's last resort speaks of requests of higher priority.
  return explainUnscheduled(open, model, usage, 0).map((reason) => (reason.endsWith(FALLBACK_TAIL) ? reason.slice(0, -FALLBACK_TAIL.length) : reason));
}

function windowOutsideDay(instance: Instance, earliestStart: string | undefined, latestEnd: string | undefined): string | null {
  const h0 = toMs(instance.horizon.start);
  const h1 = toMs(instance.horizon.end);
  const es = earliestStart ? toMs(earliestStart) : h0;
  const le = latestEnd ? toMs(latestEnd) : h1;
  if (es < h1 && le > h0) return null;
  const zone = instance.clinic.timezone;
  const when = (ms: number) => {
    const iso = formatInZone(ms, zone);
    return `${iso.slice(0, 10)} ${iso.slice(11, 16)}`;
  };
  return `its window (${when(es)} to ${when(le)}) lies outside this clinic day (${when(h0)} to ${when(h1)})`;
}

type Model = ReturnType<typeof compileModel>;

/** Lays one booking on the lanes it holds, as solver/usage.ts lays a placement (turnover where the room is open). */
function addBooking(inst: Instance, model: Model, usage: Usage, lanes: Map<string, number>, b: Booking, patientId: string): void {
  const grid: Grid = { origin: model.origin, slotMs: model.slotMinutes * MINUTE_MS, slots: model.slots };
  const add = (lane: number, a: number, z: number, units: number, openOnly = false) => {
    if (lane < 0) return;
    const [from, to] = touchedSlots(grid, a, z);
    const laneOpen = model.lanes[lane]!.open;
    for (let t = from; t < to; t++) if (!openOnly || !laneOpen || laneOpen[t]) usage.used[lane]![t]! += units;
  };
  const laneOf = (kind: string, id: string) => lanes.get(`${kind}:${id}`) ?? -1;
  const start = toMs(b.start);
  const end = toMs(b.end);
  if (b.providerId !== null) {
    const lane = laneOf('provider', b.providerId);
    add(lane, start, end, 1);
    if (lane >= 0) usage.providerCount.set(lane, (usage.providerCount.get(lane) ?? 0) + 1);
  }
  const room = laneOf('room', b.roomId);
  add(room, start, end, 1);
  const turnover = inst.services.find((s) => s.id === b.serviceId)?.turnoverMinutes ?? 0; // few services
  if (turnover > 0) add(room, end, end + turnover * MINUTE_MS, 1, true);
  for (const s of b.staff) add(laneOf('staff', s.staffId), toMs(s.start), toMs(s.end), 1);
  for (const e of b.equipment) add(laneOf('equipment', e.id), start, end, e.count);
  if (b.patientId === patientId) add(laneOf('patient', patientId), start, end, 1);
}
