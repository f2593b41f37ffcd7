// Schema-driven fuzzing over the OpenAPI document the API publishes (GET /docs): for every operation,
// fast-check builds requests that are malformed in one definite way (a wrong type, a missing required
// field, an extra-large array, a bad date, an unknown or invalid id, a bad header or query value, a body
// that is not JSON, too big or of another media type) on top of a body sketched from the operation's
// schema. Every answer must be a 4xx with a JSON body naming the problem; never a 5xx.
import fc from 'fast-check';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startApi, type ApiProcess } from './support/apiProcess.js';
import { call } from './support/http.js';
import { testRedis } from './support/redis.js';
import { at, serviceClinic } from './support/serviceClinic.js';

const RUNS = Number(process.env.MEDSCHED_FUZZ_RUNS ?? 800);
const BODY_LIMIT = 32_768;
const C = 'fz';
const t = testRedis('api-fuzz');
let api: ApiProcess;
let doc: OpenApi;
/** Real ids for path parameters, so a request reaches its handler unless the test swaps one for a bad id. */
const ids: Record<string, string> = { id: C };

type Schema = {
  $ref?: string;
  type?: string;
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  anyOf?: Schema[];
  oneOf?: Schema[];
  allOf?: Schema[];
  enum?: unknown[];
  const?: unknown;
  minItems?: number;
  minLength?: number;
  minimum?: number;
  nullable?: boolean;
};
type Parameter = { in: 'path' | 'query' | 'header'; name: string; required?: boolean; schema: Schema };
type Operation = { operationId: string; parameters?: Parameter[]; requestBody?: { content: Record<string, { schema: Schema }> } };
type OpenApi = { paths: Record<string, Record<string, Operation>>; components: { schemas: Record<string, Schema> } };

beforeAll(async () => {
  api = await startApi({ MEDSCHED_PREFIX: t.prefix, BODY_LIMIT: String(BODY_LIMIT) });
  const put = await call(api.url, 'PUT', `/clinics/${C}`, serviceClinic(C, 2));
  expect(put.status, put.text).toBe(201);
  const request = { patientId: 'p-fz', serviceId: 'visit', urgency: 'routine' };
  const booked = await call(api.url, 'POST', `/clinics/${C}/appointments`, { request, providerId: 'dr-0', roomId: 'room-0', start: at('09:00') });
  const held = await call(api.url, 'POST', `/clinics/${C}/holds`, { request: { ...request, patientId: 'p-fz2' }, providerId: 'dr-1', roomId: 'room-1', start: at('09:00'), ttlSeconds: 900 });
  const stored = await call(api.url, 'POST', `/clinics/${C}/requests`, { id: 'rq-fz', ...request });
  expect([booked.status, held.status, stored.status]).toEqual([201, 201, 201]);
  Object.assign(ids, { aid: booked.body.id, hold: held.body.id, request: 'rq-fz', jobId: `optimize:${C}:2030-01-15` });
  doc = (await call(api.url, 'GET', '/docs')).body as OpenApi;
}, 60_000);
afterAll(async () => {
  await api.stop();
  await t.cleanup();
}, 30_000);

const resolve = (s: Schema): Schema => (s.$ref ? resolve(doc.components.schemas[s.$ref.split('/').pop()!]!) : s);

/** A sketch of a body: required fields only, each with a plain value of its type (not necessarily valid). */
function sketch(schema: Schema, depth = 0): unknown {
  const s = resolve(schema);
  if (s.const !== undefined) return s.const;
  if (s.enum) return s.enum[0];
  const branch = s.anyOf ?? s.oneOf ?? s.allOf;
  if (branch) return sketch(branch[0]!, depth);
  switch (s.type) {
    case 'object':
      return depth > 5 ? {} : Object.fromEntries((s.required ?? []).map((k) => [k, sketch(s.properties?.[k] ?? {}, depth + 1)]));
    case 'array':
      return depth > 5 ? [] : Array.from({ length: s.minItems ?? 0 }, () => sketch(s.items ?? {}, depth + 1));
    case 'string':
      return 'x'.repeat(Math.max(1, s.minLength ?? 1));
    case 'integer':
    case 'number':
      return (s.minimum ?? 0) + 1;
    case 'boolean':
      return true;
    default:
      return null;
  }
}

