// Constraint 6: a provider has at most maxAppointments appointments in the horizon.
import type { Context } from './context.js';
import { groupBy } from './intervals.js';

/** One violation per provider over the limit, at the first appointment (by start) beyond it. */
export function checkProviderLoad(ctx: Context): void {
  const byProvider = groupBy(ctx.placed, (p) => p.appt.providerId);
  for (const [id, placed] of byProvider) {
    const max = ctx.providers.get(id)?.maxAppointments;
    if (max === undefined || placed.length <= max) continue;
    const inOrder = [...placed].sort((a, b) => a.start - b.start || a.index - b.index);
    const first = inOrder[max]!;
    ctx.report(
      6,
      [first.index, 'providerId'],
      `provider '${id}' has ${placed.length} appointments but at most ${max} are allowed; ${ctx.label(first)} is number ${max + 1}`,
    );
  }
}
