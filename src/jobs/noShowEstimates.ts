// The store edge of an overbooking plan's estimates: the clinic's history of the look-back, the model
// fitted on it, and each request of the day estimated (src/noshow/dayEstimates.ts).
import { estimateDay } from '../noshow/dayEstimates.js';
import { lookBackDates } from '../noshow/lookBackDates.js';
import { fitNoShowModel } from '../noshow/noShowModel.js';
import { finishedVisitsOf } from '../noshow/visitOf.js';
import { listDays } from '../store/daysOf.js';
import type { Store } from '../store/store.js';
import type { DayInputs } from './dayInputs.js';

/** What a plan keeps of the estimates: those of its own visits, by request id (none when it does not overbook). */
export function planEstimates(noShow: ReadonlyMap<string, number> | null, planned: readonly { requestId: string }[]): { noShowProbabilities?: Record<string, number> } {
  if (!noShow) return {};
  return { noShowProbabilities: Object.fromEntries(planned.flatMap((a) => (noShow.has(a.requestId) ? [[a.requestId, noShow.get(a.requestId)!]] : []))) };
}

/** The day's estimates by request id, or null when the clinic does not overbook (nothing is read then). */
export async function noShowEstimatesFor(store: Store, clinicId: string, date: string, lookbackDays: number, inputs: DayInputs): Promise<Map<string, number> | null> {
  if (!inputs.setup.overbooking) return null;
  const zone = inputs.setup.clinic.timezone;
  const history = finishedVisitsOf(await listDays(store, clinicId, lookBackDates(date, lookbackDays)), zone);
  return estimateDay(fitNoShowModel(history), history, zone, date, inputs.appointments, inputs.requests);
}
