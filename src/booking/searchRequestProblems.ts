import type { z } from 'zod';
import type { Instance, Request } from '../contract/instance.js';
import { checkInstanceReferences } from '../contract/instanceChecks.js';
import { jsonPath, type Problem } from '../contract/parse.js';
import { toMs } from '../domain/time.js';

/**
 * What is wrong with a request for slot search on this clinic day, each problem with a JSON path into
 * the request itself (`$.serviceId`): the contract's request rules (references, grid, window order).
 * A window reaching outside the day is not a problem here: the search uses the part inside the day.
 */
export function searchRequestProblems(instance: Instance, request: Request): Problem[] {
  // The contract's own checks on a copy of the day that holds just this request; the horizon is
  // widened to cover the window so only the request's own faults remain.
  const h0 = toMs(instance.horizon.start);
  const h1 = toMs(instance.horizon.end);
  const es = request.earliestStart ? toMs(request.earliestStart) : h0;
  const le = request.latestEnd ? toMs(request.latestEnd) : h1;
  const horizon = es < h0 || le > h1 ? { start: new Date(Math.min(h0, es)).toISOString(), end: new Date(Math.max(h1, le)).toISOString() } : instance.horizon;
  const problems: Problem[] = [];
  const ctx = {
    addIssue: (issue: { path?: PropertyKey[]; message?: string }) => {
      const path = issue.path ?? [];
      if (path[0] === 'requests') problems.push({ path: jsonPath(path.slice(2)), message: issue.message ?? 'invalid' });
    },
  } as unknown as z.RefinementCtx;
  checkInstanceReferences({ ...instance, horizon, requests: [request], bookings: [] }, ctx);
  return problems;
}
