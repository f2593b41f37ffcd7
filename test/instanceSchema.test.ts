// parseInstance: every broken rule of the contract is rejected with the JSON path of the offending
// value and a readable message, and no input whatsoever makes it throw.
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { clinicSmallPath } from './support/paths.js';
import { parseInstance, type Problem } from '../src/contract/parse.js';

const examplePath = clinicSmallPath;

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
const clinicSmall: Json = JSON.parse(readFileSync(examplePath, 'utf8'));

/** A deep copy of clinic-small with `edit` applied. */
function mutated(edit: (doc: any) => void): unknown {
  const doc = structuredClone(clinicSmall) as any;
  edit(doc);
  return doc;
}

const at = (hhmm: string) => `2026-11-23T${hhmm}:00-06:00`;

function problemsOf(data: unknown): Problem[] {
  const parsed = parseInstance(data);
  if (parsed.ok) throw new Error('expected the instance to be rejected, but it parsed');
  return parsed.problems;
}

describe('clinic-small', () => {
  it('is a valid instance', () => {
    const parsed = parseInstance(clinicSmall);
    expect(parsed.ok ? [] : parsed.problems).toEqual([]);
  });
});

/** `problems` are all the problems, in order; with `among`, they are some of them (the rest follow from them). */
type Case = { name: string; edit: (doc: any) => void; problems: { path: string; message: RegExp }[]; among?: true };

