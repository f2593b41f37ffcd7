// The waitlist at work: a freed place (a cancellation, a no-show, a reschedule away) is offered to the
// first waiting request it fits (src/booking/waitlistOffers.ts decides which and in which order) as a
// hold of the store for the clinic's `waitlist.offerMinutes`, so nobody else books it meanwhile; accept
// books the hold (or moves the patient's appointment into it), decline or expiry passes it to the next
// in line. Every change runs under the clinic's waitlist lock. Offers whose hold has run out are passed
// on whenever the waitlist is next read or changed, or a place is freed.
import { randomUUID } from 'node:crypto';
import { contractAppointment } from '../contract/appointment.js';
import type { ClinicSetup } from '../contract/clinicSetup.js';
import type { Request } from '../contract/instance.js';
import type { FreedSlot, WaitlistEntry } from '../contract/waitlist.js';
import { DEFAULT_WAITLIST_POLICY } from '../contract/waitlistPolicy.js';
import { MINUTE_MS, toMs } from '../domain/time.js';
import { authorizationRefusal } from '../booking/authorizationCheck.js';
import { waitlistOrder, type WaitingCandidate } from '../booking/waitlistOffers.js';
import { recordToAppointment } from './appointmentRecord.js';
import { book } from './book.js';
import { hold, releaseHold } from './hold.js';
import { clinicKeys } from './keys.js';
import { getAppointment } from './readAppointments.js';
import { reschedule } from './reschedule.js';
import type { AppointmentResult } from './results.js';
import type { StoredAppointment } from './storedAppointment.js';
import type { Store } from './store.js';
import { deleteEntry, deleteFreed, putEntry, putFreed, readWaitlist, waitlistSize, withWaitlistLock, type WaitlistState } from './waitlist.js';

/** Who holds an offered place (the per-caller hold cap does not apply to it). */
export const OFFER_CALLER = 'waitlist';
/** Entries one clinic may keep, and freed places it remembers (the oldest are forgotten first). */
export const MAX_WAITLIST = 5_000;
const MAX_FREED = 2_000;

/** A hold for an entry whose request has an appointment already uses this request id (a request holds one place at most). */
const offerRequestId = (requestId: string) => `${requestId}~waitlist`;

type Context = { setup: ClinicSetup; nowMs: number };
type Failure<R extends string> = { ok: false; reason: R; message: string };

/**
 * Remembers the place `appointment` had (if it is still to come and someone is waiting) and offers it to
 * the waitlist; the entry offered it, if any. A place freed while nobody waits is left to slot search.
 */
export async function recordFreed(store: Store, clinicId: string, appointment: StoredAppointment, why: FreedSlot['why'], ctx: Context): Promise<WaitlistEntry | null> {
  if (toMs(appointment.start) <= ctx.nowMs || (await waitlistSize(store, clinicId)) === 0) return null;
  const slot = freedOf(appointment, why, ctx.nowMs);
  return withWaitlistLock(store, clinicId, async () => {
    await putFreed(store, clinicId, slot);
    const after = await advanceLocked(store, clinicId, ctx);
    return [...after.entries.values()].find((e) => e.offer?.slotId === slot.id) ?? null;
  });
}

/** Passes expired offers on and offers every free place it can; the waitlist as it is then. */
export function advanceWaitlist(store: Store, clinicId: string, ctx: Context): Promise<WaitlistState> {
  return withWaitlistLock(store, clinicId, () => advanceLocked(store, clinicId, ctx));
}

export type JoinInput = { requestId: string; appointmentId?: string | undefined; earliestStart?: string | undefined; latestEnd?: string | undefined };
export type JoinResult =
  | { ok: true; entry: WaitlistEntry }
  | Failure<'unknown-request' | 'exists' | 'unknown-appointment' | 'not-movable' | 'placed' | 'full'>;

