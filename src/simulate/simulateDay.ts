import type { Appointment } from '../contract/appointment.js';
import type { Instance } from '../contract/instance.js';
import type { ReplanEvent, ReplanInput, ReplanResult } from '../contract/replan.js';
import { checkReplanInput, findAppointment } from '../contract/replanChecks.js';
import { formatInZone, MINUTE_MS, toMs } from '../domain/time.js';
import type { MipBackend } from '../../solver/api.js';
import { seededRandom, type Random } from '../../solver/random.js';
import { pushLater } from '../../solver/replan/pushLater.js';
import { overtimeMinutes } from '../../solver/replan/replanCost.js';
import { replanDay } from '../../solver/replan/replanDay.js';
import { replanSummary } from '../../solver/replan/replanSummary.js';
import { dayAt } from './dayAt.js';
import { drawDisruption, skewedMinutes, type DisruptionType } from './drawDisruption.js';

/**
 * What a day of re-plans added up to on one track. `cost` and `overtimeMinutes` count overtime once:
 * each re-plan's cost includes all the overtime the day has so far, so a re-plan adds only its change
 * in overtime (which is negative when, say, a no-show frees an evening slot). The totals are thus the
 * changes' costs plus the overtime the day ends with. `patientsMoved` counts distinct patients over the day.
 */
export type DayTotals = {
  cost: number;
  latenessMinutes: number;
  patientsMoved: number;
  reassignments: number;
  overtimeMinutes: number;
  bumps: number;
  /** Walk-in emergencies that fit nowhere today: they cost nothing in the re-plan cost, so they are counted apart. */
  unscheduled: number;
  /** Visits that took place by the end of the day (walk-ins included). */
  seen: number;
  /** Visits whose patient did not come. */
  noShows: number;
  /** Overbooking: patients who came to a provider already seeing someone, and waited for them. */
  waitedForOverbooked: number;
};

export type SimulatedEvent = {
  /** When it happened (RFC 3339 in the clinic's zone). */
  at: string;
  type: string;
  /**
   * Which days it happened on. A visit's no-show or overrun happens on each day as that visit starts
   * there (the tracks may have put it at different times, or one bumped it); a planned disruption happens
   * on both unless the baseline's day cannot take it (a cancellation of a visit already started there).
   */
  on: 'both' | 'ours' | 'pushLater';
  /** The disruption and what our re-plan did about it (push-later's, when it happened only there), in one line. */
  summary: string;
  /** Our re-plan's latency (options.clock around replanDay); 0 when it did not happen on our day. */
  ms: number;
  /** What this re-plan added to the day's cost on our track (see DayTotals: overtime counted once); 0 when not on it. */
  cost: number;
  /** The same on the push-later track; 0 when not on it. */
  pushLaterCost: number;
};

export type SimulationReport = {
  seed: number;
  /** Our re-plans: one per event on our day. */
  replans: number;
  /** Push-later's re-plans: one per event on its day. */
  pushLaterReplans: number;
  events: SimulatedEvent[];
  /** Planned disruptions push-later's day could not take (each is `on: 'ours'` in `events`). */
  pushLaterSkipped: number;
  latencyMs: { p50: number; p95: number; max: number };
  ours: DayTotals;
  pushLater: DayTotals;
};

/** One re-plan of the simulation, for callers that check or log them (the instance knows earlier walk-ins). */
export type SimulatedReplan = { track: 'ours' | 'pushLater'; instance: Instance; input: ReplanInput; result: ReplanResult };

export type SimulateOptions = {
  seed: number;
  backend: MipBackend;
  /** Injected clock (ms), read around each re-plan for its latency; the simulation reads no clock of its own. */
  clock: () => number;
  onReplan?: (replan: SimulatedReplan) => void;
};

// A visit's fate happens in the step its start falls in: every visit starts in exactly one step.
const STEP_MINUTES = 10;
const HOUR_MS = 60 * MINUTE_MS;
/** Share of the visits whose patient does not come (drawn once per day, in percent), where a request has no estimate of its own. */
const NO_SHOW_PERCENT = [5, 15] as const;
/** Share of the visits that run long (how long is right-skewed: drawDisruption's skewedMinutes). */
const OVERRUN_PERCENT = [8, 15] as const;

