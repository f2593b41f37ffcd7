// Constraint 5: one patient's appointments never overlap.
import type { Context } from './context.js';
import { groupBy, overlappingPairs } from './intervals.js';

export function checkPatients(ctx: Context): void {
  const byPatient = groupBy(ctx.placed, (p) => p.appt.patientId);
  for (const [id, placed] of byPatient)
    for (const [a, b] of overlappingPairs(placed))
      ctx.report(5, [b.index, 'start'], `patient '${id}' has two appointments at once: ${ctx.label(a)} and ${ctx.label(b)}`);
}