/** Puts a stored request on the waitlist (with the appointment it would leave, if it has one), then offers it what fits. */
export function joinWaitlist(store: Store, clinicId: string, input: JoinInput, by: string, ctx: Context): Promise<JoinResult> {
  return withWaitlistLock(store, clinicId, async (): Promise<JoinResult> => {
    if ((await waitlistSize(store, clinicId)) >= MAX_WAITLIST)
      return { ok: false, reason: 'full', message: `clinic '${clinicId}' has ${MAX_WAITLIST} waitlist entries, the most it may keep; remove some first` };
    const request = (await requestsOf(store, clinicId, [input.requestId])).get(input.requestId);
    if (!request) return { ok: false, reason: 'unknown-request', message: `unknown request '${input.requestId}' (store it with POST /clinics/{id}/requests first)` };
    const state = await readWaitlist(store, clinicId);
    const twin = [...state.entries.values()].find((e) => e.requestId === input.requestId);
    if (twin) return { ok: false, reason: 'exists', message: `request '${input.requestId}' is on the waitlist already (entry '${twin.id}')` };
    if (input.appointmentId !== undefined) {
      const current = await getAppointment(store, clinicId, input.appointmentId);
      if (!current || current.hold || current.requestId !== request.id)
        return { ok: false, reason: 'unknown-appointment', message: `request '${request.id}' has no appointment '${input.appointmentId}'` };
      if (current.status !== 'booked') return { ok: false, reason: 'not-movable', message: `appointment '${current.id}' is ${current.status}; only a booked one can move earlier` };
    } else if (Number(await store.redis.hget(clinicKeys(store.prefix, clinicId).requestsHeld, request.id)) > 0) {
      return { ok: false, reason: 'placed', message: `request '${request.id}' has a place already: give its appointmentId to be offered an earlier one` };
    }
    const entry: WaitlistEntry = {
      id: `w-${randomUUID()}`,
      requestId: request.id,
      patientId: request.patientId,
      ...(input.appointmentId !== undefined ? { appointmentId: input.appointmentId } : {}),
      ...(input.earliestStart !== undefined ? { earliestStart: input.earliestStart } : {}),
      ...(input.latestEnd !== undefined ? { latestEnd: input.latestEnd } : {}),
      joinedAt: new Date(ctx.nowMs).toISOString(),
      by,
    };
    await putEntry(store, clinicId, entry);
    const after = await advanceLocked(store, clinicId, ctx);
    return { ok: true, entry: after.entries.get(entry.id) ?? entry };
  });
}

export type LeaveResult = { ok: true; entry: WaitlistEntry } | Failure<'not-found'>;

/** Takes an entry off the waitlist; a place offered to it goes to the next in line. */
export function leaveWaitlist(store: Store, clinicId: string, entryId: string, ctx: Context): Promise<LeaveResult> {
  return withWaitlistLock(store, clinicId, async (): Promise<LeaveResult> => {
    const state = await readWaitlist(store, clinicId);
    const entry = state.entries.get(entryId);
    if (!entry) return { ok: false, reason: 'not-found', message: `waitlist entry '${entryId}' of clinic '${clinicId}' not found` };
    await withdrawOffer(store, clinicId, state, entry, false);
    await deleteEntry(store, clinicId, entry.id);
    await advanceLocked(store, clinicId, ctx);
    return { ok: true, entry };
  });
}

export type DeclineResult = { ok: true; entry: WaitlistEntry } | Failure<'not-found' | 'no-offer'>;

/** The patient does not want the place offered: it goes to the next in line; the entry keeps waiting. */
export function declineOffer(store: Store, clinicId: string, entryId: string, ctx: Context): Promise<DeclineResult> {
  return withWaitlistLock(store, clinicId, async (): Promise<DeclineResult> => {
    const state = await readWaitlist(store, clinicId);
    const entry = state.entries.get(entryId);
    if (!entry) return { ok: false, reason: 'not-found', message: `waitlist entry '${entryId}' of clinic '${clinicId}' not found` };
    if (!entry.offer) return { ok: false, reason: 'no-offer', message: `waitlist entry '${entryId}' has no offer to decline` };
    await withdrawOffer(store, clinicId, state, entry, true);
    const after = await advanceLocked(store, clinicId, ctx);
    return { ok: true, entry: after.entries.get(entry.id) ?? entry };
  });
}

export type AcceptResult =
  | { ok: true; appointment: StoredAppointment; moved: boolean }
  | Failure<'not-found' | 'no-offer' | 'offer-expired' | 'authorization'>
  | { ok: false; reason: 'refused'; result: Exclude<AppointmentResult, { ok: true }> };

/**
 * Books the place offered to an entry: from its hold, or, for an entry with an appointment, by moving
 * that appointment into the place (the hold is given up and the move claims it at once; should anyone
 * take it in between, the move is refused and nothing changes). The entry leaves the waitlist; the place
 * the appointment left is offered in turn.
 */