type Track = {
  appointments: Appointment[];
  /** Delays, outages and absences still in force: every later re-plan must know them, or it would refill that capacity. */
  standing: ReplanEvent[];
  /** Provider minutes outside availability on the day as it stands. */
  overtime: number;
  totals: DayTotals;
  moved: Set<string>;
  /** Visits whose fate has happened on this day. */
  fated: Set<string>;
};

/**
 * Plays a whole day (PURE: no I/O, no clock but options.clock). It walks the clock from the horizon start
 * in 10-minute steps. Each visit's fate is drawn up front (seeded, per request, so two plans of one clinic
 * meet the same patients' fates): whether its patient does not come (at the request's noShowProbability
 * where it has one), or how long it runs over; it happens on each track's day as the visit starts there.
 * Where a provider is overbooked and both patients come, the one who started later waits: a re-plan of
 * the provider busy until the other visit ends, with that patient checked in. The one-off disruptions
 * come at drawn moments: 2-4 emergencies spread over the day, one device or room outage, maybe a late
 * provider and a staff member out, a few cancellations. Each is re-planned on two copies of the day: ours
 * (replanDay) and the baseline (pushLater: everything later on the same provider). One-offs are drawn on
 * our day; one that does not fit the baseline's day (checkReplanInput) is skipped there and counted.
 */
