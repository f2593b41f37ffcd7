// Shapes shared by the OVERBOOKING section of the bench: the orchestrator (overbookingBench.ts), its child
// process (overbookingOne.ts) and the report (overbookingTable.ts).
import type { DayTotals } from '../src/simulate/simulateDay.js';

/** The clinic: the re-plan section's 10-provider clinic (generateClinic, seed 1), whose requests carry no-show estimates. */
export const OVERBOOKING_PROVIDERS = 10;
export const OVERBOOKING_CLINIC_SEED = 1;
/** The limits compared with no overbooking (maxExpectedLoad). */
export const OVERBOOKING_LIMITS: readonly number[] = [1.3, 1.5, 1.8];
/** Each plan: `medsched optimize --backend auto --seed 1 --time-limit S`, as the batch section runs this size. */
export const OVERBOOKING_OPTIMIZE_S = 30;
/** Seeds of the simulated days: each plan plays the same days (the same patients' fates, the same disruptions drawn). */
export const OVERBOOKING_SIM_SEEDS: readonly number[] = [1, 2, 3, 4, 5];

/** One plan to simulate: the instance (with or without overbooking) and its optimize result. */
export type OverbookingPlanFiles = { limit: number | null; instanceFile: string; dayFile: string };
export type OverbookingChildConfig = { plans: OverbookingPlanFiles[]; seeds: number[] };

/** One simulated day of one plan. */
export type OverbookingDay = {
  limit: number | null;
  seed: number;
  ours: DayTotals;
  replans: number;
  latencyMs: { p50: number; p95: number; max: number };
  /** Re-plans of ours the re-plan checks reject (checkReplanRun), and the first few problems. */
  invalid: number;
  problems: string[];
  elapsedMs: number;
};

/** What the plan itself looks like. */
export type OverbookingPlan = {
  requests: number;
  scheduled: number;
  score: number;
  bound: number;
  gap: number;
  /** Visits that share their provider's time with another (an overbooked pair counts two). */
  overbookedVisits: number;
  /** Sum of the scheduled requests' no-show probabilities. */
  expectedNoShows: number;
  /** Violations validateResult finds in it (must be 0). */
  violations: number;
  wallMs: number;
};

export type OverbookingVariant = { limit: number | null; plan?: OverbookingPlan; days: OverbookingDay[]; error?: string };
export type OverbookingOutcome = { providers: number; variants: OverbookingVariant[]; error?: string; wallMs: number };

export const DAY_MARKER = '@@bench-overbooking-day ';
export const OVERBOOKING_DONE_MARKER = '@@bench-overbooking-done ';
