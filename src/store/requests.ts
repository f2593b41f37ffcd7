import { z } from 'zod';
import { Request } from '../contract/instance.js';
import { checkInstanceReferences } from '../contract/instanceChecks.js';
import { parseWith, type Problem } from '../contract/parse.js';
import { toMs } from '../domain/time.js';
import { dayBounds } from '../booking/dayGrid.js';
import type { ClinicSetup } from '../contract/clinicSetup.js';
import { runScript } from './commands.js';
import { clinicKeys } from './keys.js';
import { getSetup } from './setup.js';
import type { Store } from './store.js';

export type PutRequestResult =
  | { ok: true; request: Request }
  | { ok: false; reason: 'invalid'; problems: Problem[] }
  | { ok: false; reason: 'not-found' }
  | { ok: false; reason: 'full'; max: number };

const DAY_MS = 86_400_000;
/** Ids in natural order (r2 before r10); one collator, as localeCompare with options builds one per call. */
const BY_ID = new Intl.Collator('en', { numeric: true });

/**
 * Stores (or replaces) a request waiting to be scheduled, checked against the clinic's set-up by the contract's
 * rules; a new one only while the clinic has fewer than `maxWaiting` (checked and written in one script).
 */
export async function putRequest(store: Store, clinicId: string, request: Request, maxWaiting = Number.MAX_SAFE_INTEGER): Promise<PutRequestResult> {
  const parsed = parseWith(Request, request);
  if (!parsed.ok) return { ok: false, reason: 'invalid', problems: parsed.problems };
  const current = await getSetup(store, clinicId);
  if (!current) return { ok: false, reason: 'not-found' };
  const problems = requestProblems(current.setup, parsed.value);
  if (problems.length > 0) return { ok: false, reason: 'invalid', problems };
  const key = clinicKeys(store.prefix, clinicId).requests;
  const stored = await runScript(store, 'medschedPutRequest', [key], [parsed.value.id, JSON.stringify(parsed.value), maxWaiting]);
  if (stored === 0) return { ok: false, reason: 'full', max: maxWaiting };
  return { ok: true, request: parsed.value };
}

/** The contract's rules for a request (known service and provider, grid, window), judged on its own window. */
function requestProblems(setup: ClinicSetup, request: Request): Problem[] {
  const es = request.earliestStart ? toMs(request.earliestStart) : undefined;
  const le = request.latestEnd ? toMs(request.latestEnd) : undefined;
  const start = es ?? (le !== undefined ? le - DAY_MS : 0);
  const end = le !== undefined && le > start ? le : start + DAY_MS;
  const issues: Problem[] = [];
  const ctx = {
    addIssue: (issue: { path?: PropertyKey[]; message?: string }) => {
      const path = issue.path ?? [];
      if (path[0] !== 'requests') return; // only what concerns the request
      issues.push({ path: '$' + path.slice(2).map((k) => (typeof k === 'number' ? `[${k}]` : `.${String(k)}`)).join(''), message: issue.message ?? '' });
    },
  } as unknown as z.RefinementCtx;
  const horizon = { start: new Date(start).toISOString(), end: new Date(end).toISOString() };
  checkInstanceReferences({ ...setup, version: 1, horizon, requests: [request], bookings: [] }, ctx);
  return issues;
}

/** The clinic's waiting requests; with a date, those whose window reaches into that clinic-local day (or that have no window). */
export async function listRequests(store: Store, clinicId: string, date?: string): Promise<Request[]> {
  const raws = await store.redis.hvals(clinicKeys(store.prefix, clinicId).requests);
  const requests = raws.map((raw) => JSON.parse(raw) as Request).sort((a, b) => BY_ID.compare(a.id, b.id));
  if (date === undefined) return requests;
  const current = await getSetup(store, clinicId);
  if (!current) return [];
  const day = dayBounds(date, current.setup.clinic.timezone);
  return requests.filter((r) => {
    const es = r.earliestStart ? toMs(r.earliestStart) : -Infinity;
    const le = r.latestEnd ? toMs(r.latestEnd) : Infinity;
    return es < day.end && le > day.start;
  });
}

/** One waiting request by id; null when there is none. */
export async function getRequest(store: Store, clinicId: string, requestId: string): Promise<Request | null> {
  const raw = await store.redis.hget(clinicKeys(store.prefix, clinicId).requests, requestId);
  return raw === null ? null : (JSON.parse(raw) as Request);
}

/** Removes a waiting request; false when there was none. */
export async function deleteRequest(store: Store, clinicId: string, requestId: string): Promise<boolean> {
  return (await store.redis.hdel(clinicKeys(store.prefix, clinicId).requests, requestId)) > 0;
}