export function simulateDay(inst: Instance, appointments: Appointment[], options: SimulateOptions): SimulationReport {
  const zone = inst.clinic.timezone;
  const draw = seededRandom(options.seed);
  const h0 = toMs(inst.horizon.start);
  const h1 = toMs(inst.horizon.end);
  const step = STEP_MINUTES * MINUTE_MS;

  // Names every visit once (appt-NNN, as before anything started), so both tracks' events name the same visits.
  const first = dayAt(appointments, Number.NEGATIVE_INFINITY);
  const dayEnd = first.reduce((end, a) => Math.max(end, toMs(a.end)), h0);
  const plan = planDisruptions(draw, h0, Math.min(h1, dayEnd), step);
  const fates = drawFates(draw, inst, first);

  // The day at `now` as dayAt sees it, except that a patient who will not come never checks in.
  const dayOf = (track: Track, now: number) =>
    dayAt(track.appointments, now).map((a) => (a.status === 'checked-in' && fates.get(a.id!)?.kind === 'noshow' && !track.fated.has(a.id!) ? { ...a, status: 'booked' as const } : a));
  const startOvertime = overtimeMinutes(inst, first);
  const ours = newTrack(first, startOvertime);
  const base = newTrack(first, startOvertime);
  // Walk-ins become requests of the instance once they have come, so later re-plans know their urgency.
  let known = inst;
  const events: SimulatedEvent[] = [];
  const latencies: number[] = [];
  let skipped = 0;

  for (let now = h0; now < h1; now += step) {
    const at = formatInZone(now, zone);
    const inputOf = (track: Track, drawn: Drawn): ReplanInput => ({ now: at, appointments: drawn.appointments, events: [...inForce(track.standing, now), ...drawn.events] });
    const replanOurs = (drawn: Drawn) => {
      const input = inputOf(ours, drawn);
      const began = options.clock();
      const result = replanDay(known, input, { backend: options.backend, clock: options.clock });
      const ms = options.clock() - began;
      options.onReplan?.({ track: 'ours', instance: known, input, result });
      latencies.push(ms);
      const cost = record(ours, known, now, result, drawn.events);
      return { ms, cost, summary: replanSummary(known, { ...input, events: drawn.events }, result.changes) + turnedAway(drawn.events, result) };
    };
    const replanBase = (drawn: Drawn) => {
      const input = inputOf(base, drawn);
      const result = pushLater(known, input);
      options.onReplan?.({ track: 'pushLater', instance: known, input, result });
      const cost = record(base, known, now, result, drawn.events);
      return { cost, summary: replanSummary(known, { ...input, events: drawn.events }, result.changes) + turnedAway(drawn.events, result) };
    };

    // Overbooked patients who both came: the later one waits (on each day where it happens).
    for (const [track, name] of [[ours, 'ours'], [base, 'pushLater']] as const)
      for (const wait of waiting(dayOf(track, now), fates, now, step)) {
        const drawn: Drawn = {
          appointments: dayOf(track, now).map((a) => (a.id === wait.id ? { ...a, status: 'checked-in' as const } : a)),
          events: [{ type: 'delay', providerId: wait.providerId, availableFrom: formatInZone(wait.until, zone) }],
        };
        const done: { ms?: number; cost: number; summary: string } = name === 'ours' ? replanOurs(drawn) : replanBase(drawn);
        track.totals.waitedForOverbooked++;
        const summary = `${wait.id} came while ${wait.providerId} was seeing ${wait.behind} (overbooked): waits until ${formatInZone(wait.until, zone).slice(11, 16)}; ${done.summary}`;
        events.push({ at, type: 'overbooked', on: name, summary, ms: done.ms ?? 0, cost: name === 'ours' ? done.cost : 0, pushLaterCost: name === 'ours' ? 0 : done.cost });
      }

    // The visits that started on either day in this step and have a fate: no-shows first, overruns last.
    const due = (track: Track) => {
      const day = dayOf(track, now);
      const started = day.filter(
        (a) => a.status === 'in-progress' && toMs(a.start) > now - step && fates.has(a.id!) && !track.fated.has(a.id!) && (fates.get(a.id!)!.kind === 'noshow' || toMs(a.end) < h1),
      );
      return { day, ids: new Set(started.map((a) => a.id!)) };
    };
    const oursDue = due(ours);
    const baseDue = due(base);
    const fated = [...new Set([...oursDue.ids, ...baseDue.ids])].sort();
    const playFate = (id: string) => {
      const fate = fates.get(id)!;
      const onOurs = oursDue.ids.has(id);
      const onBase = baseDue.ids.has(id);
      const o = onOurs ? replanOurs(fateOn(dayOf(ours, now), id, fate, h1, zone)) : null;
      const b = onBase ? replanBase(fateOn(dayOf(base, now), id, fate, h1, zone)) : null;
      if (onOurs) ours.fated.add(id);
      if (onBase) base.fated.add(id);
      const type = fate.kind;
      events.push({ at, type, on: o && b ? 'both' : o ? 'ours' : 'pushLater', summary: (o ?? b)!.summary, ms: o?.ms ?? 0, cost: o?.cost ?? 0, pushLaterCost: b?.cost ?? 0 });
    };
    for (const id of fated) if (fates.get(id)!.kind === 'noshow') playFate(id);

    for (const type of plan.get(now) ?? []) {
      const drawn = drawDisruption(known, dayOf(ours, now), type, now, draw);
      if (!drawn || checkReplanInput(known, inputOf(ours, drawn)).length > 0) continue; // the latter cannot happen but for a walk-in id drawn twice
      const o = replanOurs(drawn);
      const onBaseDay = { appointments: dayOf(base, now), events: drawn.events };
      const applies = checkReplanInput(known, inputOf(base, onBaseDay)).length === 0;
      const b = applies ? replanBase(onBaseDay) : null;
      if (!applies) skipped++;
      events.push({ at, type, on: b ? 'both' : 'ours', summary: o.summary, ms: o.ms, cost: o.cost, pushLaterCost: b?.cost ?? 0 });
      const added = drawn.events.flatMap((e) => (e.type === 'emergency' ? [e.request] : []));
      if (added.length > 0) known = { ...known, requests: [...known.requests, ...added] };
    }

    for (const id of fated) if (fates.get(id)!.kind === 'overrun') playFate(id);
  }

  for (const track of [ours, base]) {
    const final = dayAt(track.appointments, Number.POSITIVE_INFINITY);
    track.totals.seen = final.filter((a) => a.status === 'fulfilled').length;
    track.totals.noShows = final.filter((a) => a.status === 'noshow').length;
  }
  const sorted = [...latencies].sort((a, b) => a - b);
  return {
    seed: options.seed,
    replans: latencies.length,
    pushLaterReplans: events.filter((e) => e.on !== 'ours').length,
    events,
    pushLaterSkipped: skipped,
    latencyMs: { p50: percentile(sorted, 0.5), p95: percentile(sorted, 0.95), max: sorted.at(-1) ?? 0 },
    ours: ours.totals,
    pushLater: base.totals,
  };
}