const cases: Case[] = [
  {
    name: 'a request names an unknown service',
    edit: (d) => (d.requests[0].serviceId = 'acupuncture'),
    problems: [{ path: '$.requests[0].serviceId', message: /unknown service 'acupuncture'/ }],
  },
  {
    name: 'a service needs a room capability no room has',
    edit: (d) => (d.services[0].roomCapability = 'mri'),
    problems: [{ path: '$.services[0].roomCapability', message: /no room has the capability 'mri'/ }],
  },
  {
    name: 'a service needs a specialty no provider has',
    edit: (d) => (d.services[4].specialty = 'cardiology'),
    problems: [{ path: '$.services[4].specialty', message: /no provider has the specialty 'cardiology'/ }],
  },
  {
    name: "a service's duration is off the grid",
    edit: (d) => (d.services[0].minutes = 42),
    problems: [{ path: '$.services[0].minutes', message: /42 min is off the 5-minute grid/ }],
  },
  {
    name: "a request's minutes are off the grid",
    edit: (d) => (d.requests[0].minutes = 33),
    problems: [{ path: '$.requests[0].minutes', message: /33 min is off the 5-minute grid/ }],
  },
  {
    name: 'a duration is not whole minutes',
    edit: (d) => (d.services[1].minutes = 20.5),
    problems: [{ path: '$.services[1].minutes', message: /whole minutes/ }],
  },
  {
    name: "a staff task's offset is off the grid",
    edit: (d) => (d.services[3].staffTasks[0].offsetMinutes = 28),
    problems: [{ path: '$.services[3].staffTasks[0].offsetMinutes', message: /offset 28 min is off the 5-minute grid/ }],
  },
  {
    name: 'a staff task ends after its service',
    edit: (d) => (d.services[3].staffTasks[0].minutes = 15),
    problems: [{ path: '$.services[3].staffTasks[0].minutes', message: /ends at minute 45, after the 40-minute service/ }],
  },
  {
    name: 'weights that make leaving a request out worth more than scheduling it',
    edit: (d) => (d.weights = { urgency: { emergency: 1000, urgent: 100, routine: 2 }, preferredProvider: 2, waitPerHour: 0.25 }),
    problems: [{ path: '$.weights', message: /waitPerHour × horizon hours \(0\.25 × 12 = 3\)/ }],
  },
  {
    name: 'an availability interval ends before it starts',
    edit: (d) => (d.providers[0].availability[0].end = at('07:30')),
    problems: [{ path: '$.providers[0].availability[0].end', message: /must end after it starts/ }],
  },
  {
    name: 'two availability intervals of one resource overlap',
    edit: (d) => (d.providers[0].availability[1].start = at('11:00')),
    problems: [{ path: '$.providers[0].availability[1]', message: /overlaps availability interval 0/ }],
  },
  {
    name: "a staff member's availability overlaps itself",
    edit: (d) => d.staff[1].availability.push({ start: at('15:00'), end: at('17:00') }),
    problems: [{ path: '$.staff[1].availability[1]', message: /overlaps availability interval 0/ }],
  },
  {
    name: 'the horizon ends before it starts',
    edit: (d) => (d.horizon.end = at('06:00')),
    // Every request window then lies outside the horizon too, and says so.
    problems: [{ path: '$.horizon.end', message: /horizon must end after it starts/ }],
    among: true,
  },
  {
    name: 'an unknown time zone',
    edit: (d) => (d.clinic.timezone = 'Mars/Olympus_Mons'),
    problems: [{ path: '$.clinic.timezone', message: /IANA time zone/ }],
  },
  {
    name: 'an instant without an offset',
    edit: (d) => (d.horizon.start = '2026-11-23T07:00:00'),
    problems: [{ path: '$.horizon.start', message: /RFC 3339 date-time with an explicit offset/ }],
  },
  {
    name: 'a duplicate room id',
    edit: (d) => (d.rooms[2].id = 'exam-1'),
    problems: [{ path: '$.rooms[2].id', message: /duplicate id 'exam-1' \(also at index 0\)/ }],
  },
  {
    name: 'a duplicate request id',
    edit: (d) => (d.requests[5].id = 'req-001'),
    problems: [{ path: '$.requests[5].id', message: /duplicate id 'req-001' \(also at index 0\)/ }],
  },
  {
    name: 'a request requires an unknown provider',
    edit: (d) => (d.requests[1].providerId = 'dr-who'),
    problems: [{ path: '$.requests[1].providerId', message: /unknown provider 'dr-who'/ }],
  },
  {
    name: 'a request prefers an unknown provider',
    edit: (d) => (d.requests[0].preferredProviderIds = ['dr-okafor', 'dr-who']),
    problems: [{ path: '$.requests[0].preferredProviderIds[1]', message: /unknown provider 'dr-who'/ }],
  },
  {
    name: 'a request requires a provider who lacks the specialty',
    edit: (d) => (d.requests[1].providerId = 'dr-haddad'),
    problems: [{ path: '$.requests[1].providerId', message: /'dr-haddad' does not have the specialty 'family-medicine'/ }],
  },
  {
    name: 'a request names a provider for a service that needs none',
    edit: (d) => (d.requests[10].providerId = 'dr-okafor'),
    problems: [{ path: '$.requests[10].providerId', message: /needs no provider/ }],
  },
  {
    name: 'a staff task needs a skill nobody has',
    edit: (d) => (d.services[3].staffTasks[0].skill = 'surgery'),
    problems: [{ path: '$.services[3].staffTasks[0].skill', message: /no staff member has the skill 'surgery'/ }],
  },
  {
    name: 'a service needs unknown equipment',
    edit: (d) => (d.services[5].equipment[0].id = 'mri-scanner'),
    problems: [{ path: '$.services[5].equipment[0].id', message: /unknown equipment 'mri-scanner'/ }],
  },
  {
    name: 'a service needs more units than the clinic has',
    edit: (d) => (d.services[5].equipment[0].count = 2),
    problems: [{ path: '$.services[5].equipment[0].count', message: /needs 2 units of 'portable-ultrasound' but the clinic has 1/ }],
  },
  {
    name: 'a downtime takes more units down than exist',
    edit: (d) => (d.equipment[0].downtime[0].units = 3),
    problems: [{ path: '$.equipment[0].downtime[0].units', message: /3 units down but 'portable-ultrasound' has only 1/ }],
  },
  {
    name: "a request's latestEnd is before its earliestStart",
    edit: (d) => Object.assign(d.requests[2], { earliestStart: at('10:00'), latestEnd: at('09:00') }),
    problems: [{ path: '$.requests[2].latestEnd', message: /latestEnd must be after earliestStart/ }],
  },
  {
    name: "a request's earliestStart is outside the horizon",
    edit: (d) => (d.requests[2].earliestStart = at('06:00')),
    problems: [{ path: '$.requests[2].earliestStart', message: /outside the horizon/ }],
  },
  {
    name: 'an unknown urgency',
    edit: (d) => (d.requests[0].urgency = 'whenever'),
    problems: [{ path: '$.requests[0].urgency', message: /.+/ }],
  },
  {
    name: 'a missing clinic id',
    edit: (d) => delete d.clinic.id,
    problems: [{ path: '$.clinic.id', message: /.+/ }],
  },
  {
    name: 'the wrong contract version',
    edit: (d) => (d.version = 2),
    problems: [{ path: '$.version', message: /must be 1/ }],
  },
];

