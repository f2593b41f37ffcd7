// A realistic, seeded clinic-day generator.
//
// `generateClinic` is pure: the same options always give the same instance (no Math.random, no clock,
// no I/O). Randomness comes from a pure-rand xoroshiro128+ generator seeded from `options.seed`.
// Instants are built from local wall-clock times with @date-fns/tz, so the offsets are right in any
// IANA zone, daylight saving included.

import { TZDate } from '@date-fns/tz';
import { formatISO } from 'date-fns';
import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';
import { uniformInt } from 'pure-rand/distribution/uniformInt';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import type { RandomGenerator } from 'pure-rand/types/RandomGenerator';
import type { InstanceInput } from '../contract/instance.js';
import { isValidTimeZone } from '../domain/time.js';

export type GenerateClinicOptions = {
  /** Number of providers (physicians, NPs, PAs); an integer, at least 1. */
  providers: number;
  /** Any safe integer; the same seed always gives the same clinic. */
  seed: number;
  /** Requested provider-minutes ÷ available provider-minutes (default 1.1). Provider-less services come on top. */
  load?: number;
  /** The clinic day, local, YYYY-MM-DD (default '2026-11-24'). */
  date?: string;
  /** IANA time zone of the clinic (default 'America/Chicago'). */
  timezone?: string;
  /** Lets the optimizer overbook up to this expected load (the instance's `overbooking.maxExpectedLoad`); off when absent. */
  overbooking?: number;
};

type ProviderInput = NonNullable<InstanceInput['providers']>[number];
type RoomInput = NonNullable<InstanceInput['rooms']>[number];
type EquipmentInput = NonNullable<InstanceInput['equipment']>[number];
type StaffInput = NonNullable<InstanceInput['staff']>[number];
type ServiceInput = NonNullable<InstanceInput['services']>[number];
type RequestInput = NonNullable<InstanceInput['requests']>[number];
type Urgency = RequestInput['urgency'];

/** Local wall-clock minutes after midnight, e.g. 7 * 60 for 07:00. */
type Clock = number;
type Span = readonly [Clock, Clock];

const SLOT = 5;
const DAY_START: Clock = 7 * 60;
const DAY_END: Clock = 19 * 60;
const NOON: Clock = 12 * 60;

// ---------------------------------------------------------------------------------------------------
// Randomness

class Rng {
  constructor(private readonly gen: RandomGenerator) {}

  /** Uniform integer in [lo, hi]. */
  int(lo: number, hi: number): number {
    return uniformInt(this.gen, lo, hi);
  }

  float(): number {
    return uniformFloat64(this.gen);
  }

  chance(p: number): boolean {
    return this.float() < p;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error('pick from an empty list');
    return items[this.int(0, items.length - 1)]!;
  }

  weighted<T>(items: readonly (readonly [T, number])[]): T {
    const total = items.reduce((sum, [, w]) => sum + w, 0);
    if (!(total > 0)) throw new Error('weighted pick needs a positive total weight');
    let x = this.float() * total;
    for (const [item, w] of items) {
      if (x < w) return item;
      x -= w;
    }
    return items[items.length - 1]![0];
  }

  shuffle<T>(items: readonly T[]): T[] {
    const out = [...items];
    for (let i = out.length - 1; i > 0; i--) {
      const j = this.int(0, i);
      [out[i], out[j]] = [out[j]!, out[i]!];
    }
    return out;
  }

  /** Random stochastic rounding: 2.3 gives 2 with probability 0.7 and 3 with 0.3. */
  round(x: number): number {
    const whole = Math.floor(x);
    return whole + (this.chance(x - whole) ? 1 : 0);
  }

  /** A grid time in [lo, hi] that is a multiple of `step` minutes. */
  time(lo: Clock, hi: Clock, step = 30): Clock {
    const first = Math.ceil(lo / step);
    const last = Math.floor(hi / step);
    return (last >= first ? this.int(first, last) : first) * step;
  }
}

function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h | 0;
}

/**
 * What a clinic's no-show model would estimate per request: a rate by urgency (outpatient clinics see about
 * one routine visit in ten missed, urgent ones far fewer) scaled by a per-patient factor, log-normal with a
 * wide spread (a few patients miss often), within 1-60 %, to three decimals.
 */
function noShowEstimates(rng: Rng): (patient: number, urgency: Urgency) => number {
  const base: Record<Urgency, number> = { emergency: 0.02, urgent: 0.05, routine: 0.1 };
  const factor = new Map<number, number>();
  return (patient, urgency) => {
    if (!factor.has(patient)) {
      // A standard normal from the sum of 12 uniforms (Irwin-Hall), plenty for a spread of estimates.
      let z = -6;
      for (let k = 0; k < 12; k++) z += rng.float();
      factor.set(patient, Math.exp(0.8 * z));
    }
    return Math.round(1000 * Math.min(0.6, Math.max(0.01, base[urgency] * factor.get(patient)!))) / 1000;
  };
}

