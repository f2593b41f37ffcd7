// Clinic set-up: the whole document (PUT/GET /clinics/{id}) and each provider, room, equipment item,
// staff member and service on its own (PUT/GET/DELETE /clinics/{id}/<kind>/{itemId}). Every change
// names the version it is based on (If-Match) and is validated as a whole set-up, as the contract says.
import { z } from 'zod';
import { ClinicSetup } from '../contract/clinicSetup.js';
import { Equipment, Provider, Room, Service, Staff } from '../contract/instance.js';
import { jsonPath, parseWith } from '../contract/parse.js';
import { getSetup, putSetup, type VersionedSetup } from '../store/setup.js';
import { checkCaps } from './caps.js';
import type { RouteDeps, ZodApp } from './deps.js';
import { ApiError, errorResponses, invalidRequest, notFound } from './errors.js';
import { ClinicItemParams, ClinicParams } from './params.js';
import { IfMatchHeader, etag, optionalVersion, requiredVersion } from './preconditions.js';

/** Unknown fields are refused (400 naming them), at the top of the set-up and of an item. */
const SetupBody = ClinicSetup.strict().superRefine(checkCaps);
type Setup = z.infer<typeof ClinicSetup>;

const SetupAnswer = z.object({ clinicId: z.string(), version: z.number().int(), setup: ClinicSetup });
const ItemAnswer = <T extends z.ZodType>(item: T) => z.object({ clinicId: z.string(), version: z.number().int(), item });
const DeletedAnswer = z.object({ clinicId: z.string(), version: z.number().int() });
const VersionHeaders = z.looseObject({ 'if-match': IfMatchHeader });


const KINDS = {
  providers: { schema: Provider, one: 'provider' },
  rooms: { schema: Room, one: 'room' },
  equipment: { schema: Equipment, one: 'equipment item' },
  staff: { schema: Staff, one: 'staff member' },
  services: { schema: Service, one: 'service' },
} as const;
type Kind = keyof typeof KINDS;

