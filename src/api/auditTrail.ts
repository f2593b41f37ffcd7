// The audit trail's hook: every route under /clinics/{id} declares what it does in its config
// (`config: { audit: { action, object, patientData } }`, published in /docs as `x-audit`), and once the
// answer has gone out the request is appended to the clinic's audit stream when it read patient data,
// changed anything, or was refused for want of authorisation: who, what, which object and patients,
// when, the outcome, the request id. After the answer, so it costs the caller nothing; a failed append
// is logged with the request id (never with patient data), never dropped silently.
import type { FastifyReply, FastifyRequest, RouteOptions } from 'fastify';
import type { AuditDraft } from '../audit/auditEntry.js';
import { appendAudit } from '../store/auditLog.js';
import type { RouteDeps, ZodApp } from './deps.js';
import { ClinicId } from './params.js';

export type AuditConfig = {
  /** What the request does, e.g. `appointment.read`, `appointment.create`, `plan.apply`. */
  action: string;
  /** The kind of object it acts on, e.g. `appointment`, `schedule`, `request`, `clinic`. */
  object: string;
  /** It reads or changes patient data: recorded on every call, with the patients it names. Otherwise only changes and refusals are. */
  patientData: boolean;
};

declare module 'fastify' {
  interface FastifyContextConfig {
    /** What the audit trail records of this route (every route under /clinics/{id} has one). */
    audit?: AuditConfig;
  }
}

const READS = new Set(['GET', 'HEAD', 'OPTIONS']);
/** Retries of an append that failed (Redis away or slow), after these pauses. */
const RETRY_MS = [100, 500];
/** A schedule names a few hundred patients; an entry names at most this many. */
const MAX_PATIENTS = 5_000;

/** What the answer showed, taken before it is serialized (the hook after the answer sees no body). */
type Seen = { patientIds: Set<string>; objectId: string | null };

/** Patients a handler knows its request concerned though its answer does not name them (a deleted request, an applied plan). */
const noted = new WeakMap<FastifyRequest, Set<string>>();

/** Who holds the signed link a request came with (a calendar feed's `calendar-link:<person id>`): there is no principal. */
const linkHolders = new WeakMap<FastifyRequest, string>();

export function auditLinkHolder(request: FastifyRequest, subject: string): void {
  linkHolders.set(request, subject);
}

/** Entries a request makes beside its own, once it has succeeded (an authorisation override inside a booking). */
type AlsoEntry = Pick<AuditDraft, 'action' | 'objectType' | 'objectId' | 'patientIds'>;
const also = new WeakMap<FastifyRequest, AlsoEntry[]>();

/** Records `entry` right after the request's own entry (with the same who, when and request id) if the request succeeds. */
export function auditAlso(request: FastifyRequest, entry: AlsoEntry): void {
  also.set(request, [...(also.get(request) ?? []), entry]);
}

/** The clinic and object of a request whose path names neither (a reminder's link: its token names them), once the handler knows. */
const namedObjects = new WeakMap<FastifyRequest, { clinicId: string; objectId: string }>();

export function auditObject(request: FastifyRequest, clinicId: string, objectId: string): void {
  namedObjects.set(request, { clinicId, objectId });
}

export function auditPatients(request: FastifyRequest, patientIds: Iterable<string>): void {
  let set = noted.get(request);
  if (!set) noted.set(request, (set = new Set()));
  for (const id of patientIds) if (set.size < MAX_PATIENTS) set.add(id);
}

export function registerAuditTrail(app: ZodApp, deps: RouteDeps): void {
  const seen = new WeakMap<FastifyRequest, Seen>();
  const pending = new Set<Promise<void>>();

  app.addHook('onRoute', (route: RouteOptions) => {
    const audit = route.config?.audit;
    if (audit && route.schema) (route.schema as Record<string, unknown>)['x-audit'] = audit;
  });

  app.addHook('preSerialization', async (request, _reply, payload) => {
    const audit = request.routeOptions.config?.audit;
    if (audit?.patientData) {
      const patientIds = new Set<string>();
      collectPatientIds(payload, patientIds);
      seen.set(request, { patientIds, objectId: createdId(payload) });
    }
    return payload;
  });

  // Once per request, when its answer is done: normally on onResponse; an answer that never finishes (a
  // client that hangs up mid-answer, an event stream it leaves) only closes, so closing records it too.
  const recorded = new WeakSet<FastifyRequest>();
  const record = (request: FastifyRequest, reply: FastifyReply) => {
    if (recorded.has(request)) return;
    recorded.add(request);
    const draft = draftOf(request, reply, seen.get(request), deps.now());
    if (!draft) return;
    const extra = draft.entry.outcome === 'allowed' && draft.entry.status < 300 ? (also.get(request) ?? []) : [];
    const work = append(request, draft.clinicId, draft.entry).then(async () => {
      for (const e of extra) await append(request, draft.clinicId, { ...draft.entry, ...e });
    });
    pending.add(work);
    void work.finally(() => pending.delete(work));
  };

  app.addHook('onRequest', (request, reply, done) => {
    if (request.routeOptions.config?.audit) reply.raw.once('close', () => record(request, reply));
    done();
  });

  app.addHook('onResponse', (request, reply, done) => {
    record(request, reply);
    done();
  });

  // Appends still under way when the server closes finish before the store's connection does.
  app.addHook('onClose', async () => {
    await Promise.allSettled([...pending]);
  });

  async function append(request: FastifyRequest, clinicId: string | null, entry: AuditDraft): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        await appendAudit(deps.store, clinicId, entry);
        return;
      } catch (error) {
        if (attempt < RETRY_MS.length) {
          await new Promise((r) => setTimeout(r, RETRY_MS[attempt]));
          continue;
        }
        // The request id finds the request in the logs; the entry itself (patients) stays out of them.
        request.log.error(
          { requestId: String(request.id), action: entry.action, status: entry.status, err: { message: (error as Error).message } },
          'audit entry could not be recorded',
        );
        return;
      }
    }
  }
}