/** A value the schema surely rejects, or undefined when it accepts anything. */
function wrongValue(schema: Schema): unknown {
  const s = resolve(schema);
  const branches = (s.anyOf ?? s.oneOf)?.map(resolve) ?? [s];
  const types = new Set(branches.map((b) => (b.enum ? 'enum' : b.type)));
  if (types.has(undefined)) return undefined;
  if (types.size === 1 && types.has('enum')) return '__not_one_of_them__';
  for (const [type, value] of [['integer', 12345], ['string', 'text'], ['object', { x: 1 }], ['array', [1]], ['boolean', true]] as const) {
    const accepts = types.has(type) || (type === 'integer' && types.has('number')) || (type === 'string' && types.has('enum'));
    if (!accepts) return value;
  }
  return undefined;
}

type Loc = { path: (string | number)[]; schema: Schema; name: string };

/** Every place in the body a mutation can aim at (properties, and the first item of arrays), to depth 4. */
function locations(schema: Schema, path: (string | number)[] = [], name = '', depth = 0): Loc[] {
  const s = resolve(schema);
  const here: Loc[] = path.length > 0 ? [{ path, schema: s, name }] : [];
  if (depth > 4) return here;
  const branch = (s.anyOf ?? s.oneOf ?? s.allOf)?.map(resolve).find((b) => b.type === 'object' || b.type === 'array');
  const shape = branch ?? s;
  if (shape.type === 'object')
    return [...here, ...Object.entries(shape.properties ?? {}).flatMap(([k, v]) => locations(v, [...path, k], k, depth + 1))];
  if (shape.type === 'array' && shape.items) return [...here, ...locations(shape.items, [...path, 0], name, depth + 1)];
  return here;
}

function setAt(root: unknown, path: (string | number)[], value: unknown, remove = false): unknown {
  if (path.length === 0) return value;
  const [key, ...rest] = path;
  const container: Record<string | number, unknown> =
    typeof key === 'number' ? (Array.isArray(root) ? [...root] : []) as unknown as Record<number, unknown> : root && typeof root === 'object' && !Array.isArray(root) ? { ...(root as object) } : {};
  if (rest.length === 0 && remove) delete container[key!];
  else container[key!] = setAt(container[key!], rest, value, remove);
  return container;
}

const DATE_NAMES = /^(start|end|earliestStart|latestEnd|date|now|availableFrom|expectedEnd|at)$/;
const BAD_DATES = ['2030-02-30T25:61:00Z', 'tomorrow', '2030-01-15T09:00:00', '2030-13-45', '1/15/2030 9:00', ''];
const BAD_IDS = ['a%20b', 'x'.repeat(300), '%7Bc%7D', '%00', 'caf%C3%A9%F0%9F%98%80'];
const BAD_HEADERS: Record<string, string[]> = {
  'if-match': ['soon', '"v1"', 'W/"x"', '*'],
  'idempotency-key': ['has space', 'k'.repeat(201)],
  'x-caller': ['c'.repeat(150)],
};
const BAD_QUERY = ['2030-13-45', 'nobody', '-1', 'q'.repeat(300), ''];

type Case = { method: string; path: string; body?: string; headers: Record<string, string>; what: string };