type Drawn = { appointments: Appointment[]; events: ReplanEvent[] };
/** What happens to a visit when it starts: its patient does not come, or it runs so many minutes long. */
type Fate = { kind: 'noshow' } | { kind: 'overrun'; minutes: number };

/**
 * Each planned visit's fate, drawn once for the day (seeded): the same on both tracks. Drawn per request of
 * the instance in id order, scheduled or not, with the same number of draws each: a patient's fate is the
 * same whichever plan placed them, and the day's later draws do not depend on the plan.
 */
function drawFates(draw: Random, inst: Instance, day: Appointment[]): Map<string, Fate> {
  const noShowRate = draw.int(...NO_SHOW_PERCENT) / 100;
  const overrunRate = draw.int(...OVERRUN_PERCENT) / 100;
  const byRequest = new Map<string, Fate>();
  const ids = inst.requests.map((r) => r.id).sort();
  const probability = new Map(inst.requests.map((r) => [r.id, r.noShowProbability ?? noShowRate]));
  for (const id of ids) {
    const noShow = draw.chance(probability.get(id)!);
    const overrun = draw.chance(overrunRate);
    const minutes = skewedMinutes(draw, 15, 60);
    if (noShow) byRequest.set(id, { kind: 'noshow' });
    else if (overrun) byRequest.set(id, { kind: 'overrun', minutes });
  }
  const fates = new Map<string, Fate>();
  for (const a of day) {
    const fate = byRequest.get(a.requestId);
    if (fate) fates.set(a.id!, fate);
  }
  return fates;
}

type Wait = { id: string; providerId: string; behind: string; until: number };

/**
 * Overbooked visits whose patients both came: a visit that started in this step while another visit of
 * its provider was under way (neither a no-show, whose fate is due now). It waits until the other ends
 * (or from now, where that was earlier in the step: the clock moves in steps).
 */
function waiting(day: Appointment[], fates: Map<string, Fate>, now: number, step: number): Wait[] {
  const came = (a: Appointment) =>
    (a.status === 'in-progress' || a.status === 'fulfilled') && a.providerId !== null && fates.get(a.id!)?.kind !== 'noshow';
  const present = day.filter(came);
  const waits: Wait[] = [];
  const waitingIds = new Set<string>();
  const order = (a: Appointment, b: Appointment) => toMs(a.start) - toMs(b.start) || (a.id! < b.id! ? -1 : 1);
  for (const later of present.filter((a) => a.status === 'in-progress' && toMs(a.start) > now - step).sort(order)) {
    const start = toMs(later.start);
    const behind = present
      .filter((a) => a !== later && !waitingIds.has(a.id!) && a.providerId === later.providerId && order(a, later) < 0 && toMs(a.end) > start)
      .sort(order)[0];
    if (!behind) continue;
    waitingIds.add(later.id!);
    waits.push({ id: later.id!, providerId: later.providerId!, behind: behind.id!, until: Math.max(now, toMs(behind.end)) });
  }
  return waits;
}

/** A visit's fate as the events of the day it just started on (a no-show turns it back from in progress). */
function fateOn(day: Appointment[], id: string, fate: Fate, h1: number, zone: string): Drawn {
  if (fate.kind === 'noshow')
    return { appointments: day.map((a) => (a.id === id ? { ...a, status: 'booked' as const } : a)), events: [{ type: 'noshow', appointmentId: id }] };
  const a = day.find((x) => x.id === id)!;
  return { appointments: day, events: [{ type: 'overrun', appointmentId: id, expectedEnd: formatInZone(Math.min(h1, toMs(a.end) + fate.minutes * MINUTE_MS), zone) }] };
}

function newTrack(appointments: Appointment[], overtime: number): Track {
  return {
    appointments,
    standing: [],
    overtime,
    totals: { cost: 0, latenessMinutes: 0, patientsMoved: 0, reassignments: 0, overtimeMinutes: 0, bumps: 0, unscheduled: 0, seen: 0, noShows: 0, waitedForOverbooked: 0 },
    moved: new Set(),
    fated: new Set(),
  };
}