/** The entry a finished request makes, or null when there is nothing to record. */
function draftOf(request: FastifyRequest, reply: FastifyReply, shown: Seen | undefined, nowMs: number): { clinicId: string | null; entry: AuditDraft } | null {
  const audit = request.routeOptions.config?.audit;
  if (!audit) return null;
  const params = (request.params ?? {}) as Record<string, unknown>;
  const rawClinic = params.id ?? namedObjects.get(request)?.clinicId;
  // Only a valid id becomes part of a key name; anything else goes to the deployment's trail.
  const clinicId = typeof rawClinic === 'string' && ClinicId.safeParse(rawClinic).success ? rawClinic : null;
  const principal = request.principal;
  const status = reply.statusCode;
  const denied = status === 401 || status === 403 || (status === 404 && principal !== undefined && clinicId !== null && !principal.clinics.includes(clinicId));
  if (!audit.patientData && READS.has(request.method) && !denied) return null;

  const query = (request.query ?? {}) as Record<string, unknown>;
  const patientIds = new Set([...(shown?.patientIds ?? []), ...(noted.get(request) ?? [])]);
  if (audit.patientData) {
    collectPatientIds(request.body, patientIds);
    if (typeof query.patientId === 'string') patientIds.add(query.patientId);
    // A patient's own routes name the patient in the path.
    if (typeof params.patientId === 'string') patientIds.add(params.patientId);
  }
  const named = [params.aid, params.itemId, params.jobId, params.patientId, params.personId].find((v): v is string => typeof v === 'string');
  const objectId = named ?? namedObjects.get(request)?.objectId ?? shown?.objectId ?? (audit.object === 'clinic' ? clinicId : typeof query.date === 'string' ? query.date : null);
  return {
    clinicId,
    entry: {
      at: new Date(nowMs).toISOString(),
      clinicId,
      subject: principal?.subject ?? linkHolders.get(request) ?? 'anonymous',
      role: principal?.role ?? 'none',
      via: principal?.via ?? (linkHolders.has(request) ? 'signed-link' : 'none'),
      action: denied ? 'auth.denied' : audit.action,
      attempted: denied ? audit.action : null,
      objectType: audit.object,
      objectId,
      patientIds: [...patientIds].slice(0, MAX_PATIENTS),
      method: request.method,
      route: request.routeOptions.url ?? '',
      status,
      outcome: denied ? 'denied' : 'allowed',
      requestId: String(request.id),
    },
  };
}

/** Every `patientId` in a body or an answer (an appointment, a schedule, a plan, a list of requests). */
function collectPatientIds(value: unknown, into: Set<string>, depth = 0): void {
  if (value === null || typeof value !== 'object' || depth > 12 || into.size >= MAX_PATIENTS) return;
  if (Array.isArray(value)) {
    for (const item of value) collectPatientIds(item, into, depth + 1);
    return;
  }
  for (const [key, item] of Object.entries(value)) {
    if (key === 'patientId' && typeof item === 'string') into.add(item);
    else if (typeof item === 'object') collectPatientIds(item, into, depth + 1);
  }
}

/** The id of what an answer created: an appointment or hold, a request, a job or a batch. */
function createdId(payload: unknown): string | null {
  if (payload === null || typeof payload !== 'object') return null;
  const p = payload as { id?: unknown; request?: { id?: unknown }; jobId?: unknown; batchId?: unknown; error?: unknown };
  if (p.error !== undefined) return null;
  for (const v of [p.id, p.request?.id, p.jobId]) if (typeof v === 'string') return v;
  return null;
}
