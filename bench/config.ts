// The bench plan: clinic sizes, seeds, time limits, and the command-line flags that change them.
import { parseArgs } from 'node:util';
import { OVERBOOKING_LIMITS, OVERBOOKING_PROVIDERS, OVERBOOKING_SIM_SEEDS } from './overbookingTypes.js';
import { REPLAN_SIZES } from './replanTypes.js';
import { API_PROCESSES, SERVICE_PROVIDERS } from './serviceTypes.js';
import { OPTIMIZER_METHODS, type Method } from './types.js';

/** Default optimizer time limit per clinic size (providers → seconds). */
export const DEFAULT_LIMITS_S: ReadonlyMap<number, number> = new Map([
  [4, 10],
  [10, 30],
  [20, 60],
  [40, 60],
  [100, 120],
]);
/** --quick: the two small clinics with short limits, for a smoke run. */
export const QUICK_LIMITS_S: ReadonlyMap<number, number> = new Map([
  [4, 3],
  [10, 5],
]);
export const LOAD = 1.1;
/** A child is killed (TIMEOUT) when it runs this long past its time limit. */
export const KILL_GRACE_MS = 30_000;
/** First-fit has no time limit; its child is killed after this long. */
export const FIRST_FIT_KILL_MS = 120_000;

export type BenchPlan = {
  sizes: number[];
  seeds: number[];
  methods: Method[];
  timeScale: number;
  quick: boolean;
  outDir: string;
  strict: boolean;
  /** Run the batch runs (false with --replan-only, --service-only and --overbooking-only). */
  batch: boolean;
  /** The flag that turned the batch runs off, when one did. */
  only: '--replan-only' | '--service-only' | '--overbooking-only' | null;
  /** Sizes of the RE-PLAN section (those of 10, 40, 100 in --sizes; --quick: 10 only); [] with --no-replan. */
  replanSizes: number[];
  /** Why the re-plan section does not run, when replanSizes is empty. */
  replanSkipped: string | null;
  /** Run the SERVICE section (the 40-provider clinic behind the HTTP API; serviceBench.ts). */
  service: boolean;
  /** Why the service section does not run, when it does not. */
  serviceSkipped: string | null;
  /** Run the OVERBOOKING section (the 10-provider clinic planned with and without overbooking, then simulated days). */
  overbooking: boolean;
  overbookingSkipped: string | null;
  limitMs: (providers: number) => number;
};

export const USAGE = `usage: npm run bench -- [options]      (or: npx tsx bench/run.ts [options])

  --sizes 4,10,40      clinic sizes in providers (default 4,10,20,40,100)
  --seeds 1,2,3        clinic seeds (default 1,2)
  --backends highs     optimizer backends to run (default auto,highs,jsl); first-fit always runs
  --time-scale 0.25    multiply every time limit (default 1)
  --quick              smoke run: sizes 4,10 with 3 s / 5 s limits (before --time-scale)
  --out-dir DIR        where latest.md, latest.json and gap-40.svg go (default bench/results)
  --strict             exit 1 when a target fails too (always: when a run is INVALID, TIMEOUT or CRASH,
                       or a re-plan is invalid or fails, or the service section fails or finds a double booking)
  --no-replan          skip the re-plan section
  --replan-only        run only the re-plan section (e.g. --replan-only --sizes 10,40)
  --no-service         skip the service section
  --service-only       run only the service section (HTTP API, Redis; about 2 min)
  --no-overbooking     skip the overbooking section
  --overbooking-only   run only the overbooking section (about 8 min)
  -h, --help           this text

Default limits: ${[...DEFAULT_LIMITS_S].map(([p, s]) => `${p}→${s} s`).join(', ')}.
Re-plan section: the sizes ${REPLAN_SIZES.join(', ')} that --sizes asks for (--quick: ${REPLAN_SIZES[0]} only), clinic seed 1;
--seeds, --backends and time limits do not apply to it. It adds about half an hour on 2 cores, most of it the
100-provider simulated day.
Service section: when --sizes includes ${SERVICE_PROVIDERS} (so not with --quick): the ${SERVICE_PROVIDERS}-provider clinic behind ${API_PROCESSES} API
processes and the Redis at REDIS_URL (default redis://127.0.0.1:6379), slot search and bookings over HTTP; about 2 min.
Overbooking section: when --sizes includes ${OVERBOOKING_PROVIDERS} (not with --quick): that clinic planned without overbooking and at limits
${OVERBOOKING_LIMITS.join(', ')}, each plan played through the same ${OVERBOOKING_SIM_SEEDS.length} simulated days; about 8 min.`;

const numberList = (flag: string, text: string, check: (n: number) => boolean): number[] => {
  const list = text.split(',').map((s) => s.trim()).filter(Boolean).map(Number);
  if (list.length === 0 || !list.every(check)) throw new Error(`${flag}: expected a comma-separated list, got '${text}'`);
  return [...new Set(list)];
};