export function acceptOffer(
  store: Store,
  clinicId: string,
  entryId: string,
  options: { actor: string; reason?: string | undefined },
  ctx: Context,
): Promise<AcceptResult> {
  return withWaitlistLock(store, clinicId, async (): Promise<AcceptResult> => {
    const state = await readWaitlist(store, clinicId);
    const entry = state.entries.get(entryId);
    if (!entry) return { ok: false, reason: 'not-found', message: `waitlist entry '${entryId}' of clinic '${clinicId}' not found` };
    const offer = entry.offer;
    if (!offer) return { ok: false, reason: 'no-offer', message: `waitlist entry '${entryId}' has no offer to accept` };
    const held = await getAppointment(store, clinicId, offer.holdId);
    if (!held?.hold) {
      await advanceLocked(store, clinicId, ctx);
      return { ok: false, reason: 'offer-expired', message: `the offer of ${offer.start} ran out at ${offer.expiresAt}; the place went to the next in line` };
    }
    const request = (await requestsOf(store, clinicId, [entry.requestId])).get(entry.requestId);
    if (!request) return { ok: false, reason: 'not-found', message: `request '${entry.requestId}' of clinic '${clinicId}' not found` };
    const refusal = authorizationRefusal(ctx.setup, request, toMs(held.start));
    if (refusal) return { ok: false, reason: 'authorization', message: refusal };

    const why = [options.reason, `earlier place from the waitlist (entry ${entry.id})`].filter((s) => s !== undefined && s !== '').join('; ');
    let result: AppointmentResult;
    let left: StoredAppointment | null = null;
    if (entry.appointmentId !== undefined) {
      left = await getAppointment(store, clinicId, entry.appointmentId);
      if (!left || left.status !== 'booked') return { ok: false, reason: 'not-found', message: `appointment '${entry.appointmentId}' is no longer booked` };
      await releaseHold(store, clinicId, held.id);
      const { providerId, roomId, start, end, staff, equipment } = held;
      result = await reschedule(store, clinicId, left.id, left.version, { providerId, roomId, start, end, staff, equipment }, { actor: options.actor, reason: why, request });
    } else {
      result = await book(store, clinicId, { holdId: held.id }, { actor: options.actor, reason: why });
    }
    const slot = state.freed.get(offer.slotId);
    if (!result.ok) {
      // The place is gone (taken in between, or no longer valid): the entry waits on.
      delete entry.offer;
      await putEntry(store, clinicId, entry);
      if (slot) await deleteFreed(store, clinicId, slot.id);
      await advanceLocked(store, clinicId, ctx);
      return { ok: false, reason: 'refused', result };
    }
    await deleteEntry(store, clinicId, entry.id);
    if (slot) await deleteFreed(store, clinicId, slot.id);
    if (left) await putFreed(store, clinicId, freedOf(left, 'rescheduled', ctx.nowMs));
    await advanceLocked(store, clinicId, ctx);
    return { ok: true, appointment: result.appointment, moved: left !== null };
  });
}

function freedOf(appointment: StoredAppointment, why: FreedSlot['why'], nowMs: number): FreedSlot {
  return {
    id: `${appointment.id}.${appointment.version}`,
    appointment: { ...contractAppointment(appointment), id: appointment.id },
    date: appointment.date,
    freedAt: new Date(nowMs).toISOString(),
    why,
    passedBy: [],
    offeredTo: null,
  };
}

/** Gives an entry's offer up: its hold is released; the place is free to offer again (not to this entry again when it `passes`). */
async function withdrawOffer(store: Store, clinicId: string, state: WaitlistState, entry: WaitlistEntry, passes: boolean): Promise<void> {
  const offer = entry.offer;
  if (!offer) return;
  await releaseHold(store, clinicId, offer.holdId); // an expired hold is gone already: nothing to give up
  delete entry.offer;
  await putEntry(store, clinicId, entry);
  const slot = state.freed.get(offer.slotId);
  if (slot) {
    if (passes) slot.passedBy.push(entry.id);
    slot.offeredTo = null;
    await putFreed(store, clinicId, slot);
  }
}

/** The appointments and live holds of `ids` that exist, in one read (a hold past its expiry is left out, as getAppointment does). */
async function appointmentsById(store: Store, clinicId: string, ids: string[]): Promise<Map<string, StoredAppointment>> {
  const unique = [...new Set(ids)];
  if (unique.length === 0) return new Map();
  const raws = await store.redis.hmget(clinicKeys(store.prefix, clinicId).appointments, ...unique);
  const now = Date.now() + (store.clockOffsetMs ?? 0);
  const out = new Map<string, StoredAppointment>();
  for (const raw of raws) {
    if (raw === null) continue;
    const a = recordToAppointment(raw);
    if (!a.hold || toMs(a.hold.expiresAt) > now) out.set(a.id, a);
  }
  return out;
}

/** The stored requests of `ids` that exist. */
async function requestsOf(store: Store, clinicId: string, ids: string[]): Promise<Map<string, Request>> {
  const unique = [...new Set(ids)];
  if (unique.length === 0) return new Map();
  const raws = await store.redis.hmget(clinicKeys(store.prefix, clinicId).requests, ...unique);
  const out = new Map<string, Request>();
  raws.forEach((raw, i) => {
    if (raw !== null) out.set(unique[i]!, JSON.parse(raw) as Request);
  });
  return out;
}