function operationCases(route: string, method: string, op: Operation): fc.Arbitrary<Case> | null {
  const params = op.parameters ?? [];
  const pathParams = params.filter((p) => p.in === 'path');
  const query = params.filter((p) => p.in === 'query');
  const headers = params.filter((p) => p.in === 'header' && BAD_HEADERS[p.name]);
  const bodySchema = op.requestBody?.content['application/json']?.schema;
  const idOf = (name: string) => {
    if (name !== 'itemId') return ids[name] ?? 'unknown';
    const kind = route.split('/')[3];
    return ({ providers: 'dr-0', rooms: 'room-0', equipment: 'ecg', staff: 'st-0', services: 'visit', holds: ids.hold, requests: ids.request } as Record<string, string>)[kind!] ?? 'x';
  };
  const urlOf = (swap: Record<string, string> = {}, q = '') =>
    route.replace(/\{(\w+)\}/g, (_, name: string) => swap[name] ?? encodeURIComponent(idOf(name))) + q;
  const base = bodySchema ? sketch(bodySchema) : undefined;
  const json = { 'content-type': 'application/json' };
  const arbs: fc.Arbitrary<Case>[] = [];

  if (pathParams.length > 0) {
    const p = fc.constantFrom(...pathParams.map((x) => x.name));
    const unknown = fc.tuple(p, fc.stringMatching(/^[a-z0-9-]{1,24}$/)).map(([name, id]): Case => ({
      method, path: urlOf({ [name]: `zz-${id}` }), headers: bodySchema ? json : {}, body: bodySchema ? JSON.stringify(base) : undefined, what: `unknown ${name}`,
    }));
    const invalid = fc.tuple(p, fc.constantFrom(...BAD_IDS)).map(([name, id]): Case => ({
      method, path: urlOf({ [name]: id }), headers: bodySchema ? json : {}, body: bodySchema ? JSON.stringify(base) : undefined, what: `invalid ${name} ${id.slice(0, 20)}`,
    }));
    // With a valid body an unknown id may be a legal create (PUT of a new item): only bodies that are malformed anyway.
    if (!bodySchema || method !== 'PUT') arbs.push(unknown, invalid);
  }
  if (headers.length > 0 && bodySchema) {
    arbs.push(
      fc.constantFrom(...headers.flatMap((h) => BAD_HEADERS[h.name]!.map((v) => [h.name, v] as const))).map(([name, value]): Case => ({
        method, path: urlOf(), headers: { ...json, [name]: value }, body: JSON.stringify(base), what: `header ${name}: ${value.slice(0, 20)}`,
      })),
    );
  }
  if (headers.length > 0 && !bodySchema) {
    arbs.push(
      fc.constantFrom(...headers.flatMap((h) => BAD_HEADERS[h.name]!.map((v) => [h.name, v] as const))).map(([name, value]): Case => ({
        method, path: urlOf(), headers: { [name]: value }, what: `header ${name}: ${value.slice(0, 20)}`,
      })),
    );
  }
  if (query.length > 0 && !bodySchema) {
    arbs.push(
      fc.tuple(fc.constantFrom(...query.map((q) => q.name)), fc.constantFrom(...BAD_QUERY)).map(([name, value]): Case => {
        // the other query parameters as a caller would send them, this one bad
        const others = query.filter((q) => q.name !== name && q.required).map((q) => `${q.name}=2030-01-15`);
        return { method, path: urlOf({}, `?${[...others, `${name}=${encodeURIComponent(value)}`].join('&')}`), headers: {}, what: `query ${name}=${value.slice(0, 20)}` };
      }),
    );
    if (query.some((q) => q.required)) arbs.push(fc.constant<Case>({ method, path: urlOf(), headers: {}, what: 'required query missing' }));
  }
  if (bodySchema) {
    const locs = locations(bodySchema);
    const body = (b: unknown, what: string): Case => ({ method, path: urlOf(), headers: json, body: JSON.stringify(b), what });
    arbs.push(fc.constantFrom<unknown>(42, 'text', [], null, true, [base]).map((b) => body(b, `root ${JSON.stringify(b)}`)));
    // Bodies are strict: a field the schema does not know (among them those only the server sets) is refused.
    if (base !== null && typeof base === 'object' && !Array.isArray(base))
      arbs.push(fc.constantFrom('status', 'version', 'actor', 'history', 'clinicId', 'zz-extra').map((k) => body({ ...base, [k]: 'x' }, `unknown field ${k}`)));
    const wrong = locs.filter((l) => wrongValue(l.schema) !== undefined);
    if (wrong.length > 0)
      arbs.push(fc.constantFrom(...wrong).map((l) => body(setAt(base, l.path, wrongValue(l.schema)), `wrong type at ${l.path.join('.')}`)));
    const objects = locs.filter((l) => resolve(l.schema).type === 'object' && (resolve(l.schema).required ?? []).length > 0);
    const rootRequired = resolve(bodySchema).required ?? [];
    const drops = [
      ...rootRequired.map((k) => ({ path: [k] as (string | number)[], sketchAt: undefined as Schema | undefined })),
      ...objects.flatMap((l) => (resolve(l.schema).required ?? []).map((k) => ({ path: [...l.path, k], sketchAt: l.schema }))),
    ];
    if (drops.length > 0)
      arbs.push(
        fc.constantFrom(...drops).map((d) => {
          const withParent = d.sketchAt ? setAt(base, d.path.slice(0, -1), sketch(d.sketchAt)) : base;
          return body(setAt(withParent, d.path, undefined, true), `missing ${d.path.join('.')}`);
        }),
      );
    const arrays = locs.filter((l) => resolve(l.schema).type === 'array' && resolve(l.schema).items && wrongValue(resolve(l.schema).items!) !== undefined);
    if (arrays.length > 0)
      arrays.length > 0 &&
        arbs.push(
          fc.tuple(fc.constantFrom(...arrays), fc.integer({ min: 500, max: 3000 })).map(([l, n]) =>
            body(setAt(base, l.path, Array.from({ length: n }, () => wrongValue(resolve(l.schema).items!))), `${n}-item array at ${l.path.join('.')}`),
          ),
        );
    const dates = locs.filter((l) => resolve(l.schema).type === 'string' && DATE_NAMES.test(l.name));
    if (dates.length > 0)
      arbs.push(fc.tuple(fc.constantFrom(...dates), fc.constantFrom(...BAD_DATES)).map(([l, d]) => body(setAt(base, l.path, d), `bad date ${JSON.stringify(d)} at ${l.path.join('.')}`)));
    arbs.push(
      fc.constantFrom(
        { headers: json, body: '{"truncated": ', what: 'broken JSON' },
        { headers: json, body: JSON.stringify({ pad: 'p'.repeat(BODY_LIMIT + 10) }), what: 'oversized body' },
        { headers: { 'content-type': 'text/plain' }, body: JSON.stringify(base), what: 'text/plain' },
        { headers: { 'content-type': 'application/xml' }, body: '<a/>', what: 'application/xml' },
        { headers: json, body: '', what: 'empty JSON body' },
      ).map((x): Case => ({ method, path: urlOf(), ...x })),
    );
  }
  return arbs.length > 0 ? fc.oneof(...arbs) : null;
}