export function registerSetupRoutes(app: ZodApp, deps: RouteDeps): void {
  const { store } = deps;

  app.put(
    '/clinics/:id',
    {
      config: { audit: { action: 'setup.change', object: 'clinic', patientData: false }, access: { action: 'change-setup' }, reminders: 'setup' },
      schema: {
        tags: ['set-up'],
        operationId: 'putClinic',
        summary: 'Create or replace the whole set-up of a clinic',
        description:
          'Creates the clinic when it has none (201), else replaces its set-up (200) and then needs If-Match with the current version. ' +
          'Refused (409) when it would remove something a live appointment or hold uses.',
        params: ClinicParams,
        headers: VersionHeaders,
        body: SetupBody,
        response: { 200: SetupAnswer, 201: SetupAnswer, ...errorResponses(400, 404, 409, 412, 428, 503) },
      },
    },
    async (request, reply) => {
      const { id } = request.params;
      const setup = request.body;
      if (setup.clinic.id !== id)
        throw invalidRequest([{ path: '$.body.clinic.id', message: `the set-up is for clinic '${setup.clinic.id}' but the path names '${id}'` }]);
      const expected = optionalVersion(request.headers['if-match']);
      const current = await getSetup(store, id);
      if (current && expected === null) throw requiredVersionOf(current);
      const stored = await save(id, setup, expected, (p) => `$.body${p.slice(1)}`);
      reply.header('etag', etag(stored.version));
      return reply.code(current ? 200 : 201).send({ clinicId: id, version: stored.version, setup: stored.setup });
    },
  );

  app.get(
    '/clinics/:id',
    {
      config: { audit: { action: 'setup.read', object: 'clinic', patientData: false }, access: { action: 'read-setup' } },
      schema: {
        tags: ['set-up'],
        operationId: 'getClinic',
        summary: 'The set-up of a clinic, with its version as ETag',
        params: ClinicParams,
        response: { 200: SetupAnswer, ...errorResponses(400, 404, 503) },
      },
    },
    async (request, reply) => {
      const current = await getSetup(store, request.params.id);
      if (!current) throw notFound(`clinic '${request.params.id}'`);
      reply.header('etag', etag(current.version));
      return { clinicId: request.params.id, version: current.version, setup: current.setup };
    },
  );

  for (const kind of Object.keys(KINDS) as Kind[]) registerItemRoutes(kind);

  function registerItemRoutes(kind: Kind): void {
    const { schema, one } = KINDS[kind];
    const Body = (schema as z.ZodObject).extend({ id: z.string().min(1).optional().describe('defaults to the id in the path; must equal it') }).strict();
    const url = `/clinics/:id/${kind}/:itemId`;
    const opName = kind.charAt(0).toUpperCase() + kind.slice(1);

    app.put(
      url,
      {
        config: { audit: { action: 'setup.change', object: kind.replace(/s$/, ''), patientData: false }, access: { action: 'change-setup' } },
        schema: {
          tags: ['set-up'],
          operationId: `put${opName}Item`,
          summary: `Add or replace one ${one} (If-Match: the set-up version)`,
          params: ClinicItemParams,
          headers: VersionHeaders,
          body: Body,
          response: { 200: ItemAnswer(schema), 201: ItemAnswer(schema), ...errorResponses(400, 404, 409, 412, 428, 503) },
        },
      },
      async (request, reply) => {
        const { id, itemId } = request.params;
        const body = request.body as { id?: string };
        if (body.id !== undefined && body.id !== itemId)
          throw invalidRequest([{ path: '$.body.id', message: `the body names ${one} '${body.id}' but the path names '${itemId}'` }]);
        const current = await versioned(id, request.headers['if-match']);
        const list = current.setup[kind] as { id: string }[];
        const index = list.findIndex((x) => x.id === itemId);
        const item = { ...body, id: itemId };
        const nextList = index >= 0 ? list.map((x, i) => (i === index ? item : x)) : [...list, item];
        const at = index >= 0 ? index : list.length;
        const next = { ...current.setup, [kind]: nextList } as Setup;
        const stored = await save(id, next, current.version, (p) => itemPath(p, kind, at));
        const saved = (stored.setup[kind] as { id: string }[]).find((x) => x.id === itemId);
        reply.header('etag', etag(stored.version));
        return reply.code(index >= 0 ? 200 : 201).send({ clinicId: id, version: stored.version, item: saved as never });
      },
    );

    app.get(
      url,
      {
        config: { audit: { action: 'setup.read', object: kind.replace(/s$/, ''), patientData: false }, access: { action: 'read-setup' } },
        schema: {
          tags: ['set-up'],
          operationId: `get${opName}Item`,
          summary: `One ${one}, with the set-up version as ETag`,
          params: ClinicItemParams,
          response: { 200: ItemAnswer(schema), ...errorResponses(400, 404, 503) },
        },
      },
      async (request, reply) => {
        const { id, itemId } = request.params;
        const current = await getSetup(store, id);
        if (!current) throw notFound(`clinic '${id}'`);
        const item = (current.setup[kind] as { id: string }[]).find((x) => x.id === itemId);
        if (!item) throw notFound(`${one} '${itemId}' of clinic '${id}'`);
        reply.header('etag', etag(current.version));
        return { clinicId: id, version: current.version, item: item as never };
      },
    );

    app.delete(
      url,
      {
        config: { audit: { action: 'setup.change', object: kind.replace(/s$/, ''), patientData: false }, access: { action: 'change-setup' } },
        schema: {
          tags: ['set-up'],
          operationId: `delete${opName}Item`,
          summary: `Remove one ${one} (If-Match: the set-up version)`,
          description: 'Refused (409) while a live appointment or hold uses it, or while the rest of the set-up refers to it.',
          params: ClinicItemParams,
          headers: VersionHeaders,
          response: { 200: DeletedAnswer, ...errorResponses(400, 404, 409, 412, 428, 503) },
        },
      },
      async (request, reply) => {
        const { id, itemId } = request.params;
        const current = await versioned(id, request.headers['if-match']);
        const list = current.setup[kind] as { id: string }[];
        if (!list.some((x) => x.id === itemId)) throw notFound(`${one} '${itemId}' of clinic '${id}'`);
        const next = { ...current.setup, [kind]: list.filter((x) => x.id !== itemId) } as Setup;
        // What the rest of the set-up still says about the removed item is a conflict, not a bad request.
        const parsed = parseWith(ClinicSetup, next);
        if (!parsed.ok)
          throw new ApiError(409, {
            error: 'in-use',
            message: `${one} '${itemId}' is still referred to by the set-up; change those first`,
            problems: parsed.problems,
          });
        const stored = await save(id, parsed.value, current.version, (p) => p);
        reply.header('etag', etag(stored.version));
        return { clinicId: id, version: stored.version };
      },
    );
  }

  /** The current set-up, if If-Match names its version (428 without one, 412 with another). */
  async function versioned(clinicId: string, ifMatch: string | undefined): Promise<VersionedSetup> {
    const expected = requiredVersion(ifMatch);
    const current = await getSetup(store, clinicId);
    if (!current) throw notFound(`clinic '${clinicId}'`);
    if (current.version !== expected) throw staleSetup(current);
    return current;
  }

  /** Validates and stores `setup`; problems' paths go through `where` (from set-up paths to request paths). */
  async function save(clinicId: string, setup: Setup, expected: number | null, where: (path: string) => string): Promise<VersionedSetup> {
    const parsed = parseWith(SetupBody, setup);
    if (!parsed.ok) throw invalidRequest(parsed.problems.map((p) => ({ ...p, path: where(p.path) })), 'the set-up would be invalid');
    const result = await putSetup(store, clinicId, parsed.value, expected);
    if (result.ok) return { setup: parsed.value, version: result.version };
    if (result.reason === 'invalid') throw invalidRequest(result.problems.map((p) => ({ ...p, path: where(p.path) })), 'the set-up would be invalid');
    if (result.reason === 'in-use')
      throw new ApiError(409, {
        error: 'in-use',
        message: 'the change would remove or alter what live appointments or holds use',
        problems: result.problems,
      });
    const now = await getSetup(store, clinicId);
    if (!now) throw new ApiError(412, { error: 'stale', message: `clinic '${clinicId}' has no set-up (any more); create it without If-Match` });
    throw staleSetup(now);
  }
}

function staleSetup(current: VersionedSetup): ApiError {
  return new ApiError(412, {
    error: 'stale',
    message: `the set-up is at version ${current.version}; read it again (GET /clinics/{id}) and retry with If-Match: "${current.version}"`,
    current: { version: current.version, setup: current.setup },
  });
}

function requiredVersionOf(current: VersionedSetup): ApiError {
  return new ApiError(428, {
    error: 'precondition-required',
    message: `the clinic exists (version ${current.version}); replacing its set-up needs If-Match: "${current.version}"`,
  });
}

/** `$.providers[3].availability[0]` of the set-up as `$.body.availability[0]` when it is the item the request sent. */
function itemPath(path: string, kind: Kind, index: number): string {
  const own = `${jsonPath([kind, index])}`;
  if (path === own) return '$.body';
  if (path.startsWith(`${own}.`) || path.startsWith(`${own}[`)) return `$.body${path.slice(own.length)}`;
  return path;
}

