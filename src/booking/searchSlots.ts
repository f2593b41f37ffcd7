// Slot search: the best k places for one request on a clinic day that already has its bookings,
// behind POST /clinics/{id}/slots/search. Pure: the day, the request and "now" come in as arguments.
//
// Feasibility is the solver's own: the request is compiled against the day (solver/model/compile.ts,
// live bookings pinned, so they are blocked capacity), each candidate place is tested with
// solver/usage.ts `fits` (which adds the room's turnover and the provider's maxAppointments to what
// the compiled starts already respect), and the chosen places get concrete rooms and staff from
// solver/decode.ts. With no option, solver/explain.ts says why (explainNoSlot.ts).
//
// Speed: compiling the whole 40-provider generated day (773 bookings) took ~7 ms a search (p95 20 ms),
// so only what can matter to the request is compiled (narrowDay.ts: providers, rooms and staff with a
// free stretch long enough, the bookings near those stretches); no per-day cache is needed. Measured
// with bench/searchBench.ts.
import { decodeAssignment } from '../../solver/decode.js';
import { compileModel } from '../../solver/model/compile.js';
import type { CompiledRequest, Model } from '../../solver/model/types.js';
import { emptyUsage, fits } from '../../solver/usage.js';
import type { Instance, Request } from '../contract/instance.js';
import { formatProblems } from '../contract/parse.js';
import type { SlotOption, SlotSearchResult } from '../contract/slotOption.js';
import { MINUTE_MS, toMs } from '../domain/time.js';
import { explainNoSlot } from './explainNoSlot.js';
import { narrowDay } from './narrowDay.js';
import { pickDiverse, type Spread } from './pickDiverse.js';
import { searchRequestProblems } from './searchRequestProblems.js';

const HOUR_MS = 3_600_000;
/** Scores closer than this are equal (they are sums of a few weights and a wait in hours). */
const SCORE_EPS = 1e-9;

export type SearchOptions = {
  /** How many options at most (default 5). */
  k?: number;
  /** Epoch ms: nothing starts earlier (e.g. now). The wait in the score still counts from the request's earliestStart. */
  notBefore?: number;
};

type Candidate = Spread & { providerFactor: number; preferred: boolean; score: number };

/**
 * The best k feasible places for `request` on the clinic day `instance` (horizon = that day; its live
 * appointments are `bookings`, all treated as pinned), ranked by the batch objective: highest score
 * first, ties to the earlier start, then to a preferred provider, then by provider id. At most one
 * option per provider and start, spread as pickDiverse.ts says. With no option, `options` is empty
 * and `reasons` names what blocks the request.
 *
 * Throws on a request the day cannot even read (unknown service or provider, off-grid minutes...):
 * check with searchRequestProblems first to answer 400 with paths.
 */
export function searchSlots(instance: Instance, request: Request, options: SearchOptions = {}): SlotSearchResult {
  const k = options.k ?? 5;
  if (!Number.isInteger(k) || k < 1) throw new RangeError(`k must be a whole number of at least 1, not ${k}`);
  if (options.notBefore !== undefined && !Number.isFinite(options.notBefore)) throw new RangeError(`notBefore must be epoch milliseconds, not ${options.notBefore}`);
  const problems = searchRequestProblems(instance, request);
  if (problems.length > 0) throw new Error(`the request cannot be searched:\n${formatProblems(problems)}`);

  const day = narrowDay(instance, request, options.notBefore);
  const model = compileModel(day.instance);
  const r = model.requests[0]!;
  const ranked = rankedCandidates(instance, request, model, r);
  const usage = emptyUsage(model); // the bookings are pinned: already taken out of the lanes' capacity
  const modeOf = new Map<Candidate, number>();
  const { rooms, staff, modeIndex } = r.factors;
  const feasible = (c: Candidate) => {
    const at = c.start - r.first;
    for (let ri = 0; ri < rooms.length; ri++) {
      if (!rooms[ri]!.ok[at]) continue;
      for (let si = 0; si < staff.length; si++) {
        const mode = modeIndex[(c.providerFactor * rooms.length + ri) * staff.length + si]!;
        if (mode < 0 || !staff[si]!.ok[at]) continue;
        if (fits(model, usage, r, { mode, start: c.start })) {
          modeOf.set(c, mode);
          return true;
        }
      }
    }
    return false;
  };

  const picked = pickDiverse(ranked, k, feasible);
  if (picked.length === 0) return { options: [], reasons: explainNoSlot(day) };
  return {
    options: picked.map((c, i) => {
      const { appointments } = decodeAssignment(day.instance, model, [{ mode: modeOf.get(c)!, start: c.start }]);
      const a = appointments.find((x) => x.requestId === request.id)!;
      const option: SlotOption = {
        providerId: a.providerId,
        roomId: a.roomId,
        start: a.start,
        end: a.end,
        staff: a.staff,
        equipment: a.equipment,
        score: Math.round(c.score * 1e6) / 1e6,
        rank: i + 1,
      };
      return option;
    }),
    reasons: [],
  };
}

/**
 * Every (provider, start) the provider's own hours and bookings allow, best first. A place's score is
 * the batch objective's term for the request, computed as the validator does (wait from the request's
 * own earliestStart, whatever notBefore cut off).
 */
function rankedCandidates(instance: Instance, request: Request, model: Model, r: CompiledRequest): Candidate[] {
  const w = instance.weights;
  const es = request.earliestStart ? toMs(request.earliestStart) : toMs(instance.horizon.start);
  const slotMs = model.slotMinutes * MINUTE_MS;
  const out: Candidate[] = [];
  r.factors.providers.forEach((p, providerFactor) => {
    const provider = p.lane < 0 ? null : model.lanes[p.lane]!.ids[0]!;
    const preferred = provider !== null && request.preferredProviderIds.includes(provider);
    const reward = w.urgency[request.urgency] + (preferred ? w.preferredProvider : 0);
    for (let start = r.first; start <= r.last; start++) {
      if (p.ok && !p.ok[start - r.first]) continue;
      const score = reward - (w.waitPerHour * (model.origin + start * slotMs - es)) / HOUR_MS;
      out.push({ provider, start, end: start + r.length, providerFactor, preferred, score });
    }
  });
  return out.sort(
    (a, b) =>
      (Math.abs(a.score - b.score) > SCORE_EPS ? b.score - a.score : 0) ||
      a.start - b.start ||
      Number(b.preferred) - Number(a.preferred) ||
      (a.provider ?? '').localeCompare(b.provider ?? ''),
  );
}