describe('parseInstance rejects broken instances, path by path', () => {
  it.each(cases)('$name', ({ edit, problems, among }) => {
    const found = problemsOf(mutated(edit));
    if (among) {
      for (const want of problems) expect(found.find((p) => p.path === want.path)?.message, want.path).toMatch(want.message);
      return;
    }
    expect(found.map((p) => p.path)).toEqual(problems.map((p) => p.path));
    problems.forEach((want, k) => expect(found[k]!.message).toMatch(want.message));
  });

  it('lists every problem at once', () => {
    const found = problemsOf(
      mutated((d) => {
        d.requests[0].serviceId = 'acupuncture';
        d.services[0].minutes = 42;
        d.rooms[2].id = 'exam-1';
        d.requests[1].providerId = 'dr-who';
      }),
    );
    expect(found.map((p) => p.path).sort()).toEqual(
      ['$.requests[0].serviceId', '$.requests[1].providerId', '$.rooms[2].id', '$.services[0].minutes'].sort(),
    );
  });
});

// --- fuzzing ----------------------------------------------------------------------------------

/** Every path to a value inside clinic-small (objects and arrays, all depths). */
function allPaths(value: Json, prefix: (string | number)[] = []): (string | number)[][] {
  const here = [prefix];
  if (Array.isArray(value)) return [...here, ...value.flatMap((v, i) => allPaths(v, [...prefix, i]))];
  if (value !== null && typeof value === 'object')
    return [...here, ...Object.entries(value).flatMap(([k, v]) => allPaths(v, [...prefix, k]))];
  return here;
}
const paths = allPaths(clinicSmall).filter((p) => p.length > 0);

type Mutation = { path: (string | number)[]; kind: 'delete' | 'replace' | 'retype'; value: Json };

const retype = (old: unknown, value: Json): Json => {
  // Something of another type than before, to probe every type check.
  if (typeof old === 'string') return typeof value === 'string' ? 42 : value;
  if (typeof old === 'number') return typeof value === 'number' ? String(value) : value;
  if (Array.isArray(old)) return Array.isArray(value) ? { length: 1 } : value;
  if (old !== null && typeof old === 'object') return typeof value === 'object' && value !== null && !Array.isArray(value) ? [] : value;
  return value;
};

function apply(doc: any, m: Mutation): void {
  let parent = doc;
  for (const key of m.path.slice(0, -1)) {
    if (parent === null || typeof parent !== 'object') return; // an earlier mutation removed the way
    parent = parent[key];
  }
  if (parent === null || typeof parent !== 'object') return;
  const key = m.path[m.path.length - 1]!;
  if (m.kind === 'delete') {
    if (Array.isArray(parent) && typeof key === 'number') parent.splice(key, 1);
    else delete parent[key];
  } else parent[key] = m.kind === 'retype' ? retype(parent[key], m.value) : m.value;
}

const mutation: fc.Arbitrary<Mutation> = fc.record({
  path: fc.constantFrom(...paths),
  kind: fc.constantFrom('delete', 'replace', 'retype'),
  value: fc.oneof(
    fc.jsonValue({ maxDepth: 2 }) as fc.Arbitrary<Json>,
    fc.constantFrom<Json>('', 0, -5, 7, 2.5, 1e9, 'dr-okafor', 'exam', '2026-11-23T12:00:00-06:00', '2026-13-45T99:00:00Z', 'Z', null, [], {}),
  ),
});

function expectWellFormed(data: unknown): void {
  let parsed: ReturnType<typeof parseInstance> | undefined;
  expect(() => (parsed = parseInstance(data))).not.toThrow();
  if (!parsed || parsed.ok) return;
  expect(parsed.problems.length).toBeGreaterThan(0);
  for (const p of parsed.problems) {
    expect(p.path).toMatch(/^\$/);
    expect(typeof p.message).toBe('string');
    expect(p.message.trim().length).toBeGreaterThan(0);
  }
}

describe('parseInstance never throws', () => {
  it('on any JSON value', () => {
    fc.assert(fc.property(fc.jsonValue(), expectWellFormed), { numRuns: 300, seed: 1123 });
  });

  it('on anything at all', () => {
    fc.assert(fc.property(fc.anything(), expectWellFormed), { numRuns: 300, seed: 1124 });
  });

  it('on clinic-small with fields deleted, replaced or given another type', () => {
    fc.assert(
      fc.property(fc.array(mutation, { minLength: 1, maxLength: 4 }), (mutations) => {
        const doc = structuredClone(clinicSmall);
        for (const m of mutations) apply(doc, m);
        expectWellFormed(doc);
      }),
      { numRuns: 500, seed: 1125 },
    );
  });
});
