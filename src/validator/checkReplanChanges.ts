// Rule 6: the changes of a re-plan list what was touched (when the result lists changes at all).
import type { Change } from '../contract/replan.js';
import { MINUTE_MS, toMs } from '../domain/time.js';
import type { ReplanContext } from './replanContext.js';

export function checkChanges(ctx: ReplanContext): void {
  const changes = ctx.result.changes;
  if (!changes) return;
  const { day, matching, result } = ctx;
  const entries = (requestId: string, kinds: Change['kind'][]) =>
    changes.flatMap((c, k) => (c.requestId === requestId && kinds.includes(c.kind) ? [{ c, k }] : []));

  day.live.forEach((l, entry) => {
    const i = matching.live[entry];
    if (i === undefined) return;
    const a = result.appointments[i]!;
    const p = l.planned;
    const providerChanged = a.providerId !== p.providerId;
    const delay = (toMs(a.start) - l.plannedStart) / MINUTE_MS;
    if (!providerChanged && a.roomId === p.roomId && delay === 0) return;
    const found = entries(a.requestId, ['moved', 'reassigned'])[0];
    if (!found) {
      ctx.report(
        'changes',
        ['appointments', i],
        `${ctx.label(a)} differs from the day's plan (${ctx.time(l.plannedStart)} with '${p.providerId}' in '${p.roomId}') but changes has no 'moved' or 'reassigned' entry for it`,
      );
      return;
    }
    const kind = providerChanged ? 'reassigned' : 'moved';
    if (found.c.kind !== kind)
      ctx.report(
        'changes',
        ['changes', found.k, 'kind'],
        `request '${a.requestId}' ${providerChanged ? `went from '${p.providerId}' to '${a.providerId}'` : `kept provider '${a.providerId}'`}, so its change is '${kind}', not '${found.c.kind}'`,
      );
    if (found.c.delayMinutes !== delay)
      ctx.report('changes', ['changes', found.k, 'delayMinutes'], `request '${a.requestId}' moved from ${ctx.time(l.plannedStart)} to ${ctx.time(toMs(a.start))}, so delayMinutes is ${delay}, not ${found.c.delayMinutes}`);
  });

  day.fresh.forEach((q, entry) => {
    const i = matching.fresh[entry];
    if (i !== undefined && entries(q.request.id, ['added']).length === 0)
      ctx.report('changes', ['appointments', i], `new request '${q.request.id}' is placed (${ctx.label(result.appointments[i]!)}) but changes has no 'added' entry for it`);
  });

  const placed = new Set(
    matching.roles.flatMap((role, i) => (role.kind === 'live' || role.kind === 'new' ? [result.appointments[i]!.requestId] : [])),
  );
  changes.forEach((c, k) => {
    if (c.kind === 'bumped' && placed.has(c.requestId))
      ctx.report('changes', ['changes', k], `request '${c.requestId}' is listed as bumped but is still on the schedule`);
  });
}
