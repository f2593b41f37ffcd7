// The clinic's audit trail for auditors: a page of entries (time range, one patient, paging by stream
// id), and the whole range exported as JSON lines (which `medsched audit verify --file` checks offline)
// or CSV, streamed page by page from Redis, never built in memory.
import { Readable } from 'node:stream';
import { stringify } from 'csv-stringify';
import { z } from 'zod';
import { AuditEntry, StoredAuditEntry, StreamId } from '../audit/auditEntry.js';
import { Instant } from '../contract/primitives.js';
import { toMs } from '../domain/time.js';
import { clinicTrail, readAuditPage, type AuditTrail, type RawAuditEntry } from '../store/auditLog.js';
import { clinicSetupOf } from './clinicSetupOf.js';
import type { RouteDeps, ZodApp } from './deps.js';
import { errorResponses, invalidRequest } from './errors.js';
import { ClinicParams, ItemId } from './params.js';

export const MAX_AUDIT_PAGE = 1_000;
/** Entries one page request reads at most while filtering by patient; past that it answers what it found and `next`. */
const SCAN_BUDGET = 20_000;
const READ_PAGE = 500;

const Range = {
  from: Instant.optional().describe('entries recorded at or after this instant (ISO 8601 with an offset)'),
  to: Instant.optional().describe('entries recorded at or before this instant'),
  patientId: ItemId.optional().describe("only entries that name this patient among their patientIds"),
};

export const AuditQuery = z
  .object({
    ...Range,
    limit: z.coerce.number().int('must be a whole number').min(1, 'must be at least 1').max(MAX_AUDIT_PAGE, `must be at most ${MAX_AUDIT_PAGE}`).default(100),
    after: StreamId.optional().describe("the page before's `next`: entries recorded after that stream id"),
  });

// (No schema ids on querystrings: the OpenAPI document lists their fields one by one, which a $ref prevents.)
export const AuditExportQuery = z.object({
  ...Range,
  format: z.enum(['jsonl', 'csv']).default('jsonl').describe('jsonl: one entry per line (verifiable offline); csv: a header row, then one row per entry'),
});

export const AuditPage = z
  .object({
    clinicId: z.string(),
    entries: z.array(StoredAuditEntry).describe('oldest first'),
    next: StreamId.nullable().describe('pass as `after` (with the same filters) for the next page; null at the end'),
    unreadable: z.array(StreamId).describe('stream ids of stored entries that are not audit entries (tampering?): run `medsched audit verify`'),
  })
  .meta({ id: 'AuditPage' });

const CSV_COLUMNS = ['id', ...Object.keys(AuditEntry.shape)] as const;

type Filter = { start: string; end: string; patientId: string | undefined };