/** Under the lock: expired offers passed on, entries whose request or appointment went dropped, free places offered. */
async function advanceLocked(store: Store, clinicId: string, ctx: Context): Promise<WaitlistState> {
  const { setup, nowMs } = ctx;
  const policy = setup.clinic.waitlist ?? DEFAULT_WAITLIST_POLICY;
  const state = await readWaitlist(store, clinicId);

  const entries = [...state.entries.values()];
  const known = await appointmentsById(store, clinicId, entries.flatMap((e) => [e.offer?.holdId, e.appointmentId].filter((id): id is string => id !== undefined)));

  // Offers whose hold is gone: run out (or released), or booked from the hold directly.
  for (const entry of entries) {
    if (!entry.offer) continue;
    const held = known.get(entry.offer.holdId);
    if (held?.hold) continue;
    const slot = state.freed.get(entry.offer.slotId);
    if (held) {
      await forget(store, clinicId, state, entry, slot);
      continue;
    }
    if (slot) {
      slot.passedBy.push(entry.id);
      slot.offeredTo = null;
      await putFreed(store, clinicId, slot);
    }
    delete entry.offer;
    await putEntry(store, clinicId, entry);
  }

  // Who is still waiting, with their request (and the start of the appointment they would leave).
  const requests = await requestsOf(store, clinicId, [...state.entries.values()].map((e) => e.requestId));
  const candidates: WaitingCandidate[] = [];
  for (const entry of [...state.entries.values()]) {
    const request = requests.get(entry.requestId);
    const current = entry.appointmentId !== undefined ? known.get(entry.appointmentId) : null;
    if (!request || (entry.appointmentId !== undefined && current?.status !== 'booked')) {
      await withdrawOffer(store, clinicId, state, entry, false);
      await forget(store, clinicId, state, entry, undefined);
      continue;
    }
    candidates.push({ entry, request, currentStartMs: current ? toMs(current.start) : null });
  }

  // Every free place still to come, oldest first, to the first in line that it fits and that can hold it.
  const slots = [...state.freed.values()].sort((a, b) => toMs(a.freedAt) - toMs(b.freedAt));
  for (const [i, slot] of slots.entries()) {
    if (toMs(slot.appointment.start) <= nowMs || i < slots.length - MAX_FREED) {
      await deleteFreed(store, clinicId, slot.id);
      state.freed.delete(slot.id);
      continue;
    }
    if (slot.offeredTo !== null && state.entries.get(slot.offeredTo)?.offer?.slotId === slot.id) continue;
    slot.offeredTo = null;
    let gone = false;
    for (const fit of waitlistOrder(setup, slot, candidates, policy, nowMs)) {
      const entry = state.entries.get(fit.entryId)!;
      const request = requests.get(entry.requestId)!;
      const own = entry.appointmentId === undefined ? request : { ...request, id: offerRequestId(request.id) };
      const result = await hold(store, clinicId, { ...fit.appointment, requestId: own.id }, {
        caller: OFFER_CALLER,
        ttlMs: policy.offerMinutes * MINUTE_MS,
        maxHoldsPerCaller: Number.MAX_SAFE_INTEGER,
        request: own,
      });
      if (result.ok) {
        const held = result.appointment;
        entry.offer = {
          holdId: held.id,
          slotId: slot.id,
          providerId: held.providerId,
          roomId: held.roomId,
          start: held.start,
          end: held.end,
          offeredAt: new Date(nowMs).toISOString(),
          expiresAt: held.hold!.expiresAt,
        };
        slot.offeredTo = entry.id;
        await putEntry(store, clinicId, entry);
        break;
      }
      // Something of this patient's (another visit, this request's place) is in the way: the next in line.
      const theirs = result.reason === 'invalid' || (result.reason === 'conflict' && result.conflicts.some((c) => /^(patient|request):/.test(c.resource)));
      if (theirs) {
        slot.passedBy.push(entry.id);
        continue;
      }
      gone = true; // the place itself is taken again
      break;
    }
    if (gone) {
      await deleteFreed(store, clinicId, slot.id);
      state.freed.delete(slot.id);
    } else await putFreed(store, clinicId, slot);
  }
  return state;
}

/** Drops an entry (and the place it was offered, which was booked). */
async function forget(store: Store, clinicId: string, state: WaitlistState, entry: WaitlistEntry, slot: FreedSlot | undefined): Promise<void> {
  await deleteEntry(store, clinicId, entry.id);
  state.entries.delete(entry.id);
  if (slot) {
    await deleteFreed(store, clinicId, slot.id);
    state.freed.delete(slot.id);
  }
}