/** Parses the flags; returns null for --help. Throws an Error with a plain message on bad flags. */
export function parsePlan(argv: string[], defaultOutDir: string): BenchPlan | null {
  const { values } = parseArgs({
    args: argv,
    options: {
      sizes: { type: 'string' },
      seeds: { type: 'string', default: '1,2' },
      backends: { type: 'string', default: OPTIMIZER_METHODS.join(',') },
      'time-scale': { type: 'string', default: '1' },
      quick: { type: 'boolean', default: false },
      'out-dir': { type: 'string', default: defaultOutDir },
      strict: { type: 'boolean', default: false },
      'no-replan': { type: 'boolean', default: false },
      'replan-only': { type: 'boolean', default: false },
      'no-service': { type: 'boolean', default: false },
      'service-only': { type: 'boolean', default: false },
      'no-overbooking': { type: 'boolean', default: false },
      'overbooking-only': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
    allowPositionals: false,
  });
  if (values.help) return null;
  const quick = values.quick ?? false;
  const table = quick ? QUICK_LIMITS_S : DEFAULT_LIMITS_S;
  const sizes = values.sizes !== undefined
    ? numberList('--sizes', values.sizes, (n) => Number.isInteger(n) && n >= 1)
    : [...table.keys()];
  const seeds = numberList('--seeds', values.seeds!, Number.isSafeInteger);
  const timeScale = Number(values['time-scale']);
  if (!Number.isFinite(timeScale) || timeScale <= 0) throw new Error(`--time-scale: expected a number > 0, got '${values['time-scale']}'`);
  const backends = values.backends!.split(',').map((s) => s.trim()).filter(Boolean);
  const unknown = backends.filter((b) => !(OPTIMIZER_METHODS as readonly string[]).includes(b));
  if (unknown.length > 0) throw new Error(`--backends: unknown ${unknown.join(', ')} (known: ${OPTIMIZER_METHODS.join(', ')})`);
  const noReplan = values['no-replan'] ?? false;
  const noService = values['no-service'] ?? false;
  const noOverbooking = values['no-overbooking'] ?? false;
  const only = (['--replan-only', '--service-only', '--overbooking-only'] as const).filter((flag) => values[flag.slice(2) as 'replan-only'] ?? false);
  if (noReplan && only.includes('--replan-only')) throw new Error('--no-replan and --replan-only exclude each other');
  if (noService && only.includes('--service-only')) throw new Error('--no-service and --service-only exclude each other');
  if (noOverbooking && only.includes('--overbooking-only')) throw new Error('--no-overbooking and --overbooking-only exclude each other');
  if (only.length > 1) throw new Error('--replan-only, --service-only and --overbooking-only exclude each other');
  const onlyFlag = only[0] ?? null;
  /** Why a section does not run: its --no- flag, another section's --*-only, or its size missing; null: it runs. */
  const skipped = (no: boolean, noFlag: string, own: string, missing: string | null): string | null => {
    if (no) return noFlag;
    if (onlyFlag !== null && onlyFlag !== own) return onlyFlag;
    if (missing !== null) return missing;
    return null;
  };
  const replanSizes = REPLAN_SIZES.filter((p) => sizes.includes(p) && (!quick || p === REPLAN_SIZES[0]));
  const replanSkipped = skipped(noReplan, '--no-replan', '--replan-only',
    replanSizes.length === 0 ? `no re-plan size (${quick ? `${REPLAN_SIZES[0]} with --quick` : REPLAN_SIZES.join(', ')}) among the sizes ${sizes.join(', ')}` : null);
  const serviceSkipped = skipped(noService, '--no-service', '--service-only',
    sizes.includes(SERVICE_PROVIDERS) ? null : `${SERVICE_PROVIDERS} providers is not among the sizes ${sizes.join(', ')}`);
  const overbookingSkipped = skipped(noOverbooking, '--no-overbooking', '--overbooking-only',
    quick && onlyFlag === null
      ? '--quick (it takes about 8 min: --overbooking-only runs it)'
      : sizes.includes(OVERBOOKING_PROVIDERS) ? null : `${OVERBOOKING_PROVIDERS} providers is not among the sizes ${sizes.join(', ')}`);
  for (const [flag, why] of [['--replan-only', replanSkipped], ['--service-only', serviceSkipped], ['--overbooking-only', overbookingSkipped]] as const)
    if (onlyFlag === flag && why !== null) throw new Error(`${flag}: ${why}`);
  return {
    sizes: sizes.sort((a, b) => a - b),
    seeds,
    methods: ['first-fit', ...OPTIMIZER_METHODS.filter((m) => backends.includes(m))],
    timeScale,
    quick,
    outDir: values['out-dir']!,
    strict: values.strict ?? false,
    batch: onlyFlag === null,
    only: onlyFlag,
    replanSizes: replanSkipped === null ? replanSizes : [],
    replanSkipped,
    service: serviceSkipped === null,
    serviceSkipped,
    overbooking: overbookingSkipped === null,
    overbookingSkipped,
    limitMs: (providers) => Math.round(1000 * timeScale * limitSeconds(table, providers)),
  };
}

/** The limit of the size itself, else of the next larger size in the table, else of the largest. */
function limitSeconds(table: ReadonlyMap<number, number>, providers: number): number {
  const sizes = [...table.keys()].sort((a, b) => a - b);
  const at = sizes.find((s) => s >= providers) ?? sizes[sizes.length - 1]!;
  return table.get(at)!;
}
