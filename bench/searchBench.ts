// Slot search latency on the 40-provider generated clinic: the day is optimized once (a few rounds of
// the batch optimizer, javascript-lp-solver), its schedule becomes the day's bookings the way the API
// builds a day (src/booking/instanceForDay.ts: the whole local day, every live appointment pinned), then searchSlots
// runs for every request left waiting plus fresh requests for every service (some with a "now" in the
// late morning, some with preferred or required providers). Prints p50 / p95 / max per search; every
// option of the last pass is also checked on the day by the independent validator (outside the timing).
// Run: npx tsx bench/searchBench.ts
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { instanceForDay } from '../src/booking/instanceForDay.js';
import { searchSlots } from '../src/booking/searchSlots.js';
import { appointmentFromOption } from '../src/booking/appointmentFromOption.js';
import type { Instance, Request } from '../src/contract/instance.js';
import { formatProblems, parseInstance } from '../src/contract/parse.js';
import { generateClinic } from '../src/generate/generateClinic.js';
import { validateResult } from '../src/validator/validateResult.js';
import { jsLpSolverBackend } from '../solver/backends/jsLpSolver.js';
import { optimize } from '../solver/optimize.js';

export type Percentiles = { p50: number; p95: number; max: number };

export type SearchBenchReport = {
  providers: number;
  bookings: number;
  /** Timed searches (every search of the set, PASSES times). */
  searches: number;
  withOptions: number;
  /** Milliseconds per search. */
  all: Percentiles;
  withOptionsMs: Percentiles;
  withoutOptionsMs: Percentiles;
  /** Options of the last pass that the validator checked on the day, and how many of those it rejected. */
  checked: number;
  invalid: number;
};

const PROVIDERS = 40;
const DATE = '2026-11-24'; // generateClinic's default day
const PASSES = 3;

export function runSearchBench(): SearchBenchReport {
  const parsed = parseInstance(generateClinic({ providers: PROVIDERS, seed: 1, load: 1.1, date: DATE }));
  if (!parsed.ok) throw new Error(`the generated clinic is not valid:\n${formatProblems(parsed.problems)}`);
  const clinic = parsed.value;
  const optimized = optimize(clinic, { timeLimitMs: 30_000, seed: 1, backend: jsLpSolverBackend, clock: () => performance.now(), maxRounds: 5 });
  const { version: _version, horizon: _horizon, requests: _requests, bookings: _bookings, ...setup } = clinic;
  const day = instanceForDay(setup, DATE, optimized.appointments, []);
  const searches = searchesFor(clinic, optimized.unscheduled.map((u) => u.requestId));

  // A warm process, as an API server is after its first requests: one untimed pass, then PASSES timed ones.
  for (const s of searches) searchSlots(day, s.request, s.options);
  const times: number[] = [];
  const timesWith: number[] = [];
  const timesWithout: number[] = [];
  let results: ReturnType<typeof searchSlots>[] = [];
  for (let pass = 0; pass < PASSES; pass++)
    results = searches.map((s) => {
      const t = performance.now();
      const result = searchSlots(day, s.request, s.options);
      const elapsed = performance.now() - t;
      times.push(elapsed);
      (result.options.length > 0 ? timesWith : timesWithout).push(elapsed);
      return result;
    });

  let checked = 0;
  let invalid = 0;
  const booked = day.bookings.map(({ pinned: _pinned, ...a }) => a);
  results.forEach((result, i) => {
    const request = searches[i]!.request;
    for (const option of result.options) {
      const report = validateResult({ ...day, requests: [request] }, { appointments: [...booked, appointmentFromOption(request, option)] });
      checked++;
      if (report.violations.length > 0) invalid++;
    }
  });

  return {
    providers: PROVIDERS,
    bookings: day.bookings.length,
    searches: times.length,
    withOptions: timesWith.length,
    all: percentiles(times),
    withOptionsMs: percentiles(timesWith),
    withoutOptionsMs: percentiles(timesWithout),
    checked,
    invalid,
  };
}

function percentiles(times: number[]): Percentiles {
  const sorted = [...times].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.max(0, Math.ceil(q * sorted.length) - 1)] ?? NaN;
  return { p50: at(0.5), p95: at(0.95), max: sorted[sorted.length - 1] ?? NaN };
}

/** The waiting requests as they are, then three fresh requests per service (plain; after 10:30 with a preferred provider; a required provider). */
function searchesFor(clinic: Instance, waitingIds: string[]): { request: Request; options: { k: number; notBefore?: number } }[] {
  const byId = new Map(clinic.requests.map((r) => [r.id, r]));
  const out: { request: Request; options: { k: number; notBefore?: number } }[] = waitingIds.map((id) => ({ request: byId.get(id)!, options: { k: 5 } }));
  const lateMorning = Date.parse(clinic.horizon.start) + 3.5 * 3_600_000;
  clinic.services.forEach((service, i) => {
    const able = service.specialty ? clinic.providers.filter((p) => p.specialties.includes(service.specialty!)) : [];
    const base = { patientId: `bench-patient-${i}`, serviceId: service.id, urgency: 'routine' as const, preferredProviderIds: [] as string[] };
    out.push({ request: { ...base, id: `bench-${i}-plain` }, options: { k: 5 } });
    out.push({
      request: { ...base, id: `bench-${i}-preferred`, urgency: 'urgent', preferredProviderIds: able.slice(-1).map((p) => p.id) },
      options: { k: 5, notBefore: lateMorning },
    });
    if (able.length > 0) out.push({ request: { ...base, id: `bench-${i}-required`, providerId: able[i % able.length]!.id }, options: { k: 3 } });
  });
  return out;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const began = performance.now();
  const r = runSearchBench();
  const line = (p: Percentiles) => `p50 ${p.p50.toFixed(2)} ms   p95 ${p.p95.toFixed(2)} ms   max ${p.max.toFixed(2)} ms`;
  console.log(`slot search, ${r.providers}-provider clinic day with ${r.bookings} bookings, warm: ${r.searches} searches`);
  console.log(`  all                        ${line(r.all)}   (target: p95 under 50 ms)`);
  console.log(`  with options (${r.withOptions})`.padEnd(29) + line(r.withOptionsMs));
  console.log(`  none, reasons (${r.searches - r.withOptions})`.padEnd(29) + line(r.withoutOptionsMs));
  console.log(`  ${r.checked} options checked on the day by the validator: ${r.invalid} invalid`);
  console.log(`  (whole run ${((performance.now() - began) / 1000).toFixed(1)} s, most of it optimizing the day)`);
  if (r.invalid > 0) process.exitCode = 1;
}