export function registerAuditRoutes(app: ZodApp, deps: RouteDeps): void {
  const { store } = deps;

  app.get(
    '/clinics/:id/audit',
    {
      config: { audit: { action: 'audit.read', object: 'audit-trail', patientData: true }, access: { action: 'audit' } },
      schema: {
        tags: ['audit'],
        operationId: 'getAuditTrail',
        summary: "A page of the clinic's audit trail (role auditor)",
        description:
          'Every read of patient data, every change and every refused request, oldest first: who, what, which object and patients, when, the outcome, the request id, ' +
          'and the hash chain (`prev`, `hash`). `from`/`to` filter on when Redis recorded the entry (its stream id); page on with `after` = `next`.',
        params: ClinicParams,
        querystring: AuditQuery,
        response: { 200: AuditPage, ...errorResponses(400, 401, 403, 404, 503) },
      },
    },
    async (request) => {
      const { id } = request.params;
      const { limit, after } = request.query;
      await clinicSetupOf(store, id);
      const filter = filterOf(request.query, after);
      const trail = clinicTrail(store.prefix, id);
      const entries: StoredAuditEntry[] = [];
      const unreadable: string[] = [];
      let cursor = filter.start;
      let lastSeen: string | null = null;
      let scanned = 0;
      let atEnd = false;
      scan: while (scanned < SCAN_BUDGET) {
        const count = filter.patientId === undefined ? limit - entries.length - unreadable.length : READ_PAGE;
        const page = await readAuditPage(store, trail, cursor, filter.end, count);
        for (const raw of page) {
          lastSeen = raw.id;
          scanned++;
          const entry = readable(raw);
          if (!entry) unreadable.push(raw.id);
          else if (filter.patientId === undefined || entry.patientIds.includes(filter.patientId)) entries.push(entry);
          if (entries.length + unreadable.length >= limit) break scan;
        }
        if (page.length < count) {
          atEnd = true;
          break;
        }
        cursor = `(${lastSeen!}`;
      }
      return { clinicId: id, entries, next: atEnd ? null : lastSeen, unreadable };
    },
  );

  app.get(
    '/clinics/:id/audit/export',
    {
      config: { audit: { action: 'audit.export', object: 'audit-trail', patientData: true }, access: { action: 'audit' } },
      schema: {
        tags: ['audit'],
        operationId: 'exportAuditTrail',
        summary: "The clinic's audit trail as JSON lines or CSV, streamed (role auditor)",
        description:
          'JSON lines: each line one entry with its stream id, exactly as stored; `medsched audit verify --file FILE` checks the chain offline ' +
          '(a whole trail or a time range; a file filtered by patient has gaps by design). CSV: the same fields, `patientIds` joined with `;`.',
        params: ClinicParams,
        querystring: AuditExportQuery,
        response: { 200: z.string().describe('application/x-ndjson or text/csv'), ...errorResponses(400, 401, 403, 404, 503) },
      },
    },
    async (request, reply) => {
      const { id } = request.params;
      const { format } = request.query;
      await clinicSetupOf(store, id);
      const filter = filterOf(request.query, undefined);
      const trail = clinicTrail(store.prefix, id);
      const lines = Readable.from(exportRows(trail, filter, format));
      const fail = (error: Error) => request.log.error({ requestId: String(request.id), err: { message: error.message } }, 'audit export broke off');
      lines.on('error', fail);
      let body: Readable = lines;
      if (format === 'csv') {
        const csv = stringify({ header: true, columns: [...CSV_COLUMNS] });
        lines.on('error', (error) => csv.destroy(error));
        body = lines.pipe(csv);
      }
      return reply
        .header('content-type', format === 'csv' ? 'text/csv; charset=utf-8' : 'application/x-ndjson; charset=utf-8')
        .header('content-disposition', `attachment; filename="audit-${id}.${format}"`)
        // A stream is sent as it comes (the 200 schema documents its text; fastify serializes no stream).
        .send(body as unknown as string);
    },
  );

  /** JSON lines as text, or CSV records for the stringifier; page by page. */
  async function* exportRows(trail: AuditTrail, filter: Filter, format: 'jsonl' | 'csv'): AsyncGenerator<string | Record<string, unknown>> {
    let cursor = filter.start;
    for (;;) {
      const page = await readAuditPage(store, trail, cursor, filter.end, READ_PAGE);
      for (const raw of page) {
        const entry = raw.raw as { patientIds?: unknown };
        // A filtered export checks the patient on what is stored, readable or not (verify judges it).
        if (filter.patientId !== undefined && !(Array.isArray(entry?.patientIds) && entry.patientIds.includes(filter.patientId))) continue;
        if (format === 'jsonl') yield `${JSON.stringify({ id: raw.id, ...(raw.raw as object) })}\n`;
        else yield csvRecord(raw);
      }
      if (page.length < READ_PAGE) return;
      cursor = `(${page[page.length - 1]!.id}`;
    }
  }
}

/** The stream range of a query: `from`/`to` as stream ids (ms), `after` (exclusive) when it lies past `from`. */
function filterOf(query: { from?: string | undefined; to?: string | undefined; patientId?: string | undefined }, after: string | undefined): Filter {
  const fromMs = query.from !== undefined ? toMs(query.from) : null;
  const toMs_ = query.to !== undefined ? toMs(query.to) : null;
  if (fromMs !== null && toMs_ !== null && fromMs > toMs_) throw invalidRequest([{ path: '$.querystring.to', message: 'must not be before from' }]);
  let start = fromMs !== null ? `${fromMs}` : '-';
  if (after !== undefined && (fromMs === null || Number(after.split('-')[0]) >= fromMs)) start = `(${after}`;
  return { start, end: toMs_ !== null ? `${toMs_}` : '+', patientId: query.patientId };
}

function readable(raw: RawAuditEntry): StoredAuditEntry | null {
  const parsed = StoredAuditEntry.safeParse({ ...(raw.raw as object), id: raw.id });
  return parsed.success ? parsed.data : null;
}

function csvRecord(raw: RawAuditEntry): Record<string, unknown> {
  const entry = (raw.raw ?? {}) as Record<string, unknown>;
  return { ...entry, id: raw.id, patientIds: Array.isArray(entry.patientIds) ? entry.patientIds.join(';') : entry.patientIds };
}
