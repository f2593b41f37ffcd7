// The re-plan's inputs from the store: the day's instance and the day as it stands (every appointment
// with its status), with the events checked against them. The route checks before it creates a job;
// the job checks again, as the day may have changed in between.
import type { Instance } from '../contract/instance.js';
import type { Problem } from '../contract/parse.js';
import type { ReplanEvent, ReplanInput } from '../contract/replan.js';
import { checkReplanInput } from '../contract/replanChecks.js';
import { instanceForDay } from '../booking/instanceForDay.js';
import { contractAppointment, type DayInputs } from './dayInputs.js';

export function replanInputFor(
  inputs: DayInputs,
  date: string,
  now: string,
  events: ReplanEvent[],
  /** An overbooking clinic's estimates (noShowEstimatesFor): without them the re-plan does not overbook. */
  noShow: ReadonlyMap<string, number> | null = null,
): { instance: Instance; input: ReplanInput; problems: Problem[] } {
  const instance = instanceForDay(inputs.setup, date, inputs.appointments, inputs.requests, { noShow });
  // Holds are not appointments of the day: nobody is coming for them yet.
  const appointments = inputs.appointments.filter((a) => a.hold === undefined).map(contractAppointment);
  const input: ReplanInput = { now, appointments, events };
  return { instance, input, problems: checkReplanInput(instance, input) };
}