function makeRng(seed: number): Rng {
  // xoroshiro128plus only reads the low 32 bits of its seed: fold the high bits in, and mix the bits
  // so that neighbouring seeds (1, 2, 3...) start from unrelated states.
  const lo = seed | 0;
  const hi = Math.floor(seed / 2 ** 32) | 0;
  const gen = xoroshiro128plus(fmix32(lo ^ fmix32(hi + 0x9e3779b9)));
  for (let i = 0; i < 16; i++) gen.next();
  return new Rng(gen);
}

// ---------------------------------------------------------------------------------------------------
// Names

const SURNAMES = [
  'okafor', 'lindqvist', 'reyes', 'haddad', 'nguyen', 'kowalczyk', 'mensah', 'takahashi', 'petrov', 'castillo',
  'brennan', 'goldberg', 'iqbal', 'fontaine', 'adeyemi', 'sorensen', 'marchetti', 'delgado', 'kaur', 'whitfield',
  'abernathy', 'yamada', 'novak', 'halvorsen', 'chaudhry', 'moreau', 'esposito', 'villanueva', 'ramanathan', 'obi',
  'oconnell', 'park', 'schreiber', 'mbeki', 'alvarado', 'lindgren', 'farouk', 'bianchi', 'tran', 'whitaker',
  'achebe', 'kim', 'dubois', 'gallagher', 'hosseini', 'jansen', 'lopez', 'rahman',
] as const;

const FIRST_NAMES = [
  'Amara', 'Erik', 'Lucia', 'Sami', 'Linh', 'Tomasz', 'Kwame', 'Yuki', 'Dmitri', 'Rosa', 'Siobhan', 'Miriam',
  'Imran', 'Claire', 'Tunde', 'Ingrid', 'Paolo', 'Marisol', 'Harpreet', 'James', 'Ruth', 'Kenji', 'Ngozi',
  'Pavel', 'Astrid', 'Ayesha', 'Julien', 'Giulia', 'Carmen', 'Priya', 'David', 'Hana', 'Omar', 'Elena',
] as const;

const STAFF_NAMES = [
  'ana', 'sam', 'kim', 'jo', 'lee', 'maria', 'tyrone', 'beth', 'omar', 'dana', 'chris', 'rosa', 'pat', 'nia',
  'luis', 'mei', 'greg', 'fatima', 'alex', 'tess', 'hector', 'june', 'raj', 'wendy', 'noor', 'cole',
] as const;

const CLINIC_NAMES = [
  'Maple Grove Family Health', 'Prairie View Medical Group', 'Riverbend Community Clinic',
  'Cedar Hollow Health Center', 'Northgate Primary Care', 'Harbor Point Medical', 'Willow Creek Health Partners',
  'Bluestem Community Health', 'Oak Terrace Medical Center', 'Fox Valley Family Clinic',
] as const;

const capitalize = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
const slug = (s: string) => s.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');
const SURNAME_DISPLAY: Record<string, string> = { oconnell: "O'Connell" };
const displaySurname = (s: string) => SURNAME_DISPLAY[s] ?? capitalize(s);

/** Draws names without replacement while the list lasts, then starts over. */
class NamePool<T> {
  private left: T[] = [];
  constructor(private readonly rng: Rng, private readonly all: readonly T[]) {}
  next(): T {
    if (this.left.length === 0) this.left = this.rng.shuffle(this.all);
    return this.left.pop()!;
  }
}

// ---------------------------------------------------------------------------------------------------
// Specialties and services

const SPECIALTIES = ['family-medicine', 'pediatrics', 'orthopedics', 'womens-health', 'cardiology', 'dermatology'] as const;
type Specialty = (typeof SPECIALTIES)[number];

/** Share of providers per specialty; the order breaks ties when rounding. */
const SPECIALTY_SHARE: Record<Specialty, number> = {
  'family-medicine': 0.5,
  pediatrics: 0.15,
  orthopedics: 0.1,
  'womens-health': 0.09,
  cardiology: 0.08,
  dermatology: 0.08,
};

/** How many providers of each specialty a clinic of `n` providers has (largest remainder). */
function specialtyCounts(n: number): Map<Specialty, number> {
  const exact = SPECIALTIES.map((s) => [s, n * SPECIALTY_SHARE[s]] as const);
  const counts = new Map<Specialty, number>(exact.map(([s, x]) => [s, Math.floor(x)]));
  let left = n - [...counts.values()].reduce((a, b) => a + b, 0);
  const byRemainder = [...exact].sort((a, b) => b[1] - Math.floor(b[1]) - (a[1] - Math.floor(a[1])));
  for (const [s] of byRemainder) {
    if (left === 0) break;
    counts.set(s, counts.get(s)! + 1);
    left--;
  }
  return counts;
}