/**
 * When the day's one-off disruptions happen, on the clock's steps between `from` and `to` (the end of
 * the planned day); no-shows and overruns are not planned: they come as visits start.
 */
function planDisruptions(draw: Random, from: number, to: number, step: number): Map<number, DisruptionType[]> {
  const plan = new Map<number, DisruptionType[]>();
  const stepOf = (ms: number) => (Math.max(from, Math.min(ms, to)) - from) / step;
  const add = (lo: number, hi: number, type: DisruptionType) => {
    const a = Math.ceil(stepOf(lo));
    const at = from + step * draw.int(a, Math.max(a, Math.floor(stepOf(hi))));
    plan.set(at, [...(plan.get(at) ?? []), type]);
  };
  // 2-4 emergencies, one in each equal part of the day past its first half hour and before its last hour.
  const emergencies = draw.int(2, 4);
  const [lo, hi] = [from + HOUR_MS / 2, to - HOUR_MS];
  for (let k = 0; k < emergencies; k++) add(lo + ((hi - lo) * k) / emergencies, lo + ((hi - lo) * (k + 1)) / emergencies - step, 'emergency');
  // One device or room outage while the day is busy.
  add(from + HOUR_MS, from + 0.6 * (to - from), 'resource-down');
  // A provider who calls in late does so in the morning.
  if (draw.chance(0.6)) add(from, from + 2 * HOUR_MS, 'delay');
  if (draw.chance(0.5)) add(from, to - 2 * HOUR_MS, 'staff-absence');
  const cancellations = draw.int(1, 3);
  for (let k = 0; k < cancellations; k++) add(from, to - HOUR_MS, 'cancellation');
  return plan;
}

/** The standing disruptions that still take capacity at `now`. */
function inForce(standing: ReplanEvent[], now: number): ReplanEvent[] {
  return standing.filter((e) => {
    if (e.type === 'delay') return toMs(e.availableFrom) > now;
    if (e.type === 'resource-down' || e.type === 'staff-absence') return toMs(e.end) > now;
    return false;
  });
}

/** Adds a re-plan to its track's totals and makes its day the track's day; returns the cost it added. */
function record(track: Track, inst: Instance, now: number, result: ReplanResult, drawn: ReplanEvent[]): number {
  const overtime = overtimeMinutes(inst, result.appointments);
  const added = round(result.cost - inst.replan.overtimePerMinute * track.overtime);
  const t = track.totals;
  t.cost = round(t.cost + added);
  t.overtimeMinutes = round(t.overtimeMinutes + overtime - track.overtime);
  for (const c of result.changes) {
    if (c.kind === 'moved' || c.kind === 'reassigned') {
      t.latenessMinutes += Math.max(0, c.delayMinutes);
      if (c.delayMinutes !== 0 || c.kind === 'reassigned') track.moved.add(c.patientId);
    }
    if (c.kind === 'reassigned') t.reassignments++;
    if (c.kind === 'bumped') t.bumps++;
  }
  t.patientsMoved = track.moved.size;
  t.unscheduled += result.unscheduled.length;
  track.overtime = overtime;
  // A placed walk-in has no id: name it for the events that may name it later (dayAt would name it by position).
  track.appointments = result.appointments.map((a) => (a.id === undefined ? { ...a, id: `appt-${a.requestId}` } : a));
  track.standing = [...inForce(track.standing, now), ...drawn.filter((e) => e.type === 'delay' || e.type === 'resource-down' || e.type === 'staff-absence')];
  return added;
}

/** The summary's words for new requests the re-plan could not place (the summary itself lists only changes). */
function turnedAway(events: ReplanEvent[], result: ReplanResult): string {
  const patients = result.unscheduled.map((u) => {
    const e = events.find((x) => x.type === 'emergency' && x.request.id === u.requestId);
    return e?.type === 'emergency' ? e.request.patientId : u.requestId;
  });
  return patients.length === 0 ? '' : `; ${patients.join(', ')} cannot be seen today`;
}

/** Nearest-rank percentile of sorted values (0 when there are none). */
function percentile(sorted: number[], q: number): number {
  return sorted.length === 0 ? 0 : sorted[Math.max(0, Math.ceil(q * sorted.length) - 1)]!;
}

const round = (x: number) => Math.round(x * 1e6) / 1e6;