it(`every malformed request to every operation gets a 4xx with a JSON body naming the problem (${RUNS} requests)`, async () => {
  const operations = Object.entries(doc.paths).flatMap(([route, ops]) =>
    Object.entries(ops).flatMap(([method, op]) => {
      const arb = operationCases(route, method.toUpperCase(), op);
      return arb ? [arb] : [];
    }),
  );
  expect(operations.length).toBeGreaterThan(40);
  const seen = new Set<string>();
  await fc.assert(
    fc.asyncProperty(fc.oneof(...operations), async (c) => {
      seen.add(`${c.method} ${c.path.split('?')[0]!.replace(/\/[^/]*$/, '')}`);
      const answer = await call(api.url, c.method, c.path, c.body, c.headers);
      const label = `${c.method} ${c.path.slice(0, 120)} (${c.what}) → ${answer.status} ${answer.text.slice(0, 300)}`;
      expect(answer.status, label).toBeGreaterThanOrEqual(400);
      expect(answer.status, label).toBeLessThan(500);
      expect(answer.body?.error, label).toMatch(/^[a-z][a-z-]*$/); // our envelope's codes, not a framework's
      expect(answer.body.requestId, label).toBe(answer.headers.get('x-request-id'));
      expect(answer.body.message, label).toMatch(/\S/);
      for (const p of answer.body.problems ?? []) {
        expect(p.path, label).toMatch(/^\$/);
        expect(p.message, label).toMatch(/\S/);
      }
      expect(answer.text, label).not.toMatch(/\n\s+at .+:\d+:\d+\)?/);
    }),
    { numRuns: RUNS },
  );
  expect(seen.size).toBeGreaterThan(20);
  // nothing the fuzzing sent changed the clinic
  expect((await call(api.url, 'GET', `/clinics/${C}`)).body.version).toBe(1);
}, 120_000);