type ServiceDef = ServiceInput & {
  /** Relative frequency among the services of its specialty (provider services) or per provider request (others). */
  weight: number;
};

const SERVICES_BY_SPECIALTY: Record<Specialty, ServiceDef[]> = {
  'family-medicine': [
    { id: 'fm-new', name: 'New patient visit', minutes: 40, specialty: 'family-medicine', roomCapability: 'exam', turnoverMinutes: 5, prep: ['intake form', 'insurance card copy'], weight: 2 },
    { id: 'fm-followup', name: 'Follow-up visit', minutes: 20, specialty: 'family-medicine', roomCapability: 'exam', turnoverMinutes: 5, weight: 5 },
    { id: 'fm-sick', name: 'Same-day sick visit', minutes: 20, specialty: 'family-medicine', roomCapability: 'exam', turnoverMinutes: 5, weight: 3 },
    {
      id: 'annual-physical', name: 'Annual physical with labs', minutes: 40, specialty: 'family-medicine', roomCapability: 'exam',
      staffTasks: [{ skill: 'phlebotomy', offsetMinutes: 30, minutes: 10 }], turnoverMinutes: 5,
      prep: ['lab requisition', 'blood collection tubes'], weight: 2,
    },
  ],
  pediatrics: [
    { id: 'peds-wellchild', name: 'Well-child visit', minutes: 30, specialty: 'pediatrics', roomCapability: 'exam', turnoverMinutes: 5, prep: ['immunization record', 'growth chart'], weight: 4 },
    { id: 'peds-sick', name: 'Pediatric sick visit', minutes: 20, specialty: 'pediatrics', roomCapability: 'exam', turnoverMinutes: 5, weight: 3 },
    { id: 'peds-newborn', name: 'Newborn check', minutes: 30, specialty: 'pediatrics', roomCapability: 'exam', turnoverMinutes: 5, prep: ['hospital discharge summary'], weight: 1 },
  ],
  orthopedics: [
    { id: 'ortho-new', name: 'Orthopedic consult', minutes: 40, specialty: 'orthopedics', roomCapability: 'exam', turnoverMinutes: 5, prep: ['outside imaging'], weight: 3 },
    { id: 'ortho-followup', name: 'Orthopedic follow-up', minutes: 20, specialty: 'orthopedics', roomCapability: 'exam', turnoverMinutes: 5, weight: 3 },
    {
      id: 'ortho-injection', name: 'Ultrasound-guided joint injection', minutes: 30, specialty: 'orthopedics', roomCapability: 'procedure',
      equipment: [{ id: 'portable-ultrasound', count: 1 }], staffTasks: [{ skill: 'procedure-assist', offsetMinutes: 0, minutes: 30 }],
      turnoverMinutes: 10, prep: ['consent form', 'injection tray'], weight: 2,
    },
  ],
  'womens-health': [
    { id: 'wh-annual', name: 'Well-woman exam', minutes: 30, specialty: 'womens-health', roomCapability: 'gyn-exam', turnoverMinutes: 10, prep: ['speculum kit', 'pap collection kit'], weight: 3 },
    {
      id: 'wh-prenatal', name: 'Prenatal visit', minutes: 20, specialty: 'womens-health', roomCapability: 'gyn-exam',
      equipment: [{ id: 'fetal-doppler', count: 1 }], turnoverMinutes: 5, prep: ['prenatal record'], weight: 3,
    },
    { id: 'wh-consult', name: "Women's health consult", minutes: 40, specialty: 'womens-health', roomCapability: 'gyn-exam', turnoverMinutes: 5, weight: 1 },
  ],
  cardiology: [
    { id: 'cardio-new', name: 'Cardiology consult', minutes: 45, specialty: 'cardiology', roomCapability: 'exam', turnoverMinutes: 5, prep: ['referral letter', 'medication list'], weight: 2 },
    { id: 'cardio-followup', name: 'Cardiology follow-up', minutes: 20, specialty: 'cardiology', roomCapability: 'exam', turnoverMinutes: 5, weight: 3 },
  ],
  dermatology: [
    { id: 'derm-new', name: 'Dermatology consult', minutes: 30, specialty: 'dermatology', roomCapability: 'exam', turnoverMinutes: 5, weight: 3 },
    { id: 'derm-followup', name: 'Dermatology follow-up', minutes: 15, specialty: 'dermatology', roomCapability: 'exam', turnoverMinutes: 5, weight: 2 },
    {
      id: 'skin-biopsy', name: 'Skin biopsy', minutes: 30, specialty: 'dermatology', roomCapability: 'procedure',
      staffTasks: [{ skill: 'procedure-assist', offsetMinutes: 0, minutes: 30 }], turnoverMinutes: 10,
      prep: ['consent form', 'biopsy kit', 'specimen jar'], weight: 2,
    },
    {
      id: 'derm-cryo', name: 'Cryotherapy of skin lesions', minutes: 15, specialty: 'dermatology', roomCapability: 'exam',
      equipment: [{ id: 'cryo-unit', count: 1 }], turnoverMinutes: 5, weight: 1,
    },
  ],
};

/** Services that need no provider. `weight` = standalone requests per provider request. */
const PROVIDERLESS: Record<string, ServiceDef> = {
  'blood-draw': {
    id: 'blood-draw', name: 'Blood draw', minutes: 10, roomCapability: 'lab',
    staffTasks: [{ skill: 'phlebotomy', offsetMinutes: 0, minutes: 10 }], prep: ['lab requisition', 'blood collection tubes'], weight: 0.14,
  },
  'xray-knee': {
    id: 'xray-knee', name: 'Knee x-ray', minutes: 15, roomCapability: 'xray',
    staffTasks: [{ skill: 'radiography', offsetMinutes: 0, minutes: 15 }], turnoverMinutes: 5, weight: 0.02,
  },
  'xray-chest': {
    id: 'xray-chest', name: 'Chest x-ray', minutes: 15, roomCapability: 'xray',
    staffTasks: [{ skill: 'radiography', offsetMinutes: 0, minutes: 15 }], turnoverMinutes: 5, weight: 0.03,
  },
  ecg: {
    id: 'ecg', name: 'Resting ECG', minutes: 20, roomCapability: 'exam', equipment: [{ id: 'ecg-cart', count: 1 }],
    staffTasks: [{ skill: 'ecg', offsetMinutes: 0, minutes: 20 }], turnoverMinutes: 5, weight: 0.03,
  },
  echo: {
    id: 'echo', name: 'Echocardiogram', minutes: 45, roomCapability: 'echo',
    staffTasks: [{ skill: 'sonography', offsetMinutes: 0, minutes: 45 }], turnoverMinutes: 10, prep: ['cardiology order'], weight: 0.02,
  },
  'pelvic-ultrasound': {
    id: 'pelvic-ultrasound', name: 'Pelvic ultrasound', minutes: 30, roomCapability: 'ultrasound',
    staffTasks: [{ skill: 'sonography', offsetMinutes: 0, minutes: 30 }], turnoverMinutes: 10, prep: ['full bladder instructions'], weight: 0.02,
  },
};

/** Same-day second appointment for the same patient: after `serviceId`, with probability `p`. */
const COMPANIONS: Record<string, { serviceId: string; p: number }> = {
  'ortho-new': { serviceId: 'xray-knee', p: 0.35 },
  'annual-physical': { serviceId: 'xray-chest', p: 0.08 },
  'cardio-new': { serviceId: 'ecg', p: 0.5 },
  'cardio-followup': { serviceId: 'echo', p: 0.15 },
  'fm-followup': { serviceId: 'blood-draw', p: 0.08 },
  'wh-consult': { serviceId: 'pelvic-ultrasound', p: 0.4 },
};

const stripWeight = ({ weight: _weight, ...service }: ServiceDef): ServiceInput => service;

// ---------------------------------------------------------------------------------------------------
// Shifts

type ProviderKind = 'dr' | 'np' | 'pa';

function providerShift(rng: Rng, forceFullDay: boolean): Span[] {
  const kind = forceFullDay ? 'full' : rng.weighted([['full', 0.55], ['morning', 0.18], ['afternoon', 0.17], ['late', 0.1]] as const);
  switch (kind) {
    case 'full': {
      const start = rng.pick([450, 480, 480, 510]);
      const lunch = rng.pick([690, 720, 720, 750]);
      const lunchLength = rng.pick([30, 60, 60]);
      const end = rng.pick([990, 1020, 1020, 1050]);
      return [[start, lunch], [lunch + lunchLength, end]];
    }
    case 'morning':
      return [[rng.pick([420, 450, 480]), rng.pick([720, 750])]];
    case 'afternoon':
      return [[rng.pick([720, 750, 780]), rng.pick([1080, 1110, 1140])]];
    case 'late':
      return [[600, 840], [870, DAY_END]];
  }
}

const spanMinutes = (spans: readonly Span[]) => spans.reduce((sum, [a, b]) => sum + (b - a), 0);

// ---------------------------------------------------------------------------------------------------
// The generator

/**
 * A clinic day (07:00-19:00 local on a 5-minute grid) with providers of several specialties, exam and
 * procedure rooms, imaging and lab, portable equipment with downtime, support staff on shifts, and a day's
 * requests whose provider-minutes come to about `load` × the providers' available minutes (provider-less
 * services such as blood draws and x-rays come on top). Pure and deterministic for a given seed; every
 * result passes `parseInstance`. Throws a RangeError on invalid options.
 */
export function generateClinic(options: GenerateClinicOptions): InstanceInput {
  const { providers: providerCount, seed } = options;
  const load = options.load ?? 1.1;
  const date = options.date ?? '2026-11-24';
  const timezone = options.timezone ?? 'America/Chicago';

  if (!Number.isInteger(providerCount) || providerCount < 1)
    throw new RangeError(`providers must be a whole number of at least 1 (got ${providerCount})`);
  if (!Number.isSafeInteger(seed)) throw new RangeError(`seed must be a safe integer (got ${seed})`);
  if (!Number.isFinite(load) || load < 0) throw new RangeError(`load must be a finite number ≥ 0 (got ${load})`);
  if (!isValidTimeZone(timezone)) throw new RangeError(`timezone must be an IANA time zone (got '${timezone}')`);
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  const [year, month, day] = match ? [Number(match[1]), Number(match[2]), Number(match[3])] : [NaN, NaN, NaN];
  const probe = new Date(Date.UTC(year, month - 1, day));
  if (!match || probe.getUTCFullYear() !== year || probe.getUTCMonth() !== month - 1 || probe.getUTCDate() !== day)
    throw new RangeError(`date must be a calendar date YYYY-MM-DD (got '${date}')`);

  const rng = makeRng(seed);
  const at = (clock: Clock): string =>
    formatISO(new TZDate(year, month - 1, day, Math.floor(clock / 60), clock % 60, 0, timezone));
  const interval = ([start, end]: Span) => ({ start: at(start), end: at(end) });

  // --- providers -------------------------------------------------------------------------------
  const counts = specialtyCounts(providerCount);
  const primaries = rng.shuffle(SPECIALTIES.flatMap((s) => Array<Specialty>(counts.get(s)!).fill(s)));
  // A one-provider clinic is a family practice: keep family medicine first.
  const firstFm = primaries.indexOf('family-medicine');
  if (firstFm > 0) [primaries[0], primaries[firstFm]] = [primaries[firstFm]!, primaries[0]!];
  const surnames = new NamePool(rng, SURNAMES);
  const firstNames = new NamePool(rng, FIRST_NAMES);

  type Doc = { input: ProviderInput; id: string; specialties: Specialty[]; spans: Span[] };
  const docs: Doc[] = primaries.map((primary, i) => {
    const kind: ProviderKind =
      primary === 'family-medicine' ? rng.weighted([['dr', 0.7], ['np', 0.2], ['pa', 0.1]] as const)
      : primary === 'pediatrics' || primary === 'womens-health' ? rng.weighted([['dr', 0.75], ['np', 0.25]] as const)
      : 'dr';
    const specialties: Specialty[] = [primary];
    if (primary === 'family-medicine' && (providerCount === 1 || rng.chance(0.3))) specialties.push('pediatrics');
    const surname = surnames.next();
    const first = firstNames.next();
    const name =
      kind === 'dr' ? `Dr. ${first} ${displaySurname(surname)}`
      : kind === 'np' ? `${first} ${displaySurname(surname)}, NP`
      : `${first} ${displaySurname(surname)}, PA-C`;
    const id = `${kind}-${surname}-${i + 1}`;
    const spans = providerShift(rng, i === 0);
    const input: ProviderInput = { id, name, specialties: [...specialties], availability: spans.map(interval) };
    if (rng.chance(0.2)) {
      const typicalVisit = primary === 'cardiology' || primary === 'orthopedics' ? 35 : 27;
      input.maxAppointments = Math.max(4, Math.round((spanMinutes(spans) / typicalVisit) * (0.7 + 0.2 * rng.float())));
    }
    return { input, id, specialties, spans };
  });

  const present = new Set(docs.flatMap((d) => d.specialties));
  const has = (s: Specialty) => present.has(s);
  const whProviders = docs.filter((d) => d.specialties.includes('womens-health')).length;

  // --- rooms -----------------------------------------------------------------------------------
  const rooms: RoomInput[] = [];
  const roomSpans: { capabilities: string[]; spans: Span[] }[] = [];
  const addRoom = (id: string, name: string, capabilities: string[], spans: Span[]) => {
    rooms.push({ id, name, capabilities, availability: spans.map(interval) });
    roomSpans.push({ capabilities, spans });
  };
  const allDay: Span[] = [[DAY_START, DAY_END]];
  const gynRooms = whProviders === 0 ? 0 : Math.max(1, Math.round(whProviders * 1.5));
  const examRooms = Math.max(2, Math.round(providerCount * 1.5) - gynRooms);
  for (let i = 1; i <= examRooms; i++) addRoom(`exam-${i}`, `Exam room ${i}`, ['exam'], allDay);
  for (let i = 1; i <= gynRooms; i++)
    addRoom(`gyn-${i}`, `Women's health exam room ${i}`, ['gyn-exam', 'exam'], allDay);
  const procedureRooms = Math.max(1, Math.round(providerCount / 6));
  for (let i = 1; i <= procedureRooms; i++)
    // Instruments are sterilized over lunch.
    addRoom(`proc-${i}`, `Procedure room ${i}`, ['procedure', 'exam'], [[DAY_START, NOON], [NOON + 30, DAY_END]]);
  const xrayRooms = 1 + Math.floor(providerCount / 15);
  for (let i = 1; i <= xrayRooms; i++)
    addRoom(`xray-${i}`, `X-ray suite ${i}`, ['xray'], [[480, i === 1 ? 1020 : DAY_END]]);
  const labStations = 1 + Math.floor(providerCount / 8);
  for (let i = 1; i <= labStations; i++)
    addRoom(`lab-${i}`, `Blood draw station ${i}`, ['lab'], [[DAY_START, i === 1 ? 960 : DAY_END]]);
  const imaging = has('cardiology') || has('womens-health');
  if (imaging)
    addRoom('echo-1', 'Ultrasound / echo room', ['echo', 'ultrasound'], [[480, 1020]]);

  // --- equipment -------------------------------------------------------------------------------
  const equipment: EquipmentInput[] = [];
  const ecgCarts = providerCount >= 4 ? 2 + Math.floor(providerCount / 20) : 1;
  equipment.push({
    id: 'ecg-cart', name: 'ECG cart', count: ecgCarts,
    // One cart goes out for lead-wire replacement in the afternoon.
    downtime: ecgCarts >= 2 ? [{ ...interval([rng.pick([780, 810, 840]), DAY_END]), units: 1 }] : [],
  });
  if (has('orthopedics'))
    equipment.push({
      id: 'portable-ultrasound', name: 'Portable ultrasound', count: 1 + Math.floor(providerCount / 20),
      downtime: [{ ...interval([NOON, NOON + 60]), units: 1 }], // scheduled maintenance
    });
  if (has('womens-health')) equipment.push({ id: 'fetal-doppler', name: 'Fetal Doppler', count: whProviders === 1 ? 1 : 2 });
  if (has('dermatology'))
    equipment.push({
      id: 'cryo-unit', name: 'Liquid-nitrogen cryotherapy unit', count: 1,
      downtime: rng.chance(0.5) ? [interval([1020, DAY_END])] : [], // dewar refilled late afternoon
    });

  // --- staff -----------------------------------------------------------------------------------
  const staff: StaffInput[] = [];
  const staffSpans: { skills: string[]; spans: Span[] }[] = [];
  const staffNames = new NamePool(rng, STAFF_NAMES);
  const addStaff = (role: string, title: string, skills: string[], spans: Span[]) => {
    const first = staffNames.next();
    staff.push({ id: `${role}-${first}-${staff.length + 1}`, name: `${capitalize(first)} (${title})`, skills, availability: spans.map(interval) });
    staffSpans.push({ skills, spans });
  };
  const early: Span[] = [[DAY_START, 690], [720, 930]];
  const middle: Span[] = [[480, NOON], [750, 1020]];
  const lateShift: Span[] = [[630, 870], [900, DAY_END]];
  const rota = [early, lateShift, middle];
  const phlebotomists = 1 + Math.floor(providerCount / 8);
  for (let i = 0; i < phlebotomists; i++) addStaff('phleb', 'phlebotomist', ['phlebotomy'], rota[i % rota.length]!);
  const radTechs = xrayRooms + (providerCount >= 10 ? 1 : 0);
  for (let i = 0; i < radTechs; i++)
    addStaff('radtech', 'radiologic technologist', ['radiography'], i === 0 ? [[480, 1020]] : [[660, DAY_END]]);
  if (imaging) {
    const sonographers = 1 + Math.floor(providerCount / 20);
    for (let i = 0; i < sonographers; i++) addStaff('sono', 'sonographer', ['sonography'], [[480, 1020]]);
  }
  const nurses = Math.max(1, Math.round(providerCount / 5));
  for (let i = 0; i < nurses; i++)
    addStaff('rn', 'RN', i % 3 === 2 ? ['procedure-assist', 'ecg'] : ['phlebotomy', 'procedure-assist', 'ecg'], rota[(i + 1) % rota.length]!);
  const assistants = Math.round(providerCount / 3);
  for (let i = 0; i < assistants; i++)
    addStaff('ma', 'medical assistant', rng.chance(0.6) ? ['ecg', 'phlebotomy'] : ['ecg'], rota[(i + 2) % rota.length]!);

  // --- services --------------------------------------------------------------------------------
  const providerServices = SPECIALTIES.filter(has).flatMap((s) => SERVICES_BY_SPECIALTY[s]);
  const providerlessIds = ['blood-draw', 'xray-knee', 'xray-chest', 'ecg'];
  if (has('cardiology')) providerlessIds.push('echo');
  if (has('womens-health')) providerlessIds.push('pelvic-ultrasound');
  const providerless = providerlessIds.map((id) => PROVIDERLESS[id]!);
  const services: ServiceInput[] = [...providerServices, ...providerless].map(stripWeight);
  const serviceById = new Map([...providerServices, ...providerless].map((s) => [s.id, s]));

  // --- requests --------------------------------------------------------------------------------
  // Demand per specialty follows that specialty's provider-minutes; a dual-boarded family physician
  // gives 70% of the day to family medicine.
  const capacityBySpecialty = new Map<Specialty, number>();
  for (const d of docs) {
    const minutes = spanMinutes(d.spans);
    d.specialties.forEach((s, k) => {
      const share = d.specialties.length === 1 ? 1 : k === 0 ? 0.7 : 0.3;
      capacityBySpecialty.set(s, (capacityBySpecialty.get(s) ?? 0) + minutes * share);
    });
  }
  const totalProviderMinutes = docs.reduce((sum, d) => sum + spanMinutes(d.spans), 0);
  const target = load * totalProviderMinutes;

  type Draft = Omit<RequestInput, 'id' | 'patientId' | 'earliestStart' | 'latestEnd'> & { patient: number; window: Span | null };
  const drafts: Draft[] = [];
  let patients = 0;

  const covers = (spans: readonly Span[], a: Clock, b: Clock) => spans.some(([s, e]) => s <= a && b <= e);
  /** Could the request be placed if it were alone in the clinic (equipment downtime aside)? */
  const fitsAlone = (service: ServiceDef, minutes: number, window: Span | null, providerId?: string): boolean => {
    const [es, le] = window ?? [DAY_START, DAY_END];
    const specialty = service.specialty;
    const doctors = specialty === undefined ? [] : docs.filter((d) => d.specialties.includes(specialty as Specialty) && (providerId === undefined || d.id === providerId));
    const roomsWith = roomSpans.filter((r) => r.capabilities.includes(service.roomCapability));
    for (let t = es; t + minutes <= le; t += SLOT) {
      if (specialty !== undefined && !doctors.some((d) => covers(d.spans, t, t + minutes))) continue;
      if (!roomsWith.some((r) => covers(r.spans, t, t + minutes))) continue;
      const tasksOk = (service.staffTasks ?? []).every((task) =>
        staffSpans.some((m) => m.skills.includes(task.skill) && covers(m.spans, t + task.offsetMinutes, t + task.offsetMinutes + task.minutes)),
      );
      if (tasksOk) return true;
    }
    return false;
  };
  /**
   * Draws a window; most patients take a time the clinic can offer (the draw is repeated a few times when
   * nobody who could see them works then), but about one in seven insists on a time that cannot work.
   */
  const chooseWindow = (draw: () => Span | null, service: ServiceDef, minutes: number, providerId?: string, insist = rng.chance(0.15)) => {
    let window = draw();
    if (insist) return window;
    for (let attempt = 0; attempt < 5 && !fitsAlone(service, minutes, window, providerId); attempt++) window = draw();
    return fitsAlone(service, minutes, window, providerId) ? window : null;
  };

  type WindowKind = 'none' | 'morning' | 'afternoon' | 'two-hours';
  const timeWindow = (kind: WindowKind, within: Span = [DAY_START, DAY_END]): Span | null => {
    switch (kind) {
      case 'none':
        return null;
      case 'morning':
        return [DAY_START, NOON];
      case 'afternoon':
        return [NOON, DAY_END];
      case 'two-hours': {
        const start = rng.time(within[0], Math.min(within[1], DAY_END) - 60);
        return [start, Math.min(start + 120, DAY_END)];
      }
    }
  };
  const urgency = (): Urgency => rng.weighted([['emergency', 0.02], ['urgent', 0.15], ['routine', 0.83]] as const);

  let demand = 0;
  const maxRequests = Math.ceil(target / SLOT) + 1;
  while (drafts.length < maxRequests && capacityBySpecialty.size > 0) {
    const specialty = rng.weighted([...capacityBySpecialty]);
    const service = rng.weighted(SERVICES_BY_SPECIALTY[specialty].map((s) => [s, s.weight] as const));
    const extended = rng.chance(0.04); // interpreter, complex history: the visit is booked 10 minutes longer
    const minutes = service.minutes + (extended ? 10 : 0);
    if (demand + minutes / 2 > target) break;
    demand += minutes;

    const eligible = docs.filter((d) => d.specialties.includes(specialty));
    const u = urgency();
    const draft: Draft = { patient: ++patients, serviceId: service.id, urgency: u, window: null };
    if (extended) draft.minutes = minutes;

    if (u === 'emergency') {
      // A walk-in who must be seen within the next hour or two, while someone who can see them is in.
      const drawEmergency = (): Span => {
        const [from, to] = rng.pick(rng.pick(eligible).spans);
        const start = rng.time(from, Math.max(from, to - minutes));
        return [start, Math.min(DAY_END, start + rng.pick([60, 90, 120]))];
      };
      draft.window = chooseWindow(drawEmergency, service, minutes, undefined, false);
    } else if (rng.chance(0.1)) {
      // Continuity of care: only this provider, at a time they work.
      const doc = rng.pick(eligible);
      draft.providerId = doc.id;
      if (rng.chance(0.4)) draft.window = chooseWindow(() => timeWindow('two-hours', rng.pick(doc.spans)), service, minutes, doc.id);
    } else {
      if (rng.chance(0.25 / 0.9)) {
        const preferred = rng.shuffle(eligible).slice(0, eligible.length >= 2 && rng.chance(0.2) ? 2 : 1);
        draft.preferredProviderIds = preferred.map((d) => d.id);
      }
      const kinds: readonly (readonly [WindowKind, number])[] =
        u === 'urgent'
          ? [['two-hours', 0.5], ['morning', 0.3], ['none', 0.2]]
          : [['none', 0.55], ['morning', 0.15], ['afternoon', 0.15], ['two-hours', 0.15]];
      draft.window = chooseWindow(() => timeWindow(rng.weighted(kinds)), service, minutes);
    }
    drafts.push(draft);

    const companion = COMPANIONS[service.id];
    const companionService = companion && serviceById.get(companion.serviceId);
    if (companion && companionService && rng.chance(companion.p)) {
      const window = fitsAlone(companionService, companionService.minutes, draft.window) ? draft.window : null;
      drafts.push({ patient: draft.patient, serviceId: companionService.id, urgency: u === 'emergency' ? 'urgent' : u, window });
    }
  }

  // Standalone orders for provider-less services (lab draws, imaging, ECGs), on top of the visits.
  const visits = drafts.filter((d) => serviceById.get(d.serviceId)?.specialty !== undefined).length;
  const standaloneKinds: readonly (readonly [WindowKind, number])[] = [['none', 0.6], ['morning', 0.15], ['afternoon', 0.1], ['two-hours', 0.15]];
  for (const service of providerless) {
    const n = rng.round(service.weight * visits);
    for (let k = 0; k < n; k++) {
      const u: Urgency = rng.chance(0.1) ? 'urgent' : 'routine';
      const fasting = service.id === 'blood-draw' && rng.chance(0.5); // fasting labs, first thing in the morning
      const window = fasting ? ([DAY_START, 600] as const) : chooseWindow(() => timeWindow(rng.weighted(standaloneKinds)), service, service.minutes);
      drafts.push({ patient: ++patients, serviceId: service.id, urgency: u, window });
    }
  }

  // Booking order is arbitrary: shuffle, then number requests and patients in that order.
  const patientIds = new Map<number, string>();
  const pad = (n: number) => String(n).padStart(4, '0');
  // No-show estimates come from their own stream, so adding them left every other field of a seed's clinic as it was.
  const noShow = noShowEstimates(makeRng(seed ^ 0x6e6f5368));
  const requests: RequestInput[] = rng.shuffle(drafts).map(({ patient, window, ...rest }, i) => {
    if (!patientIds.has(patient)) patientIds.set(patient, `pt-${pad(patientIds.size + 1)}`);
    const request: RequestInput = { id: `req-${pad(i + 1)}`, patientId: patientIds.get(patient)!, ...rest };
    if (window) Object.assign(request, { earliestStart: at(window[0]), latestEnd: at(window[1]) });
    request.noShowProbability = noShow(patient, rest.urgency);
    return request;
  });

  const clinicName = rng.pick(CLINIC_NAMES);
  return {
    version: 1,
    clinic: { id: slug(clinicName), name: clinicName, timezone },
    horizon: interval([DAY_START, DAY_END]),
    slotMinutes: SLOT,
    providers: docs.map((d) => d.input),
    rooms,
    equipment,
    staff,
    services,
    requests,
    ...(options.overbooking !== undefined ? { overbooking: { maxExpectedLoad: options.overbooking } } : {}),
  };
}
